import Foundation
import GRDB
import Headroom
import Testing
@testable import HeadroomStore

extension MigrationTests {

    @Test("v-spot: an older store opens (NULL spot drops); a run with spot drops stores its count")
    func spotColumn() throws {
        let path = RunStoreTests.temporaryPath("pre-spot")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let queue = try DatabaseQueue(path: path)
            try RunStore.migrator.migrate(queue, upTo: Self.queryValues)
            try queue.write { db in
                try db.execute(sql: "INSERT INTO scenarios (id, name, yaml, hash) VALUES (1, 'old', 'name: old', 'h')")
                try db.execute(sql: """
                    INSERT INTO runs (id, run_uid, run_key, scenario_id, variant, policy_kind, seed, headroom_version, started_at, wall_seconds, status)
                    VALUES (1, 'u1', 'k1', 1, 'fixed', 'fixed', 7, '0.3.0', '2026-11-01 10:00:00.000', 1.5, 'finished')
                    """)
                let summary = ["run_id", "duration_seconds", "events"] + RunSummaryRecord.Columns.counts + RunSummaryRecord.Columns.reals
                try db.execute(sql: "INSERT INTO run_summaries (\(summary.joined(separator: ","))) VALUES (\(summary.map { $0 == "run_id" ? "1" : "2" }.joined(separator: ",")))")
            }
        }
        let store = try RunStore(path: path)
        #expect(try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") } == RunStore.migrator.migrations)
        #expect(try store.summaries(of: [1])[1]?["dropped_spot_interrupted"] == nil, "not counted then: NULL, not zero")

        var document = ScenarioDocument(yaml: RunStoreTests.yaml, file: "t.yaml")
        try document.set("router", to: "{activator_capacity: 0}")
        try document.set("node_pools[0].spot", to: "{interruptions: [20s], notice: 0s}")
        let scenario = try document.scenario()
        let result = Simulation.run(scenario)
        let dropped = result.summary.requests.droppedByReason["spot_interrupted"] ?? 0
        let id = try store.save(result, document: document, scenario: scenario, placement: .init(variant: "spot"), startedAt: Date(),
                                wallSeconds: 0.1).id
        let stored = try store.summaries(of: [id])[id]?["dropped_spot_interrupted"]
        #expect(dropped > 0 && stored == Double(dropped))
    }
}
