import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Prefill/decode disaggregation: a prefill deployment makes each request's first token and
/// hands its KV cache to a decode deployment over a link; TTFT includes the transfer.
@Suite("Prefill/decode disaggregation")
struct DisaggregationTests {
    static let prefillPool = NodePoolSpec(name: "prefill", gpu: "H100-80GB", gpusPerNode: 1, pricePerHour: 4, provisioning: .constant(30), maxNodes: 4)
    static let decodePool = NodePoolSpec(name: "decode", gpu: "H100-80GB", gpusPerNode: 1, pricePerHour: 4, provisioning: .constant(30), maxNodes: 4)
    static let kvBytes = 131_072.0

    static func pair(prefill: Int = 1, decode: Int = 1, workload: WorkloadSpec, samePool: Bool = false) -> Scenario {
        let warm = { (n: Int) in PolicySpec.fixed(FixedPolicy(replicas: n, warm: true)) }
        var p = DeploymentsTests.deployment("prefill", warm(prefill), pools: ["prefill"])
        p.model = ModelSpec(name: "llama", weightsBytes: 16e9, kvBytesPerToken: kvBytes)
        p.workload = workload
        p.role = .prefill
        var d = p
        d.name = "decode"
        d.policy = warm(decode)
        d.role = .decode
        d.sharesTrafficWith = "prefill"
        d.replica.nodePools = [samePool ? "prefill" : "decode"]
        var pools = [prefillPool, decodePool]
        if samePool { pools[0].gpusPerNode = 2 }
        return DeploymentsTests.cluster([p, d], pools: pools, duration: .minutes(5))
    }

    /// Requests at the given instants (a trace), `prompt` and `output` tokens each.
    static func requests(at times: [Double], prompt: Int, output: Int) throws -> WorkloadSpec {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pd-\(UUID().uuidString).csv").path
        try ("time,p,o\n" + times.map { "\($0),\(prompt),\(output)\n" }.joined()).write(toFile: path, atomically: true, encoding: .utf8)
        var spec = TraceSpec(file: path, format: .csv)
        spec.columns = TraceSpec.Columns(time: "time", prompt: "p", output: "o")
        return WorkloadSpec(trace: spec)
    }

    @Test("one request by hand: TTFT = its prefill iteration + its KV bytes over the cross-node link + the link's latency")
    func transferByHand() throws {
        let scenario = Self.pair(workload: try Self.requests(at: [5], prompt: 1000, output: 10))
        let result = Simulation.run(scenario, options: RunOptions(requestSample: 10))
        #expect(result.brokenInvariant == nil)
        let first = try #require(result.requests.first)
        // Prefill: 10 ms + 1 ms × 1 sequence + 100 µs × 1,000 tokens = 111 ms (the test profile).
        // Transfer: 1,000 × 131,072 bytes at 50 GB/s = 2.62144 ms, + 20 µs latency.
        let expected = 0.111 + 1000 * Self.kvBytes / 50e9 + 20e-6
        #expect(abs((try #require(first.firstToken)) - first.arrival - expected) < 1e-6, "\(first)")
        // The decode worker makes tokens 2…10: a 1-token step over the prompt's KV (the first
        // token's; 10 ms + 1 ms + 100 µs), then 8 decodes of 11 ms (10 ms + 1 ms × 1 sequence).
        #expect(abs((try #require(first.finished)) - first.arrival - expected - 0.0111 - 8 * 0.011) < 1e-6)
        let kv = try #require(result.summary.disaggregation)
        #expect(kv.transfers == result.summary.requests.arrived && kv.waitedForDecodeWorker == 0)
        #expect(kv.meanDecodeQueueSeconds == 0, "an idle decode worker admits it on arrival")
        #expect(abs(kv.gigabytes - Double(kv.transfers) * 1000 * Self.kvBytes / 1e9) < 1e-6)
    }

