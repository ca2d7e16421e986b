import Foundation
import GRDB
import Headroom
import Testing
@testable import HeadroomStore

extension MigrationTests {
    static let inputLosses = "v-input-losses: skipped trace rows, stockouts, cancelled cold starts"

    @Test("v-upstream-exact: an older store opens; its decisions read NULL excess burst capacity and Active; new KPA runs store them")
    func upstreamExactColumns() throws {
        let path = RunStoreTests.temporaryPath("pre-upstream-exact")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let queue = try DatabaseQueue(path: path)
            try RunStore.migrator.migrate(queue, upTo: Self.inputLosses)
            try queue.write { db in
                try db.execute(sql: "INSERT INTO scenarios (id, name, yaml, hash) VALUES (1, 'old', 'name: old', 'h')")
                try db.execute(sql: """
                    INSERT INTO runs (id, run_uid, run_key, scenario_id, variant, policy_kind, seed, headroom_version, started_at, wall_seconds, status)
                    VALUES (1, 'u1', 'k1', 1, 'kpa', 'kpa', 7, '0.3.0', '2026-11-01 10:00:00.000', 1.5, 'finished')
                    """)
                let summary = ["run_id", "duration_seconds", "events"] + RunSummaryRecord.Columns.counts + RunSummaryRecord.Columns.reals
                try db.execute(sql: "INSERT INTO run_summaries (\(summary.joined(separator: ","))) VALUES (\(summary.map { $0 == "run_id" ? "1" : "2" }.joined(separator: ",")))")
                try db.execute(sql: """
                    INSERT INTO decisions (run_id, time, replicas_ready, replicas_starting, replicas_pending, activator_queue, signals, desired_replicas, reason)
                    VALUES (1, 2, 1, 0, 0, 0, '[]', 1, 'stable')
                    """)
            }
        }
        let store = try RunStore(path: path)
        #expect(try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") } == RunStore.migrator.migrations)
        let old = try store.table("decisions", runs: [1])
        #expect(old.rows.count == 1)
        #expect(old.numbers("excess_burst_capacity") == [nil])
        #expect(old.numbers("active") == [nil])
        #expect(try store.summaries(of: [1])[1]?["dropped_replica_failed"] == nil, "not counted then: NULL, not zero")
        #expect(try store.storedSummary(ofRun: 1)?.replicaFailures == 0)

        // A KPA run stored now has a number on every decision, and its summary reads back.
        var document = ScenarioDocument(yaml: RunStoreTests.yaml, file: "t.yaml")
        try document.set("policy", to: "{kind: kpa, annotations: {autoscaling.knative.dev/target: \"10\"}}")
        let scenario = try document.scenario()
        let result = Simulation.run(scenario)
        let id = try store.save(result, document: document, scenario: scenario, placement: .init(variant: "kpa"), startedAt: Date(),
                                wallSeconds: 0.1).id
        let decisions = try store.table("decisions", runs: [id])
        #expect(!decisions.rows.isEmpty)
        #expect(decisions.numbers("excess_burst_capacity").allSatisfy { $0 != nil })
        #expect(decisions.numbers("active").allSatisfy { $0 == nil })
        #expect(try store.summaries(of: [id])[id]?["dropped_replica_failed"] == 0)
        #expect(try store.storedSummary(ofRun: id)?.replicaFailures == result.summary.replicaFailures)
    }
}
