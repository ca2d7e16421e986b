import Testing
@testable import Headroom

/// Errors in an overridden scenario (`--set`, a sweep's `set:` and `grid:`) name the override, or
/// the line of the file as written, never a line of the re-serialized YAML.
@Suite("Override messages")
struct ScenarioOverrideMessagesTests {
    static let yaml = """
        # a comment that the re-serialized text drops, so its lines shift
        name: overrides
        duration: 10m
        workload:
          arrivals: {process: poisson, rate: 5/s}
          prompt_tokens: {dist: constant, value: 100}
          output_tokens: {dist: constant, value: 50}
        model: {name: llama-3.1-8b, weights: 16GB, kv_bytes_per_token: 128KiB}
        profile: h100-llama3.1-8b-tp1
        node_pools:
          - {name: h100, gpu: H100-80GB, gpus_per_node: 8, gpu_memory: 80GB, price_per_hour: 98.32, max_nodes: 1}
        replica: {gpus: 1}
        policy: {kind: fixed, replicas: 1, warm: true}
        slo: {ttft: 2x, itl: 100ms}
        """

    func error(after overrides: [(String, String)], in yaml: String = Self.yaml) -> ScenarioError? {
        var document = ScenarioDocument(yaml: yaml, file: "s.yaml")
        do {
            for (path, value) in overrides { try document.set(path, to: value) }
            _ = try document.scenario()
            return nil
        } catch {
            return error
        }
    }

    @Test("a bad value written by an override names the override and no line")
    func badOverrideValue() throws {
        let fixed = Self.yaml.replacingOccurrences(of: "2x", with: "2s")
        let error = try #require(self.error(after: [("node_pools[0].max_nodes", "many")], in: fixed))
        #expect(error.file == "s.yaml" && error.line == nil)
        #expect(error.path == "node_pools[0].max_nodes")
        #expect(error.message.hasSuffix("(set by the override of `node_pools[0].max_nodes`)"))
    }

    @Test("an unknown key added by an override names the override")
    func unknownKeyFromOverride() throws {
        let fixed = Self.yaml.replacingOccurrences(of: "2x", with: "2s")
        let error = try #require(self.error(after: [("workload.burstiness.level", "3")], in: fixed))
        #expect(error.line == nil && error.path == "workload.burstiness")
        #expect(error.message.contains("unknown key `burstiness`") && error.message.contains("override of `workload.burstiness.level`"))
    }

    @Test("an error in the file itself keeps the file's own line under an unrelated override")
    func baseErrorKeepsItsLine() throws {
        let plain = try #require(error(after: []))
        let overridden = try #require(error(after: [("duration", "5m")]))
        #expect(plain.line == 14 && plain.column == 13)
        #expect(overridden == plain)
    }

    @Test("an index out of range names the file")
    func indexOutOfRange() throws {
        let error = try #require(self.error(after: [("node_pools[3].max_nodes", "2")]))
        #expect(error.file == "s.yaml" && error.path == "node_pools[3].max_nodes")
        #expect(error.message == "index 3 is out of range (the list has 1 items)")
    }
}
