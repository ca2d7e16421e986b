import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Deployments that share one model's traffic (`shares_traffic_with`), as llm-d's variants behind
/// one InferencePool: one workload and router over every member's ready replicas, each member
/// scaled, placed and billed on its own.
@Suite("Deployments sharing one model's traffic")
struct SharedTrafficTests {
    static let pools = [
        NodePoolSpec(name: "h100", gpu: "H100-80GB", gpusPerNode: 1, pricePerHour: 4, provisioning: .constant(30), maxNodes: 4),
        NodePoolSpec(name: "a100", gpu: "A100-80GB", gpusPerNode: 1, pricePerHour: 2, provisioning: .constant(30), maxNodes: 4),
    ]
    /// Half the H100 profile's speed.
    static let slowProfile = HardwareProfile(
        name: "slow", source: "test", base: .milliseconds(20), perSequence: .milliseconds(2),
        perPrefillToken: .microseconds(200), perContextToken: .zero)

    static func pair(owner: PolicySpec, member: PolicySpec, rate: Double = 4) -> Scenario {
        var h100 = DeploymentsTests.deployment("llama-h100", owner, rate: rate, pools: ["h100"])
        h100.model = ModelSpec(name: "llama", weightsBytes: 16e9, kvBytesPerToken: 131_072)
        var a100 = h100
        a100.name = "llama-a100"
        a100.policy = member
        a100.replica.nodePools = ["a100"]
        a100.profile = slowProfile
        a100.sharesTrafficWith = "llama-h100"
        return DeploymentsTests.cluster([h100, a100], pools: pools, duration: .minutes(10))
    }

    static func warm(_ replicas: Int) -> PolicySpec { .fixed(FixedPolicy(replicas: replicas, warm: true)) }

    @Test("one workload, counted once: the router spreads it over both deployments' replicas; each serves and pays for its share")
    func oneWorkloadTwoDeployments() throws {
        let result = Simulation.run(Self.pair(owner: Self.warm(1), member: Self.warm(1)))
        #expect(result.brokenInvariant == nil)
        let owner = try DeploymentsTests.named(result, "llama-h100"), member = try DeploymentsTests.named(result, "llama-a100")
        #expect(owner.requests.arrived == result.summary.requests.arrived && owner.requests.arrived > 2000)
        #expect(member.requests.arrived == 0, "its requests are counted under the deployment whose traffic it shares")
        #expect(member.sharesTrafficWith == "llama-h100" && owner.sharesTrafficWith == nil)
        let a = try #require(owner.servedTokens), b = try #require(member.servedTokens)
        #expect(a.output > 0 && b.output > 0, "both replicas serve")
        #expect(a.output + b.output == result.summary.tokens.output && a.prompt + b.prompt == result.summary.tokens.prompt)
        // Least outstanding over one fast and one slow replica: the slow one holds requests longer
        // and gets fewer of them.
        #expect(a.output > b.output)
        #expect(abs(member.cost.perMillionOutputTokens - member.cost.dollars / Double(b.output) * 1e6) < 1e-9)
        let attributed = owner.cost.dollars + member.cost.dollars + (result.summary.cost.unattributedDollars ?? 0)
        #expect(abs(attributed - result.summary.cost.dollars) < 1e-9)
        #expect(member.gpuSecondsByPool.keys.sorted() == ["a100"] && owner.gpuSecondsByPool.keys.sorted() == ["h100"])
    }

    @Test("the deployment owning the traffic may have no replicas: the other serves all of it")
    func ownerAtZero() throws {
        let result = Simulation.run(Self.pair(owner: .fixed(FixedPolicy(replicas: 0, warm: true)), member: Self.warm(2)))
        #expect(result.brokenInvariant == nil)
        let member = try DeploymentsTests.named(result, "llama-a100")
        #expect(result.summary.requests.finished > 2000 && result.summary.requests.dropped == 0)
        #expect(member.servedTokens?.output == result.summary.tokens.output)
    }

