import Foundation
import GRDB
import Headroom
import Testing

@testable import HeadroomStore

extension MigrationTests {

    @Test("v-deployments: an older store opens with its runs, decisions and sampled requests; new runs store their deployments")
    func deploymentsMigration() throws {
        let path = try Self.oldStore("pre-deployments", upTo: Self.queryValues, policy: "kpa") { db in
            try db.execute(
                sql: """
                    INSERT INTO decisions (run_id, time, replicas_ready, replicas_starting, replicas_pending, activator_queue, signals, desired_replicas, reason)
                    VALUES (1, 2, 1, 0, 0, 0, '[]', 1, 'stable')
                    """)
            for serial in 1...3 {
                try db.execute(sql: "INSERT INTO request_samples (run_id, serial, arrival, prompt_tokens, output_tokens, finished) VALUES (1, ?, ?, 100, 10, 9)",
                               arguments: [serial, Double(serial)])
            }
        }
        defer { Self.removeStore(path) }
        let store = try RunStore(path: path)
        #expect(try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") } == RunStore.migrator.migrations)
        let decisions = try store.table("decisions", runs: [1])
        #expect(decisions.texts("reason") == ["stable"] && decisions.texts("deployment") == [nil])
        let samples = try store.table("request_samples", runs: [1])
        #expect(samples.numbers("serial") == [1, 2, 3] && samples.numbers("arrival") == [1, 2, 3] && samples.texts("deployment") == [nil, nil, nil])
        #expect(try store.table("deployment_summaries", runs: [1]).rows.isEmpty)
        let old = try #require(try store.storedSummary(ofRun: 1))
        #expect(old.deployments == nil && old.cost.unattributedDollars == nil && old.requests.arrived == 2)
        // A second copy of a sampled request (same deployment, same serial) is still refused.
        #expect(throws: (any Error).self) {
            try store.writer.write { db in
                try db.execute(sql: "INSERT INTO request_samples (run_id, serial, arrival, prompt_tokens, output_tokens) VALUES (1, 1, 0, 1, 1)")
            }
        }
        let (id, result) = try DeploymentStoreTests.runAndSave(store, sample: 5)
        #expect(try store.storedDeployments(ofRun: id).map(\.name) == result.summary.deployments?.map(\.name))
        #expect(try store.table("request_samples", runs: [id]).rows.count == 10)
    }

    @Test("a read-only open of an older store reads it without migrating the file")
    func deploymentsReadOnly() throws {
        let path = RunStoreTests.temporaryPath("pre-deployments-ro")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let queue = try DatabaseQueue(path: path)
            try RunStore.migrator.migrate(queue, upTo: Self.queryValues)
        }
        let store = try RunStore(path: path, access: .readOnly)
        #expect(try store.table("deployment_summaries", runs: [1]).rows.isEmpty)
        let file = try DatabaseQueue(path: path)
        #expect(try file.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }.last == Self.queryValues)
    }
}