    @Test("a link shared by two transfers gives each half: both take twice as long; within a node NVLink is used")
    func contention() throws {
        // Two requests at the same instant: the first starts a prefill iteration at once (211 ms:
        // 10 ms + 1 ms + 100 µs × 2,000), the second follows in the next; both leave the same node
        // for the decode pool, one link, here 1 GB/s. The first moves 0.211 GB alone, then the two
        // share: it ends after 0.051144 / 0.5 = 0.102288 s more; the second then has 0.211 GB left,
        // alone. Each takes 0.313288 s (+ 20 µs), against 0.262144 s alone.
        var shared = Self.pair(decode: 2, workload: try Self.requests(at: [5, 5], prompt: 2000, output: 5))
        shared.kvTransfer.acrossNodes = KVTransferSpec.Link(bandwidth: 1e9, latency: .microseconds(20))
        let result = Simulation.run(shared)
        #expect(result.brokenInvariant == nil)
        let kv = try #require(result.summary.disaggregation)
        #expect(kv.transfers == 2)
        #expect(abs(kv.transferSeconds.max - (0.313288 + 20e-6)) < 2e-6, "\(kv.transferSeconds)")
        #expect(abs(kv.transferSeconds.mean - (0.313288 + 20e-6)) < 2e-6, "both took as long: \(kv.transferSeconds)")

        // Apart, each has the link to itself.
        shared.deployments[0].workload = try Self.requests(at: [5, 50], prompt: 2000, output: 5)
        let apart = try #require(Simulation.run(shared).summary.disaggregation)
        #expect(abs(apart.transferSeconds.max - (0.262144 + 20e-6)) < 2e-6, "\(apart.transferSeconds)")

        let near = Simulation.run(Self.pair(workload: try Self.requests(at: [5], prompt: 2000, output: 5), samePool: true))
        let local = try #require(near.summary.disaggregation)
        #expect(abs(local.transferSeconds.max - (2000 * Self.kvBytes / 450e9 + 10e-6)) < 2e-6, "NVLink: \(local.transferSeconds)")
    }

    @Test("no decode worker ready: prefilled requests wait, then go when one is ready; nothing is lost", arguments: [UInt64(1), 2])
    func waitForDecode(seed: UInt64) throws {
        var scenario = Self.pair(workload: WorkloadSpec(arrivals: .poisson(rate: 2), promptTokens: .constant(500), outputTokens: .constant(50)))
        scenario.deployments[1].policy = .custom(CustomPolicy(name: "late", parameters: [:], policy: Late()))
        scenario.seed = seed
        let result = Simulation.run(scenario)
        #expect(result.brokenInvariant == nil)
        let kv = try #require(result.summary.disaggregation)
        #expect(kv.waitedForDecodeWorker > 0 && result.summary.requests.finished > 400)
    }

