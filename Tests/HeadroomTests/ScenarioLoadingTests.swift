import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

@Suite("Scenario loading")
struct ScenarioLoadingTests {
    static let valid = """
        name: test
        duration: 10m
        workload:
          arrivals: {process: poisson, rate: 5/s}
          prompt_tokens: {dist: lognormal, median: 500, sigma: 0.5, max: 4000}
          output_tokens: 100
        model:
          name: llama
          weights: 16GB
          kv_bytes_per_token: 128KiB
        profile: h100-llama3-8b
        node_pools:
          - name: h100
            gpu: H100
            price_per_hour: 98.32
            provisioning: {dist: uniform, low: 1m, high: 3m}
        replica:
          engine:
            max_num_seqs: 64
        policy: {kind: fixed, replicas: 2}
        """

    func error(_ yaml: String) -> ScenarioError? {
        do {
            _ = try Scenario.parse(yaml: yaml, file: "s.yaml")
            return nil
        } catch {
            return error
        }
    }

    func replacing(_ old: String, _ new: String) -> String {
        precondition(Self.valid.contains(old))
        return Self.valid.replacingOccurrences(of: old, with: new)
    }

    @Test("a valid scenario loads with its defaults filled in")
    func valid() throws {
        let scenario = try Scenario.parse(yaml: Self.valid)
        #expect(scenario.duration == .minutes(10))
        #expect(scenario.seed == 1)
        #expect(scenario.workload.arrivals == .poisson(rate: 5))
        #expect(scenario.nodePools[0].gpusPerNode == 8)
        #expect(scenario.replica.engine.maxNumSeqs == 64)
        #expect(scenario.replica.engine.maxNumBatchedTokens == 8192)
        #expect(scenario.model.kvBytesPerToken == 131_072)
        #expect(scenario.profile.name == "h100-llama3-8b")
        // (80 GB × 0.9 − 16 GB) / 128 KiB
        #expect(scenario.kvCapacityTokens == Int64((72e9 - 16e9) / 131_072))
    }

    @Test("an unknown key is an error with a suggestion, the file, line and key path")
    func unknownKey() throws {
        let error = try #require(self.error(replacing("max_num_seqs: 64", "max_num_seq: 64")))
        #expect(error.file == "s.yaml")
        #expect(error.line == 19)
        #expect(error.path == "replica.engine.max_num_seq")
        #expect(error.message.contains("did you mean `max_num_seqs`?"))
        #expect(error.description.hasPrefix("s.yaml:19:5: replica.engine.max_num_seq: unknown key"))
    }

    @Test("values are range-checked and units required", arguments: [
        ("rate: 5/s", "rate: -5/s", "workload.arrivals.rate", "must not be negative"),
        ("rate: 5/s", "rate: 5", "workload.arrivals.rate", "expected a rate"),
        ("duration: 10m", "duration: 600", "duration", "with a unit"),
        ("duration: 10m", "duration: 0s", "duration", "longer than zero"),
        ("weights: 16GB", "weights: 16", "model.weights", "expected a size"),
        ("max_num_seqs: 64", "max_num_seqs: 0", "replica.engine.max_num_seqs", "between 1 and"),
        ("max_num_seqs: 64", "max_num_seqs: lots", "replica.engine.max_num_seqs", "expected a whole number"),
        ("profile: h100-llama3-8b", "profile: h100-llama-8b", "profile", "did you mean `h100-llama3-8b`"),
        ("process: poisson", "process: posson", "workload.arrivals.process", "did you mean `poisson`"),
        ("sigma: 0.5", "sigma: -1", "workload.prompt_tokens.sigma", "between"),
        ("low: 1m, high: 3m", "low: 3m, high: 1m", "node_pools[0].provisioning", "must not exceed high"),
        ("kind: fixed, replicas: 2", "kind: fixed", "policy", "missing required key `replicas`"),
        ("kind: fixed, replicas: 2", "kind: hpx, replicas: 2", "policy.kind", "did you mean `hpa`? allowed: fixed, hpa, kpa"),
        ("price_per_hour: 98.32", "price_per_hour: -1", "node_pools[0].price_per_hour", "between"),
    ])
    func rangeChecks(old: String, new: String, path: String, message: String) throws {
        let error = try #require(self.error(replacing(old, new)))
        #expect(error.path == path)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.line != nil)
    }

