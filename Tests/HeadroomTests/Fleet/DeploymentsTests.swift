import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Several deployments on one cluster: they compete for GPUs as Kubernetes Deployments do, each
/// keeps its own books, and the cluster's books are theirs added up.
@Suite("Several deployments share a cluster")
struct DeploymentsTests {
    /// Wants `replicas` until `until`, none after.
    struct Until: ScalingPolicy {
        let replicas: Int
        let until: SimTime
        var syncPeriod: SimTime? { .seconds(1) }
        var startsWarm: Bool { false }
        mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
            ScalingDecision(desiredReplicas: now < until ? replicas : 0, reason: "scripted")
        }
    }

    static let onePool = NodePoolSpec(
        name: "h100", gpu: "H100-80GB", gpusPerNode: 1, pricePerHour: 4, provisioning: .constant(60), maxNodes: 1, initialNodes: 1)

    static func deployment(
        _ name: String, _ policy: PolicySpec, priority: Int = 0, rate: Double = 0.2, pools: [String] = [],
        profile: HardwareProfile = TestScenario.simpleProfile
    ) -> Deployment {
        var replica = TestScenario.quickStartReplica
        replica.engine = EngineSpec(kvCacheTokens: .unlimited)
        replica.nodePools = pools
        var deployment = Deployment(
            name: name, workload: WorkloadSpec(arrivals: .poisson(rate: rate), promptTokens: .constant(100), outputTokens: .constant(20)),
            model: ModelSpec(name: "model-\(name)", weightsBytes: 16e9, kvBytesPerToken: 131_072), profile: profile,
            replica: replica, policy: policy)
        deployment.priority = priority
        return deployment
    }

    static func scripted(_ replicas: Int, until: SimTime) -> PolicySpec {
        .custom(CustomPolicy(name: "until", parameters: [:], policy: Until(replicas: replicas, until: until)))
    }

    static func cold(_ replicas: Int) -> PolicySpec { .fixed(FixedPolicy(replicas: replicas, warm: false)) }

    static func cluster(_ deployments: [Deployment], pools: [NodePoolSpec] = [onePool], duration: SimTime = .minutes(10)) -> Scenario {
        Scenario(name: "cluster", duration: duration, seed: 7, nodePools: pools, deployments: deployments)
    }

    static func named(_ result: RunResult, _ name: String) throws -> DeploymentSummary {
        try #require(result.summary.deployments?.first { $0.name == name })
    }

    @Test("one GPU, three deployments: the first takes it; when it lets go, the higher priority waiting replica gets it")
    func contentionAndPriority() throws {
        let result = Simulation.run(Self.cluster([
            Self.deployment("hog", Self.scripted(1, until: .seconds(100))),
            Self.deployment("low", Self.cold(1)),
            Self.deployment("high", Self.cold(1), priority: 5),
        ]))
        #expect(result.brokenInvariant == nil)
        let hog = try Self.named(result, "hog"), low = try Self.named(result, "low"), high = try Self.named(result, "high")
        #expect(hog.coldStarts.completed == 1)
        #expect(high.coldStarts.completed == 1, "placed when the hog's replica left")
        #expect(low.coldStarts.completed == 0 && low.coldStarts.unfinished == 1, "still waiting: the one GPU is taken")
        let highStart = try #require(result.coldStarts.first { $0.outcome == .ready && $0.requestedAt == .zero && $0.waitedForNode })
        // It waited from 0 until the hog's replica drained at 100 s (its last requests take < 1 s).
        #expect(highStart.pendingSeconds >= 100 && highStart.pendingSeconds < 101)
        #expect(low.requests.finished == 0 && high.requests.finished > 0)

        // The same without priorities: the older waiting replica goes first.
        let fair = Simulation.run(Self.cluster([
            Self.deployment("hog", Self.scripted(1, until: .seconds(100))),
            Self.deployment("low", Self.cold(1)),
            Self.deployment("high", Self.cold(1)),
        ]))
        #expect(try Self.named(fair, "low").coldStarts.completed == 1)
        #expect(try Self.named(fair, "high").coldStarts.completed == 0)
    }

    @Test("the deployments' costs and the unattributed dollars add up to the bill; their GPU-seconds to the cluster's held ones")
    func costAttribution() throws {
        let pool = NodePoolSpec(name: "h100", gpu: "H100-80GB", gpusPerNode: 2, pricePerHour: 8, provisioning: .constant(90), maxNodes: 4)
        let result = Simulation.run(Self.cluster([
            Self.deployment("chat", Self.scripted(3, until: .minutes(6)), rate: 2),
            Self.deployment("batch", Self.cold(2), rate: 1),
        ], pools: [pool], duration: .minutes(20)))
        #expect(result.brokenInvariant == nil)
        let deployments = try #require(result.summary.deployments)
        let attributed = deployments.reduce(0) { $0 + $1.cost.dollars }
        let unattributed = try #require(result.summary.cost.unattributedDollars)
        #expect(abs(attributed + unattributed - result.summary.cost.dollars) < 1e-9)
        #expect(unattributed > 0, "nodes provisioned and sat empty")
        let cluster = result.summary.gpuSeconds
        let held = deployments.reduce(0) { $0 + $1.gpuSeconds.starting + $1.gpuSeconds.serving + $1.gpuSeconds.idle }
        #expect(abs(held - (cluster.starting + cluster.serving + cluster.idle)) < 1e-6)
        for deployment in deployments {
            #expect(abs(deployment.gpuSecondsByPool.values.reduce(0, +) - deployment.gpuSeconds.total) < 1e-6)
            let r = deployment.requests
            #expect(r.finished + r.dropped + r.inFlight == r.arrived)
            #expect(deployment.cost.perMillionOutputTokens == deployment.cost.dollars / Double(deployment.tokens.output) * 1e6)
        }
        #expect(deployments.reduce(0) { $0 + $1.requests.arrived } == result.summary.requests.arrived)
        #expect(deployments.reduce(0) { $0 + $1.requests.finished } == result.summary.requests.finished)
    }

    @Test("a replica on an A100 node iterates at the A100 profile; one written as the only profile gives the same run")
    func profilePerGPU() throws {
        var slow = TestScenario.simpleProfile
        slow.name = "slow"
        slow.base = .milliseconds(25)
        let a100 = NodePoolSpec(name: "a100", gpu: "A100-80GB", gpusPerNode: 1, pricePerHour: 2, maxNodes: 2, initialNodes: 2)
        let warm = PolicySpec.fixed(FixedPolicy(replicas: 2, warm: true))
        var mapped = Self.deployment("m", warm, rate: 5, pools: ["a100"])
        mapped.profilesByGPU = ["A100-80GB": slow]
        let viaMap = Simulation.run(Self.cluster([mapped], pools: [Self.onePool, a100]))
        let direct = Simulation.run(Self.cluster([Self.deployment("m", warm, rate: 5, pools: ["a100"], profile: slow)], pools: [Self.onePool, a100]))
        #expect(viaMap.summary.ttft == direct.summary.ttft && viaMap.summary.e2e == direct.summary.e2e)
        let fast = Simulation.run(Self.cluster([Self.deployment("m", warm, rate: 5, pools: ["a100"])], pools: [Self.onePool, a100]))
        #expect(viaMap.summary.e2e.mean > fast.summary.e2e.mean * 1.5, "the A100 profile is the slower one")
    }

    @Test("pools are tried in the order a deployment names them: the first fills, the next takes the rest")
    func poolPreference() throws {
        let spot = NodePoolSpec(name: "first", gpu: "H100-80GB", gpusPerNode: 1, pricePerHour: 2, provisioning: .constant(30), maxNodes: 1)
        let rest = NodePoolSpec(name: "second", gpu: "H100-80GB", gpusPerNode: 1, pricePerHour: 4, provisioning: .constant(30), maxNodes: 4)
        let result = Simulation.run(Self.cluster([Self.deployment("d", Self.cold(3), pools: ["first", "second"])], pools: [rest, spot]))
        #expect(result.nodes.map(\.pool) == ["first", "second", "second"])
        #expect(result.summary.coldStarts.completed == 3)
    }

    @Test("one deployment written under `deployments:` runs exactly as the single form")
    func singleFormEquivalence() throws {
        let single = """
            name: s
            duration: 5m
            node_pools: [{name: p, gpu: H100-80GB, price_per_hour: 4, initial_nodes: 1}]
            workload: {arrivals: {process: poisson, rate: 3/s}, prompt_tokens: 200, output_tokens: 50}
            model: {name: llama-3.1-8b, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3.1-8b-tp1
            policy: {kind: kpa}
            """
        let listed = """
            name: s
            duration: 5m
            node_pools: [{name: p, gpu: H100-80GB, price_per_hour: 4, initial_nodes: 1}]
            deployments:
              - name: chat
                workload: {arrivals: {process: poisson, rate: 3/s}, prompt_tokens: 200, output_tokens: 50}
                model: {name: llama-3.1-8b, weights: 16GB, kv_bytes_per_token: 128KiB}
                profile: h100-llama3.1-8b-tp1
                policy: {kind: kpa}
            """
        let a = Simulation.run(try Scenario.parse(yaml: single)), b = Simulation.run(try Scenario.parse(yaml: listed))
        #expect(a.summary == b.summary)
        #expect(a.decisions == b.decisions && a.series == b.series)
    }

    @Test("two deployments: the same seed gives the same result, and each deployment's requests add up")
    func determinism() throws {
        for seed in [UInt64(1), 2, 3] {
            var scenario = Self.cluster([
                Self.deployment("a", .kpa(KnativePodAutoscaler(spec: KPASpec())), rate: 3),
                Self.deployment("b", Self.cold(1), rate: 1),
            ], pools: [NodePoolSpec(name: "h100", gpu: "H100-80GB", gpusPerNode: 2, pricePerHour: 8, provisioning: .constant(45), maxNodes: 2)],
               duration: .minutes(15))
            scenario.seed = seed
            let first = Simulation.run(scenario), second = Simulation.run(scenario)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            #expect(try encoder.encode(first) == encoder.encode(second))
            #expect(first.brokenInvariant == nil)
            for deployment in try #require(first.summary.deployments) {
                let r = deployment.requests
                #expect(r.finished + r.dropped + r.inFlight == r.arrived, "\(deployment.name)")
            }
        }
    }

    @Test("several deployments on two GPU types: the fast engine and the per-iteration one give the same requests, decisions and series",
          arguments: [UInt64(1), 2, 3])
    func engineEquivalence(seed: UInt64) throws {
        var knee = Self.deployment("knee", .kpa(KnativePodAutoscaler(spec: KPASpec())), rate: 4, pools: ["h100", "a100"],
                                   profile: TestScenario.kneeProfile)
        knee.profilesByGPU = ["A100-80GB": TestScenario.tableProfile]
        var scenario = Self.cluster([
            knee,
            Self.deployment("batch", Self.scripted(2, until: .minutes(8)), rate: 2, pools: ["a100"]),
        ], pools: [NodePoolSpec(name: "h100", gpu: "H100-80GB", gpusPerNode: 2, pricePerHour: 8, provisioning: .constant(40), maxNodes: 1),
                   NodePoolSpec(name: "a100", gpu: "A100-80GB", gpusPerNode: 2, pricePerHour: 4, provisioning: .constant(40), maxNodes: 3)],
           duration: .minutes(12))
        scenario.seed = seed
        let fast = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: true, requestSample: 1_000_000))
        let naive = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: false, requestSample: 1_000_000))
        #expect(fast.requests.count > 100)
        #expect(fast.requests == naive.requests)
        #expect(fast.decisions == naive.decisions && fast.series == naive.series)
        #expect(fast.summary.deployments == naive.summary.deployments)
        #expect(fast.brokenInvariant == nil)
    }

    @Test("preempt_lower_priority: the waiting high-priority replica evicts a lower one, which drains and is replaced; without it, it waits")
    func preemption() throws {
        var chat = Self.deployment("chat", Self.cold(1), priority: 10, rate: 1)
        chat.preemptLowerPriority = true
        let batch = Self.deployment("batch", .fixed(FixedPolicy(replicas: 1, warm: true)), rate: 1)
        let result = Simulation.run(Self.cluster([batch, chat]))
        #expect(result.brokenInvariant == nil)
        let c = try Self.named(result, "chat"), b = try Self.named(result, "batch")
        #expect(c.coldStarts.completed == 1 && c.requests.finished > 0, "the chat replica got the GPU")
        #expect(b.evicted == 1)
        #expect(b.coldStarts.started == 1 && b.coldStarts.completed == 0, "its replacement waits: the one GPU is taken")
        let start = try #require(result.coldStarts.first { $0.outcome == .ready })
        #expect(start.pendingSeconds < 5, "placed once the evicted replica drained its few requests: \(start.pendingSeconds) s")
        #expect(b.requests.finished + b.requests.dropped + b.requests.inFlight == b.requests.arrived)

        chat.preemptLowerPriority = false
        let polite = Simulation.run(Self.cluster([batch, chat]))
        #expect(try Self.named(polite, "chat").coldStarts.completed == 0)
        #expect(try Self.named(polite, "batch").evicted == nil)
        // Equal priority never preempts.
        chat.preemptLowerPriority = true
        chat.priority = 0
        #expect(try Self.named(Simulation.run(Self.cluster([batch, chat])), "chat").coldStarts.completed == 0)
    }
}
