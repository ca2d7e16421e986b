import Foundation
import Testing
@testable import HeadroomStore

/// `headroom compare` and `headroom run` as a user's terminal shows them: 100 columns by default,
/// `$COLUMNS` and `--wide` honoured, `--baseline` by short name, intervals with no `±`.
@Suite("Command line: compare and summary widths")
struct CompareCLITests {
    /// Runs the binary with `environment` added to this process's (pipes, not a terminal).
    static func capture(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        // The table's width comes from COLUMNS: unset unless the test sets it.
        let run = try ProcessTests.capture(arguments, environment: ["COLUMNS": nil].merging(environment.mapValues { $0 }) { $1 })
        return (run.status, run.out, run.err)
    }

    /// A two-variant, two-seed, one-grid-point sweep of the quickstart, 2 simulated minutes each.
    static func sweepStore() throws -> String {
        let db = RunStoreTests.temporaryPath("cli-compare")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-sweep-\(UUID().uuidString).yaml")
        let base = URL(fileURLWithPath: "scenarios/quickstart.yaml").standardized.path
        try """
        sweep:
          name: widths
          base: \(base)
          seeds: 2
          variants:
            - {name: two, set: {}}
            - {name: three, set: {policy: {kind: fixed, replicas: 3}}}
          grid:
            duration: [2m]
        """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let sweep = try capture(["sweep", file.path, "--db", db, "--jobs", "2"])
        #expect(sweep.status == 0, "\(sweep.err)")
        return db
    }

    @Test("compare fits 100 columns, or $COLUMNS; --wide shows every column; --baseline takes the short name")
    func widths() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let db = try Self.sweepStore()
        defer { try? FileManager.default.removeItem(atPath: db) }
        let plain = try Self.capture(["compare", "--sweep", "widths", "--db", db, "--baseline", "two"])
        #expect(plain.status == 0, "\(plain.err)")
        #expect(plain.out.contains("Δ three") && !plain.out.contains("±"), "\(plain.out)")
        #expect(plain.out.split(separator: "\n").allSatisfy { $0.count <= 100 }, "\(plain.out)")
        let narrow = try Self.capture(["compare", "--sweep", "widths", "--db", db], environment: ["COLUMNS": "64"])
        #expect(narrow.out.split(separator: "\n").allSatisfy { $0.count <= 64 }, "\(narrow.out)")
        #expect(narrow.out.contains("Not shown to fit 64 columns"))
        let wide = try Self.capture(["compare", "--sweep", "widths", "--db", db, "--wide"], environment: ["COLUMNS": "64"])
        #expect(wide.out.contains("GPU-h idle") && wide.out.contains("$/Mtok") && !wide.out.contains("Not shown"))
        let columns = try Self.capture(["compare", "--sweep", "widths", "--db", db, "--columns", "itl_p99_seconds,cold_starts_started"])
        #expect(columns.out.contains("ITL p99") && columns.out.contains("cold") && !columns.out.contains("TTFT p99"))
        let unknown = try Self.capture(["compare", "--sweep", "widths", "--db", db, "--baseline", "four"])
        #expect(unknown.status != 0 && unknown.err.contains("no variant named 'four'") && unknown.err.contains("two, duration=2m"))
    }

    @Test("the run summary fits 100 columns")
    func summaryWidth() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        for scenario in ["scenarios/quickstart.yaml", "scenarios/signals/kpa-concurrency.yaml"] {
            let run = try Self.capture(["run", scenario, "--duration", "5m", "--no-store"])
            #expect(run.status == 0, "\(run.err)")
            let long = run.out.split(separator: "\n").filter { $0.count > 100 }
            #expect(long.isEmpty, "\(scenario): \(long)")
        }
    }
}
