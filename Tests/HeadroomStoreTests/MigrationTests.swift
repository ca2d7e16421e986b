import Foundation
import GRDB
import Testing
@testable import HeadroomStore

@Suite("Run store migrations")
struct MigrationTests {
    @Test("a schema-v1 database opens, keeps its runs and gains the v2 columns and table")
    func v1ToV2() throws {
        let path = RunStoreTests.temporaryPath("v1")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A file exactly as Headroom 0.2 left it: v1 only, one run with one series row and one cold start.
        do {
            let queue = try DatabaseQueue(path: path)
            try RunStore.migrator.migrate(queue, upTo: "v1: scenarios, sweeps, runs and their results")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO scenarios (id, name, yaml, hash) VALUES (1, 'old', 'name: old', 'h')")
                try db.execute(sql: """
                    INSERT INTO runs (id, run_key, scenario_id, variant, policy_kind, seed, headroom_version, started_at, wall_seconds, status)
                    VALUES (1, 'k', 1, 'fixed', 'fixed', 7, '0.2.0', '2026-11-01 10:00:00.000', 1.5, 'finished')
                    """)
                let summary = ["run_id", "duration_seconds", "events"] + RunSummaryRecord.Columns.counts + RunSummaryRecord.Columns.reals
                try db.execute(sql: "INSERT INTO run_summaries (\(summary.joined(separator: ","))) VALUES (\(summary.map { $0 == "run_id" ? "1" : "2" }.joined(separator: ",")))")
                let series = ["run_id", "time"] + SeriesRecord.Columns.counts
                try db.execute(sql: "INSERT INTO run_series (\(series.joined(separator: ","))) VALUES (\(series.map { $0 == "run_id" ? "1" : "3" }.joined(separator: ",")))")
            }
        }
        let store = try RunStore(path: path)
        let applied = try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied == RunStore.migrator.migrations)
        #expect(try store.runs().map(\.id) == [1])
        #expect(try store.summaries(of: [1])[1]?["arrived"] == 2)
        let series = try store.table("run_series", runs: [1])
        #expect(series.rows.count == 1)
        #expect(series.numbers("nodes_ready") == [3])
        #expect(series.numbers("ttft_p99_seconds") == [nil], "old runs have no TTFT over time: NULL, not zero")
        #expect(try store.table("latency_quantiles", runs: [1]).rows.isEmpty)
        // New runs go into the migrated file as usual.
        let (id, result) = try RunStoreTests.runAndSave(store)
        #expect(try store.table("run_series", runs: [id]).rows.count == result.series.count)
    }
}