    @Test("cross-section rules name the key to change")
    func crossSection() throws {
        let tooBig = try #require(error(replacing("weights: 16GB", "weights: 140GB")))
        #expect(tooBig.path == "model")
        #expect(tooBig.message.contains("does not fit"))
        let noPool = try #require(error(replacing("  engine:\n", "  node_pool: a100\n  engine:\n")))
        #expect(noPool.path == "replica.node_pool")
        #expect(noPool.message.contains("pools: h100"))
        let tooManyGPUs = try #require(error(replacing("  engine:\n", "  gpus: 16\n  engine:\n")))
        #expect(tooManyGPUs.message.contains("nodes of pool `h100` have 8"))
    }

    @Test("broken YAML, an empty file and a missing file are clear errors")
    func unreadable() throws {
        #expect(error("name: [unclosed")?.message.contains("not valid YAML") == true)
        #expect(error("")?.message.contains("empty") == true)
        #expect(error("- just\n- a list")?.message.contains("expected a mapping") == true)
        do {
            _ = try Scenario.load(file: "/nonexistent/scenario.yaml")
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect(error.description.contains("/nonexistent/scenario.yaml"))
            #expect(error.message.contains("cannot read"))
        }
    }

    static var shippedScenarios: [String] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scenarios").standardized
        let walker = FileManager.default.enumerator(atPath: folder.path)
        // `*.va.yaml`: pasted llm-d VariantAutoscaling objects a scenario's `variant_autoscaling` names.
        return (walker?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".va.yaml") && !$0.hasPrefix("sweeps/") }.sorted()
            .map { folder.appendingPathComponent($0).path }
    }

    @Test("there are shipped scenarios to check")
    func shippedScenariosFound() {
        #expect(Self.shippedScenarios.count >= 12)
    }

    /// One case per file, so that the files run in parallel.
    @Test("every shipped scenario loads, states its question, and runs five minutes (a benchmark one second) with its books balanced",
          arguments: shippedScenarios)
    func shippedScenario(_ file: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("# Question:"), "\(file) does not start with the question it answers")
        #expect(text.contains("# Look at:") || text.contains("Look at:"), "\(file) does not say what to look at")
        var scenario = try Scenario.load(file: file)
        // The benchmarks are sized for release builds (the fleet: 20,000 req/s on 7,000 replicas).
        scenario.duration = file.contains("/benchmark-") ? .seconds(1) : .minutes(5)
        if case var .oracle(spec) = scenario.policy {
            spec.probeDuration = .minutes(1)
            scenario.policy = .oracle(spec)
        }
        let result = Simulation.run(scenario)
        #expect(result.brokenInvariant == nil, "\(file): \(result.brokenInvariant ?? "")")
    }
}

@Suite("Units")
struct UnitsTests {
    @Test("sizes, bandwidths and rates")
    func parse() {
        #expect(Units.bytes("20GB") == 20e9)
        #expect(Units.bytes("1.5GiB") == 1.5 * 1_073_741_824)
        #expect(Units.bytes("128KiB") == 131_072)
        #expect(Units.bytes("512B") == 512)
        #expect(Units.bytes("20") == nil)
        #expect(Units.bandwidth("1.5GB/s") == 1.5e9)
        #expect(Units.bandwidth("10Gbit/s") == 1.25e9)
        #expect(Units.bandwidth("1.5GB") == nil)
        #expect(Units.rate("40/s") == 40)
        #expect(Units.rate("120/m") == 2)
        #expect(Units.rate("36/h") == 0.01)
        #expect(Units.rate("40") == nil)
        #expect(Units.rate("40/week") == nil)
    }
}
