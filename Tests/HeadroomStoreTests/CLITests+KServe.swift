import Foundation
import Testing

@testable import HeadroomStore

/// The pasted KServe InferenceService from the command line: its query values in `--json`, and
/// what a careless paste is told.
extension CLITests {
    static let kserve = "scenarios/llm-signals/kserve-running-value.yaml"

    @Test("the shipped KServe scenario runs; --json decisions carry the query's values, one per replica once several report")
    func kserveQueryValuesInJSON() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let run = try Self.capture(["run", Self.kserve, "--duration", "6m", "--no-store", "--json"])
        #expect(run.status == 0, "\(run.err)")
        let values = try Self.decisions(run.out).compactMap { $0["query_values"] as? [[String: Any]] }
        #expect(
            !values.isEmpty && values.allSatisfy { $0.count == 1 && $0[0]["query"] as? String == "vllm:num_requests_running" })
        #expect(values.contains { ($0[0]["values"] as? [Double])?.count == 1 })
        #expect(values.contains { ($0[0]["values"] as? [Double])?.count ?? 0 > 1 }, "several replicas: several elements")
    }

    @Test("a careless paste: misspelt annotation, wrong apiVersion, missing query — each error names file, line and YAML path")
    func kserveCarelessPaste() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let text = try String(contentsOfFile: Self.kserve, encoding: .utf8)
        let cases = [
            (
                "serving.kserve.io/autoscalerClass", "serving.kserve.io/autoscaler-class",
                "policy.metadata.annotations.serving.kserve.io/autoscaler-class: unknown KServe annotation"
            ),
            (
                "apiVersion: serving.kserve.io/v1beta1", "apiVersion: serving.kserve.io/v1",
                "policy.apiVersion: expected `serving.kserve.io/v1beta1`"
            ),
            (
                "                query: vllm:num_requests_running\n", "",
                "policy.spec.predictor.autoScaling.metrics[0].external.metric: missing required key `query`"
            ),
        ]
        for (from, to, message) in cases {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("kserve-\(UUID().uuidString).yaml").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            #expect(text.contains(from))
            try text.replacingOccurrences(of: from, with: to).write(toFile: file, atomically: true, encoding: .utf8)
            let run = try Self.capture(["run", file, "--no-store"])
            #expect(run.status == 1)
            #expect(run.err.contains("\(file):") && run.err.contains(message), "\(run.err)")
        }
    }
}
