import Foundation
import Testing
@testable import HeadroomStore

/// The fault scenarios and the new decision fields from the command line.
extension CLITests {
    @Test("--json decisions carry KPA's excess burst capacity and KEDA's Active condition; fault scenarios run")
    func decisionConditionsInJSON() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let kpa = try Self.capture(["run", "scenarios/faults/kpa-metric-outage.yaml", "--duration", "25m", "--no-store", "--json"])
        #expect(kpa.status == 0, "\(kpa.err)")
        let kpaDecisions = try Self.decisions(kpa.out)
        #expect(!kpaDecisions.isEmpty && kpaDecisions.allSatisfy { $0["excess_burst_capacity"] is Double })
        #expect(kpaDecisions.contains { ($0["reason"] as? String)?.contains("keeping the last desired scale") == true })
        let keda = try Self.capture(["run", "scenarios/faults/keda-fallback.yaml", "--duration", "20m", "--no-store", "--json"])
        #expect(keda.status == 0, "\(keda.err)")
        let kedaDecisions = try Self.decisions(keda.out)
        #expect(kedaDecisions.contains { $0["active"] as? Bool == true } && kedaDecisions.contains { $0["active"] as? Bool == false })
        #expect(kedaDecisions.contains { ($0["reason"] as? String)?.contains("fallback for concurrency") == true })
        let crash = try Self.capture(["run", "scenarios/faults/hpa-crashloop.yaml", "--duration", "35m", "--no-store"])
        #expect(crash.status == 0, "\(crash.err)")
        #expect(crash.out.contains("injected replica failure"))
    }

    @Test("a bad fault is refused with its place and the allowed kinds")
    func badFault() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-fault-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let text = try String(contentsOfFile: "scenarios/faults/kpa-metric-outage.yaml", encoding: .utf8)
            .replacingOccurrences(of: "kind: metric_outage", with: "kind: metric_outag")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try Self.capture(["run", file, "--no-store"])
        #expect(run.status == 1)
        #expect(run.err.contains("faults[0].kind") && run.err.contains("allowed: metric_outage, replica_crash, pod_failure"), "\(run.err)")
    }

    static func decisions(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["decisions"] as? [[String: Any]] ?? []
    }
}
