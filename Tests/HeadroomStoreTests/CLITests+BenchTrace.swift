import Foundation
import Testing
@testable import HeadroomStore

/// `headroom bench --trace` replays a trace with the scenario's fleet and times reading it alone;
/// a bad `--trace` is refused naming the option and the allowed keys.
@Suite("Command line: bench --trace")
struct CLIBenchTraceTests {
    @Test("a path or a trace block replaces the workload; the read line counts the rows and names the format")
    func benchTrace() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        let mooncake = "notebooks-data/traces/mooncake_synthetic_trace.jsonl"
        let plain = try ProcessTests.capture(["bench", "scenarios/quickstart.yaml", "--duration", "2m", "--engine-events", "1000", "--trace", mooncake])
        #expect(plain.status == 0, "\(plain.err)")
        #expect(plain.out.contains("trace read (mooncake): 3993 rows"), "\(plain.out)")
        let block = try ProcessTests.capture(["bench", "scenarios/quickstart.yaml", "--duration", "2m", "--engine-events", "1000",
                                              "--trace", "{file: \(mooncake), window: {end: 1m}}"])
        #expect(block.status == 0 && block.out.contains("trace read (mooncake)"), "\(block.err)")
        let bad = try ProcessTests.capture(["bench", "scenarios/quickstart.yaml", "--trace", "{file: \(mooncake), speed: 2}"])
        #expect(bad.status != 0 && bad.err.contains("--trace") && bad.err.contains("unknown key `speed`"), "\(bad.err)")
        let missing = try ProcessTests.capture(["bench", "scenarios/quickstart.yaml", "--trace", "/nonexistent.csv"])
        #expect(missing.status != 0 && missing.err.contains("/nonexistent.csv") && missing.err.contains("no such file"), "\(missing.err)")
    }
}