    @Test("a request reaching a traffic group scaled to zero wakes every member whose policy starts on the first request")
    func scaleFromZeroWakesTheMember() throws {
        var spec = KPASpec()
        spec.initialScale = 0  // starts at zero: only the first request's poke scales it up
        let kpa = PolicySpec.kpa(KnativePodAutoscaler(spec: spec))
        let result = Simulation.run(Self.pair(owner: .fixed(FixedPolicy(replicas: 0, warm: true)), member: kpa, rate: 1))
        #expect(result.brokenInvariant == nil)
        let member = try DeploymentsTests.named(result, "llama-a100")
        #expect(member.coldStarts.completed >= 1 && result.summary.requests.finished > 300)
    }

    @Test("shared traffic: the fast engine and the per-iteration one agree; the same seed gives the same JSON", arguments: [UInt64(1), 2])
    func equivalenceAndDeterminism(seed: UInt64) throws {
        var scenario = Self.pair(owner: .kpa(KnativePodAutoscaler(spec: KPASpec())), member: DeploymentsTests.scripted(1, until: .minutes(6)), rate: 6)
        scenario.seed = seed
        let fast = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: true, requestSample: 1_000_000))
        let naive = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: false, requestSample: 1_000_000))
        #expect(fast.requests == naive.requests && fast.decisions == naive.decisions && fast.series == naive.series)
        #expect(fast.summary.deployments == naive.summary.deployments)
        #expect(fast.brokenInvariant == nil)
        let again = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: true, requestSample: 1_000_000))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(fast) == encoder.encode(again))
    }

    static let yaml = TwoDeploymentScenario.sharedTraffic

    @Test("YAML: the member inherits model, workload, router and SLO; it may not restate them (or another model)")
    func yamlForm() throws {
        let scenario = try Scenario.parse(yaml: Self.yaml)
        #expect(scenario.deployments[1].sharesTrafficWith == "llama-h100")
        #expect(scenario.deployments[1].model.name == "llama-3-8b")
        let result = Simulation.run(scenario)
        #expect(result.brokenInvariant == nil && result.summary.requests.finished > 400)

        func refusal(_ text: String) -> String {
            do {
                _ = try Scenario.parse(yaml: text)
                return "accepted"
            } catch { return error.description }
        }
        let workload = Self.yaml.replacingOccurrences(
            of: "    shares_traffic_with: llama-h100\n",
            with: "    shares_traffic_with: llama-h100\n    workload: {arrivals: {process: poisson, rate: 1/s}}\n")
        #expect(refusal(workload).contains("`workload` belongs to `llama-h100`"))
        let unknown = Self.yaml.replacingOccurrences(of: "shares_traffic_with: llama-h100", with: "shares_traffic_with: llama")
        #expect(refusal(unknown).contains("no deployment named `llama` is listed above this one; listed above: llama-h100"))
        let otherModel = Self.yaml.replacingOccurrences(
            of: "    shares_traffic_with: llama-h100\n",
            with: "    shares_traffic_with: llama-h100\n    model: {name: qwen, weights: 16GB, kv_bytes_per_token: 128KiB}\n")
        #expect(refusal(otherModel).contains("serves model `llama-3-8b`"))
        let chained = Self.yaml + """

              - name: llama-h200
                shares_traffic_with: llama-a100
                profile: h100-llama3.1-8b-tp1
                policy: {kind: fixed, replicas: 1}
            """
        #expect(refusal(chained).contains("`llama-a100` itself shares the traffic of `llama-h100`; name `llama-h100` instead"))
    }
}

