import Foundation
import Testing

@Suite("CLI: policy replay on a Prometheus export")
struct CLIPrometheusTests {
    @Test("policy replay reads a range query's CSV with vLLM's names; a Headroom CSV is refused for a PromQL policy")
    func replayExport() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try CLIMessageTests.temporaryFolder("prom-export")
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines = ["metric,labels,timestamp,value"]
        for i in 0...8 { lines.append(#"vllm:num_requests_running,"{pod=""vllm-0""}",\#(1_700_000_000 + 15 * i),\#(2 * i)"#) }
        let csv = folder.appendingPathComponent("export.csv").path
        try lines.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let replay = try CLIMessageTests.capture(["policy", "replay", "--policy", "scenarios/llm-signals/kserve-running-value.yaml",
                                                  "--metrics", csv])
        #expect(replay.status == 0, "\(replay.err)")
        #expect(replay.out.contains("vllm:num_requests_running") && replay.out.contains("ready   1"), "\(replay.out)")
        let refused = try CLIMessageTests.capture(["policy", "replay", "--policy", "scenarios/llm-signals/kserve-running-value.yaml",
                                                   "--metrics", "notebooks-data/example-metrics.csv"])
        #expect(refused.status == 1 && refused.err.contains("replay it on a Prometheus export"), "\(refused.err)")
    }
}
