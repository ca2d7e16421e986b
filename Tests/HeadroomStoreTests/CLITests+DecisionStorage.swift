import Foundation
import Testing
@testable import HeadroomStore

/// `--store-decisions` and `--series-interval` from the command line: what each stores, a bad
/// value's message, and a store without decisions still read by every read command.
extension CLITests {
    static let storageScenario = "scenarios/signals/kpa-concurrency.yaml"

    /// Rows of `table` stored for each run of the store at `db`, by run id.
    static func rowCounts(_ table: String, db: String) throws -> [Int] {
        let store = try RunStore(path: db, access: .readOnly)
        let ids = try store.runs(limit: 100).map(\.id).sorted()
        return try ids.map { try store.table(table, runs: [$0]).rows.count }
    }

    @Test("--store-decisions all|changes|none stores every, fewer, no decisions; --series-interval sets the series step")
    func storeDecisionsModes() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try CLIStoreTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("h.sqlite").path
        for mode in ["all", "changes", "none"] {
            let run = try Self.capture(["run", Self.storageScenario, "--duration", "10m", "--store-decisions", mode, "--db", db])
            #expect(run.status == 0, "\(run.err)")
        }
        let counts = try Self.rowCounts("decisions", db: db)
        #expect(counts.count == 3 && counts[0] > counts[1] && counts[1] > 0 && counts[2] == 0, "\(counts)")
        #expect(Set(try Self.rowCounts("run_series", db: db)).count == 1, "the series is stored whole whatever the setting")
        let coarse = try Self.capture(["run", Self.storageScenario, "--duration", "10m", "--series-interval", "1m", "--db", db])
        #expect(coarse.status == 0, "\(coarse.err)")
        let series = try Self.rowCounts("run_series", db: db)
        #expect(series.count == 4 && series[3] * 6 <= series[0] + 6 && series[3] >= 10, "\(series)")
    }

    @Test("a bad --store-decisions value is refused naming the allowed values; a bad --series-interval names the fault")
    func storeDecisionsBadValue() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        for command in ["run", "sweep"] {
            let bad = try Self.capture([command, Self.storageScenario, "--store-decisions", "some", "--no-store"].filter { command == "run" || $0 != "--no-store" })
            #expect(bad.status != 0 && bad.err.contains("some") && ["none", "changes", "all"].allSatisfy(bad.err.contains), "\(bad.err)")
        }
        let interval = try Self.capture(["run", Self.storageScenario, "--series-interval", "0s", "--no-store"])
        #expect(interval.status != 0 && interval.err.contains("positive"), "\(interval.err)")
    }

    @Test("a run stored without decisions opens in runs show, compare, report and export without errors")
    func storeWithoutDecisionsReads() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try CLIStoreTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("h.sqlite").path
        let run = try Self.capture(["run", Self.storageScenario, "--duration", "5m", "--store-decisions", "none", "--db", db])
        #expect(run.status == 0, "\(run.err)")
        for command in CLIStoreTests.readCommands {
            let read = try Self.capture(CLIStoreTests.arguments(command, db: db, outputs: folder))
            #expect(read.status == 0 && !read.err.contains("error"), "\(command): \(read.err)")
            if command[0] == "export" { #expect(read.out.contains("decisions.csv  (0 rows)"), "\(read.out)") }
        }
    }
}
