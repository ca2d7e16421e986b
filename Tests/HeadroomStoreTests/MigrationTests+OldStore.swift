import Foundation
import GRDB
import Testing

@testable import HeadroomStore

extension MigrationTests {
    /// A store file as an older Headroom left it: migrated up to `migration`, holding one finished
    /// run (id 1, policy `policy`) with its summary when `summary` is set; `rows` adds what a test
    /// needs beside it. The caller removes it with `removeStore(_:)`.
    static func oldStore(
        _ name: String, upTo migration: String, policy: String = "fixed", summary: Bool = true,
        rows: (Database) throws -> Void = { _ in }
    ) throws -> String {
        let path = RunStoreTests.temporaryPath(name)
        let queue = try DatabaseQueue(path: path)
        try RunStore.migrator.migrate(queue, upTo: migration)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO scenarios (id, name, yaml, hash) VALUES (1, 'old', 'name: old', 'h')")
            try db.execute(
                sql: """
                    INSERT INTO runs (id, run_uid, run_key, scenario_id, variant, policy_kind, seed, headroom_version, started_at, wall_seconds, status)
                    VALUES (1, 'u1', 'k1', 1, ?, ?, 7, '0.3.0', '2026-11-01 10:00:00.000', 1.5, 'finished')
                    """, arguments: [policy, policy])
            if summary {
                let columns = ["run_id", "duration_seconds", "events"] + RunSummaryRecord.Columns.counts + RunSummaryRecord.Columns.reals
                try db.execute(sql: "INSERT INTO run_summaries (\(columns.joined(separator: ","))) VALUES (\(columns.map { $0 == "run_id" ? "1" : "2" }.joined(separator: ",")))")
            }
            try rows(db)
        }
        return path
    }

    static func removeStore(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
