import Foundation
import Testing
@testable import HeadroomStore

/// `headroom bench --progress`: one row per simulated hour with its arrivals, wall time, µs per
/// request and resident memory (the figures themselves are never asserted).
@Suite("Command line: bench --progress")
struct CLIBenchProgressTests {
    @Test("two simulated hours give two rows, each with its arrivals and a µs per request")
    func hourlyRows() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let run = try ProcessTests.capture(["bench", "scenarios/quickstart.yaml", "--duration", "2h", "--engine-events", "1000", "--progress"])
        #expect(run.status == 0, "\(run.err)")
        let lines = run.out.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("simulated") && $0.contains("µs/request") && $0.contains("RSS MB") }, "\(run.out)")
        let rows = lines.filter { $0.hasPrefix("  0s–1h") || $0.hasPrefix("  1h–2h") }
        #expect(rows.count == 2, "\(run.out)")
        for row in rows {
            let fields = row.split(separator: " ")
            #expect(fields.count == 5 && (Int(fields[1]) ?? 0) > 0 && Double(fields[3]) != nil, "\(row)")
        }
    }

    @Test("--engine-events 0 skips the engine measurement; a negative count is refused, not a crash")
    func engineEventsBounds() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let skipped = try ProcessTests.capture(["bench", "scenarios/quickstart.yaml", "--duration", "1m", "--engine-events", "0"])
        #expect(skipped.status == 0, "\(skipped.err)")
        #expect(skipped.out.contains("engine: not measured (--engine-events 0)") && skipped.out.contains("scenario quickstart"), "\(skipped.out)")
        let negative = try ProcessTests.capture(["bench", "scenarios/quickstart.yaml", "--duration", "1m", "--engine-events=-5"])
        #expect(negative.status == 64, "\(negative.out) \(negative.err)")
        #expect(negative.err.contains("--engine-events must be 0 (skip the engine measurement) or more, got -5"), "\(negative.err)")
    }
}