/// `placement: cost_per_token` ranks a deployment's pools by what a full decode batch costs per token.
@Suite("Placement by cost per token")
struct CostPerTokenPlacementTests {
    @Test("the ranking figure by hand: price share over a full batch's tokens per hour; the cheaper per token is tried first")
    func rankingByHand() throws {
        var deployment = DeploymentsTests.deployment("llama", .fixed(FixedPolicy(replicas: 1, warm: true)), pools: ["h100", "a100"])
        deployment.profilesByGPU = ["A100-80GB": SharedTrafficTests.slowProfile]
        deployment.replica.placement = .costPerToken
        let pools = SharedTrafficTests.pools
        // H100: 256 sequences (max_num_seqs; the KV cache is unlimited) iterate in 10 ms + 256 × 1 ms
        // = 266 ms; $4/h → 4 × 0.266 / 256 / 3600 × 1e6 = $1.15451 per million tokens.
        #expect(abs(deployment.costPerMillionTokens(on: pools[0]) - 4 * 0.266 / 256 / 3600 * 1e6) < 1e-9)
        // A100: 20 ms + 256 × 2 ms = 532 ms at $2/h: the same $1.15451; a tie keeps the written order.
        #expect(abs(deployment.costPerMillionTokens(on: pools[1]) - 2 * 0.532 / 256 / 3600 * 1e6) < 1e-9)
        #expect(deployment.poolIndices(in: pools) == [0, 1])
        var cheaper = pools
        cheaper[1].pricePerHour = 1.5
        #expect(deployment.poolIndices(in: cheaper) == [1, 0])
        deployment.replica.placement = .inOrder
        #expect(deployment.poolIndices(in: cheaper) == [0, 1])
        // Listing no pools ranks every pool the replica fits on.
        deployment.replica.placement = .costPerToken
        deployment.replica.nodePools = []
        #expect(deployment.poolIndices(in: cheaper) == [1, 0])

        deployment.replica.nodePools = ["h100", "a100"]
        let result = Simulation.run(DeploymentsTests.cluster([deployment], pools: cheaper))
        #expect(result.brokenInvariant == nil)
        #expect(result.nodes.map(\.pool) == ["a100"], "the warm replica went to the cheaper-per-token pool")
    }

    @Test("YAML: `placement` takes in_order or cost_per_token")
    func yaml() throws {
        let text = SharedTrafficTests.yaml.replacingOccurrences(of: "replica: {node_pool: h100}", with: "replica: {node_pools: [h100, a100], placement: cheapest}")
        do {
            _ = try Scenario.parse(yaml: text)
            Issue.record("an unknown placement was accepted")
        } catch {
            #expect(error.description.contains("unknown placement `cheapest`; allowed: in_order, cost_per_token"), "\(error)")
        }
        let good = try Scenario.parse(yaml: text.replacingOccurrences(of: "cheapest", with: "cost_per_token"))
        #expect(good.deployments[0].replica.placement == .costPerToken)
    }
}

@Suite("Shipped WVA scenario")
struct WVAScenarioTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../scenarios/fleets/wva-h100-a100.yaml").standardized.path

    @Test("wva-h100-a100: the variants share one workload; WVA adds replicas on the cheaper A100 variant only; nothing is lost")
    func cheaperVariantGrows() throws {
        var scenario = try Scenario.load(file: Self.file)
        scenario.duration = .minutes(50)  // through the first burst (30–40 min)
        let result = Simulation.run(scenario)
        #expect(result.brokenInvariantIncludingNodes == nil, "\(result.brokenInvariantIncludingNodes ?? "")")
        let h100 = try DeploymentsTests.named(result, "llama-h100"), a100 = try DeploymentsTests.named(result, "llama-a100")
        #expect(h100.requests.arrived == result.summary.requests.arrived && a100.requests.arrived == 0)
        #expect(h100.peakReplicas == 1 && a100.peakReplicas >= 2, "h100 \(h100.peakReplicas), a100 \(a100.peakReplicas)")
        // The gauge each HPA read never moved by more than one between decisions (V1: ±1 a cycle).
        for name in ["llama-h100", "llama-a100"] {
            let read = result.decisions.filter { $0.deployment == name }.compactMap { $0.queryValues?.first?.values.first }
            #expect(!read.isEmpty)
            for (a, b) in zip(read, read.dropFirst()) { #expect(abs(b - a) <= 1, "\(name)") }
        }
    }
}
