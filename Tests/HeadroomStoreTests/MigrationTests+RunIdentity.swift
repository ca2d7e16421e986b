import Foundation
import GRDB
import Testing
@testable import HeadroomStore

extension MigrationTests {
    static let v2 = "v2: TTFT over time and latency distributions"

    /// A file as Headroom left it before `v-run-identity`: two runs (a single run and a sweep run)
    /// whose results are real, stored by the current code and then rewound to the v2 `runs` table.
    static func v2Store() throws -> String {
        let path = RunStoreTests.temporaryPath("v2")
        let queue = try DatabaseQueue(path: path)
        try RunStore.migrator.migrate(queue, upTo: v2)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO scenarios (id, name, yaml, hash) VALUES (1, 'old', 'name: old', 'h')")
            try db.execute(sql: "INSERT INTO sweeps (id, name, file, created_at) VALUES (1, 'old-sweep', 's.yaml', '2026-11-01 10:00:00.000')")
            for (id, key, sweep) in [(1, "k1", "NULL"), (2, "k2", "1")] {
                try db.execute(sql: """
                    INSERT INTO runs (id, run_key, scenario_id, sweep_id, variant, policy_kind, seed, headroom_version, started_at, wall_seconds, status)
                    VALUES (\(id), '\(key)', 1, \(sweep), 'fixed', 'fixed', 7, '0.2.0', '2026-11-01 10:00:00.000', 1.5, 'finished')
                    """)
                let summary = ["run_id", "duration_seconds", "events"] + RunSummaryRecord.Columns.counts + RunSummaryRecord.Columns.reals
                try db.execute(sql: "INSERT INTO run_summaries (\(summary.joined(separator: ","))) VALUES (\(summary.map { $0 == "run_id" ? "\(id)" : "2" }.joined(separator: ",")))")
                try db.execute(sql: "INSERT INTO latency_quantiles (run_id, metric, percentile, seconds) VALUES (\(id), 'ttft', 50, 0.1)")
            }
        }
        return path
    }

    @Test("v-run-identity keeps every run and its results; old keys become uids; running again and merging old copies work")
    func runIdentity() throws {
        let path = try Self.v2Store()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let copy = RunStoreTests.temporaryPath("v2-copy")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) } }
        try FileManager.default.copyItem(atPath: path, toPath: copy)

        let store = try RunStore(path: path)
        #expect(try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") } == RunStore.migrator.migrations)
        let rows = try store.writer.read { try Row.fetchAll($0, sql: "SELECT id, run_uid, run_key, sweep_id FROM runs ORDER BY id") }
        #expect(rows.map { $0["run_uid"] as String } == ["k1", "k2"] && rows.map { $0["run_key"] as String } == ["k1", "k2"])
        #expect(try store.summaries(of: [1, 2]).count == 2)
        #expect(try store.table("latency_quantiles", runs: [1, 2]).rows.count == 2)
        #expect(try store.runs(sweep: "old-sweep").map(\.id) == [2])
        #expect(try store.writer.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }.isEmpty)
        // The old store's run, run again, is a new run; its ids continue after the old ones.
        let again = try RunIdentityTests.save(store)
        let twice = try RunIdentityTests.save(store)
        #expect(again.id == 3 && twice.id == 4)
        // The pre-migration copy (migrated read-only, in memory) merges as already present.
        #expect(try store.merge(from: copy) == RunStore.MergeOutcome(merged: 0, alreadyPresent: 2))
        // Its sweep's resume key is still unique within the sweep.
        #expect(throws: (any Error).self) {
            try store.writer.write { try $0.execute(sql: "INSERT INTO runs (run_uid, run_key, scenario_id, sweep_id, variant, policy_kind, seed, headroom_version, started_at, wall_seconds, status) VALUES ('u', 'k2', 1, 1, 'fixed', 'fixed', 7, 'x', '2026-11-01', 1, 'finished')") }
        }
    }
}
