import Foundation
import Testing

@testable import HeadroomStore

/// Cost by pool and pricing kind from the command line: the summary's "By pool" line, `--json`'s
/// `cost.by_pool`, and `runs show` of the stored run printing the same line.
extension CLITests {
    @Test("the billing scenario prints and stores cost by pool and pricing kind; a bad granularity names the allowed ones")
    func billingFromTheCommandLine() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let scenario = "scenarios/billing/reserved-vs-on-demand.yaml"
        let json = try Self.capture(["run", scenario, "--duration", "20m", "--no-store", "--json"])
        #expect(json.status == 0, "\(json.err)")
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        let cost = (object?["summary"] as? [String: Any])?["cost"] as? [String: Any]
        let lines = try #require(cost?["by_pool"] as? [[String: Any]], "\(cost ?? [:])")
        #expect(lines.map { $0["pricing"] as? String } == ["on_demand", "reserved"])
        // 2 reserved nodes × 20 minutes at $7.37/h.
        #expect(abs((lines[1]["dollars"] as? Double ?? 0) - 2 * 7.37 / 3) < 1e-9)
        #expect(lines[1]["billed_seconds"] as? Double == 2400.0)

        let db = RunStoreTests.temporaryPath("cli-billing")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) } }
        let stored = try Self.capture(["run", scenario, "--duration", "20m", "--db", db])
        #expect(stored.status == 0, "\(stored.err)")
        let byPool = try #require(stored.out.split(separator: "\n").first { $0.hasPrefix("By pool    ") }, "\(stored.out)")
        #expect(byPool.contains("h100: on-demand $") && byPool.contains("reserved $4.91 (2400 node-seconds)"), "\(byPool)")
        let show = try Self.capture(["runs", "show", "1", "--db", db])
        #expect(show.status == 0 && show.out.contains(byPool), "\(show.out)")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-billing-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try String(contentsOfFile: scenario, encoding: .utf8).replacingOccurrences(
            of: "granularity: per_second", with: "granularity: hourly"
        )
        .write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try Self.capture(["run", file, "--no-store"])
        #expect(bad.status == 1)
        #expect(
            bad.err.contains("node_pools[0].billing.granularity")
                && bad.err.contains("allowed: per_second, per_minute, per_hour"),
            "\(bad.err)")
    }
}
