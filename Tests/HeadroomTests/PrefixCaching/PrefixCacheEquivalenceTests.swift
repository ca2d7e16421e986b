import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// The batching-equivalence and property checks with prefix caching on: multi-turn
/// conversations whose prompts repeat their history, on replicas whose caches fill and evict.
@Suite("Prefix caching: equivalence and properties")
struct PrefixCacheEquivalenceTests {
    /// The batching-equivalence scenario for `seed`, its traffic made conversations and its
    /// replicas given a finite KV cache with prefix caching (block sizes and routers drawn too).
    static func cachingScenario(seed: Int, form: HardwareProfile.Form = .linear) -> Scenario {
        var scenario = BatchingEquivalenceTests.randomScenario(seed: seed, form: form)
        var random = RandomStream(seed: UInt64(seed), name: "prefix-scenario")
        func pick<T>(_ options: [T]) -> T { options[random.nextIndex(below: options.count)] }
        var workload = scenario.deployments[0].workload
        workload.promptTokens = try! Distribution(.lognormal(median: 120, sigma: 1), max: 1500)
        workload.conversation = ConversationSpec(
            turns: try! Distribution(.uniform(low: 1, high: 6)), thinkTime: try! Distribution(.exponential(mean: pick([0.5, 3]))))
        scenario.deployments[0].workload = workload
        var engine = scenario.deployments[0].replica.engine
        engine.prefixCaching = true
        engine.blockSize = pick([1, 16, 48, 512])
        engine.kvCacheTokens = pick([.tokens(4000), .tokens(12_000), .tokens(60_000)])
        scenario.deployments[0].replica.engine = engine
        scenario.deployments[0].router.strategy = pick([.leastOutstanding, .cacheAware, .cacheAware, .sessionAffinity])
        // Queue timeouts with a per-replica cap included: seed 309 once found the engines apart
        // (the activator drained when a request finished, not when one timed out).
        return scenario
    }

    @Test("fast and naive engines give identical per-request times with prefix caching", arguments: 0..<20)
    func identical(seed: Int) {
        let scenario = Self.cachingScenario(seed: 300 + seed)
        BatchingEquivalenceTests.expectSameResults(scenario)
    }

    @Test("the table form with prefix caching: identical per-request times", arguments: 0..<8)
    func identicalTable(seed: Int) {
        BatchingEquivalenceTests.expectSameResults(Self.cachingScenario(seed: 400 + seed, form: .table))
    }

    @Test("the generated scenarios hit the cache and preempt")
    func coverage() {
        var hits = 0, preempting = 0, rates: [Double] = []
        for seed in 300..<320 {
            let result = Simulation.run(Self.cachingScenario(seed: seed), options: RunOptions())
            let cache = result.summary.prefixCache!
            #expect(cache.hitTokens <= cache.queriedTokens)
            rates.append(cache.hitRate)
            if cache.hitRate > 0.1 { hits += 1 }
            if result.summary.preemptions > 0 { preempting += 1 }
        }
        #expect(hits >= 8 && preempting >= 3, "hits \(hits), preempting \(preempting), rates \(rates)")
    }

    static let autoscaledYAML = """
    name: conversations
    duration: 10m
    seed: SEED
    workload:
      arrivals: {process: poisson, rate: 30/m}
      prompt_tokens: {dist: lognormal, median: 400, sigma: 0.8, max: 4000}
      output_tokens: {dist: lognormal, median: 150, sigma: 0.6, max: 1000}
      conversation: {turns: {dist: uniform, low: 2, high: 8}, think_time: {dist: exponential, mean: 20s}}
    model: {name: test, weights: 16GB, kv_bytes_per_token: 128KiB}
    profile: h100-llama3.1-8b-tp1
    node_pools:
      - {name: h100, gpu: H100-80GB, gpus_per_node: 2, price_per_hour: 10, provisioning: 30s, max_nodes: 3}
    replica:
      engine: {prefix_caching: true, block_size: 16, kv_cache_tokens: 30000, max_num_seqs: 16}
    router: {strategy: ROUTER}
    policy:
      kind: kpa
      annotations: {autoscaling.knative.dev/target: "4", autoscaling.knative.dev/max-scale: "6"}
    """

    static func autoscaled(seed: Int, router: String) throws -> Scenario {
        let yaml = autoscaledYAML.replacingOccurrences(of: "SEED", with: "\(seed)").replacingOccurrences(of: "ROUTER", with: router)
        return try ScenarioDocument(yaml: yaml, file: "conversations.yaml").scenario()
    }

    @Test("autoscaled conversations: every request accounted for, same seed same results", arguments: 0..<6)
    func conservationAndDeterminism(seed: Int) throws {
        let router = ["cache_aware", "least_outstanding", "session_affinity"][seed % 3]
        let scenario = try Self.autoscaled(seed: seed, router: router)
        let first = Simulation.run(scenario, options: RunOptions(requestSample: 10_000))
        #expect(first.brokenInvariant == nil, "\(first.brokenInvariant ?? "")")
        let r = first.summary.requests
        #expect(r.arrived > 100 && r.finished + r.dropped + r.inFlight == r.arrived)
        let cache = try #require(first.summary.prefixCache)
        // Conversations repeat their history; a least-outstanding router scatters a session's turns.
        #expect(cache.hitRate > (router == "least_outstanding" ? 0.1 : 0.3), "\(router): \(cache.hitRate)")
        #expect(cache.replicas.reduce(0) { $0 + $1.hitTokens } == cache.hitTokens)
        let second = Simulation.run(scenario, options: RunOptions(requestSample: 10_000))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(first) == encoder.encode(second))
    }

    @Test("turning prefix caching off gives back the run without it, result for result")
    func offIsUnchanged() throws {
        var scenario = BatchingEquivalenceTests.randomScenario(seed: 7)
        let before = Simulation.run(scenario, options: RunOptions(requestSample: 10_000))
        scenario.deployments[0].replica.engine.prefixCaching = false
        scenario.deployments[0].replica.engine.blockSize = 512
        let after = Simulation.run(scenario, options: RunOptions(requestSample: 10_000))
        #expect(before.requests == after.requests && before.summary == after.summary)
    }
}