    /// No decode replica until 60 s, then one.
    struct Late: ScalingPolicy {
        var syncPeriod: SimTime? { .seconds(1) }
        var startsWarm: Bool { false }
        mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
            ScalingDecision(desiredReplicas: now < .seconds(60) ? 0 : 1, reason: "scripted")
        }
    }

    @Test("disaggregated: the fast engine and the per-iteration one agree; conservation holds; the same seed gives the same JSON",
          arguments: [UInt64(1), 2, 3])
    func equivalence(seed: UInt64) throws {
        let prompts = try Distribution(.lognormal(median: 800, sigma: 0.8), min: 16, max: 8000)
        let outputs = try Distribution(.lognormal(median: 60, sigma: 0.8), min: 1, max: 1000)
        let workload = WorkloadSpec(arrivals: .poisson(rate: 6), promptTokens: prompts, outputTokens: outputs)
        var scenario = Self.pair(prefill: 1, decode: 2, workload: workload)
        scenario.deployments[1].replica.engine = EngineSpec(maxNumSeqs: 16, kvCacheTokens: .tokens(20_000))
        let kpa: PolicySpec = .kpa(KnativePodAutoscaler(spec: KPASpec()))
        scenario.deployments[0].policy = kpa
        scenario.seed = seed
        let fast = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: true, requestSample: 1_000_000))
        let naive = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: false, requestSample: 1_000_000))
        #expect(fast.brokenInvariant == nil)
        #expect(fast.requests.count > 1000)
        #expect(fast.requests == naive.requests && fast.decisions == naive.decisions && fast.series == naive.series)
        #expect(fast.summary.disaggregation == naive.summary.disaggregation)
        let r = fast.summary.requests
        #expect(r.finished + r.dropped + r.inFlight == r.arrived)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let again = Simulation.run(scenario, options: RunOptions(requestSample: 1_000_000))
        let first = try encoder.encode(fast), second = try encoder.encode(again)
        #expect(first == second)
    }

    @Test("disaggregated with prefix caching on the prefill workers and multi-turn conversations: engines agree, nothing is lost, the cache hits",
          arguments: [UInt64(4), 5])
    func cachingAndDisaggregation(seed: UInt64) throws {
        var workload = WorkloadSpec(arrivals: .poisson(rate: 1), promptTokens: .constant(300), outputTokens: .constant(40))
        workload.conversation = ConversationSpec(turns: .constant(4), thinkTime: .constant(5))
        var scenario = Self.pair(prefill: 2, decode: 2, workload: workload)
        scenario.deployments[0].replica.engine = EngineSpec(maxNumSeqs: 8, kvCacheTokens: .tokens(30_000), prefixCaching: true)
        scenario.deployments[1].replica.engine = EngineSpec(maxNumSeqs: 8, kvCacheTokens: .tokens(12_000))
        scenario.deployments[0].router = RouterSpec(strategy: .cacheAware)
        scenario.seed = seed
        let fast = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: true, requestSample: 1_000_000))
        let naive = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: false, requestSample: 1_000_000))
        #expect(fast.brokenInvariant == nil)
        #expect(fast.requests == naive.requests && fast.decisions == naive.decisions && fast.series == naive.series)
        #expect(fast.summary.prefixCache == naive.summary.prefixCache && fast.summary.disaggregation == naive.summary.disaggregation)
        let r = fast.summary.requests
        #expect(r.finished + r.dropped + r.inFlight == r.arrived && r.finished > 500)
        #expect((fast.summary.prefixCache?.hitRate ?? 0) > 0.3, "later turns find their history cached: \(String(describing: fast.summary.prefixCache))")
    }

    static let yaml = """
        name: pd
        duration: 2m
        node_pools:
          - {name: h100, gpu: H100-80GB, gpus_per_node: 8, price_per_hour: 98.32, provisioning: 2m, max_nodes: 1, initial_nodes: 1}
          - {name: far, gpu: H100-80GB, gpus_per_node: 8, price_per_hour: 98.32, provisioning: 2m, max_nodes: 1}
        kv_transfer:
          same_node: {bandwidth: 400GB/s, latency: 5us}
          across_nodes: {bandwidth: 25GB/s}
          pools: [{from: h100, to: far, bandwidth: 12.5GB/s, latency: 40us}]
        deployments:
          - name: prefill
            role: prefill
            workload: {arrivals: {process: poisson, rate: 4/s}, prompt_tokens: 1000, output_tokens: 100}
            model: {name: llama-3.1-8b, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3.1-8b-tp1
            policy: {kind: fixed, replicas: 1}
          - name: decode
            shares_traffic_with: prefill
            role: decode
            profile: h100-llama3.1-8b-tp1
            policy: {kind: fixed, replicas: 1}
        """

    @Test("YAML: roles and kv_transfer links; a prefill deployment without a decode one, or a decode one without a prefill owner, is refused")
    func yamlForm() throws {
        let scenario = try Scenario.parse(yaml: Self.yaml)
        #expect(scenario.deployments.map(\.role) == [.prefill, .decode])
        #expect(scenario.kvTransfer.sameNode == KVTransferSpec.Link(bandwidth: 400e9, latency: .microseconds(5)))
        #expect(scenario.kvTransfer.acrossNodes == KVTransferSpec.Link(bandwidth: 25e9, latency: .microseconds(20)))
        #expect(scenario.kvTransfer.across(from: "h100", to: "far") == KVTransferSpec.Link(bandwidth: 12.5e9, latency: .microseconds(40)))
        #expect(Simulation.run(scenario).brokenInvariant == nil)

        func refusal(_ text: String) -> String {
            do {
                _ = try Scenario.parse(yaml: text)
                return "accepted"
            } catch { return error.description }
        }
        let alone = Self.yaml.replacingOccurrences(of: "    role: decode\n", with: "")
        #expect(refusal(alone).contains("prefill deployment `prefill` needs a decode deployment"))
        let third = Self.yaml + """

              - name: plain
                shares_traffic_with: prefill
                profile: h100-llama3.1-8b-tp1
                policy: {kind: fixed, replicas: 1}
            """
        #expect(refusal(third).contains("is a prefill deployment: a deployment sharing its traffic is `role: prefill` or `role: decode`"))
        let noPrefill = Self.yaml.replacingOccurrences(of: "    role: prefill\n", with: "")
        #expect(refusal(noPrefill).contains("a decode deployment takes the requests of a prefill deployment"))
        let lonely = Self.yaml.components(separatedBy: "  - name: decode")[0]
        #expect(refusal(lonely).contains("prefill deployment `prefill` needs a decode deployment"))
        #expect(refusal(Self.yaml.replacingOccurrences(of: "role: decode", with: "role: decoder")).contains("unknown role `decoder`; allowed: aggregated, prefill, decode"))
        #expect(refusal(Self.yaml.replacingOccurrences(of: "to: far", with: "to: near")).contains("no node pool named `near`"))
    }
}
