import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

@Suite("Autoscaling end to end")
struct AutoscalingEndToEndTests {
    /// Calm traffic, then a long surge one replica cannot serve.
    static func surge(policy: PolicySpec, pool: NodePoolSpec? = nil) -> Scenario {
        var scenario = TestScenario.make(
            duration: .minutes(20),
            arrivals: .schedule(steps: [RateStep(start: .zero, rate: 1), RateStep(start: .minutes(4), rate: 12)], period: nil),
            prompt: .constant(200), output: .constant(100),
            pool: pool ?? NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 8, pricePerHour: 98, provisioning: .constant(60), maxNodes: 2),
            replica: TestScenario.quickStartReplica)
        scenario.policy = policy
        return scenario
    }

    @Test("HPA on CPU never scales while KPA on concurrency scales out and meets the SLO")
    func cpuVersusConcurrency() {
        let hpa = HorizontalPodAutoscaler(spec: HPASpec(minReplicas: 1, maxReplicas: 10, metrics: [.cpuUtilization(60)]))
        var kpaSpec = KPASpec()
        kpaSpec.target = 10
        kpaSpec.minScale = 1
        kpaSpec.maxScale = 10
        let cpuRun = Simulation.run(Self.surge(policy: .hpa(hpa)))
        let kpaRun = Simulation.run(Self.surge(policy: .kpa(KnativePodAutoscaler(spec: kpaSpec))))
        #expect(cpuRun.decisions.allSatisfy { $0.desiredReplicas == 1 })
        #expect(cpuRun.seen(.cpu).allSatisfy { $0.perReplica <= 1 })
        #expect(cpuRun.summary.slo.ttft < 0.6)
        #expect(kpaRun.summary.peakReplicas > 1)
        #expect(kpaRun.summary.slo.ttft > 0.95, "KPA attainment \(kpaRun.summary.slo.ttft)")
        #expect(kpaRun.decisions.contains { $0.reason.hasPrefix("panic") })
        #expect(kpaRun.brokenInvariant == nil)
    }

    @Test("HPA on NVML GPU utilization scales up at the first traffic and does not come back down")
    func gpuUtilizationPinned() {
        let gpu = HPAMetric(source: .pods, signal: .gpuUtilization, target: .averageValue(milli: 80_000))
        let hpa = HorizontalPodAutoscaler(spec: HPASpec(minReplicas: 1, maxReplicas: 6, metrics: [gpu]))
        var scenario = Self.surge(policy: .hpa(hpa))
        // About 20 long generations in flight: a few per replica even at the maximum, so every GPU
        // is "busy" all the time although batches are tiny.
        scenario.workload.arrivals = .poisson(rate: 1)
        scenario.workload.outputTokens = .constant(2000)
        let result = Simulation.run(scenario)
        #expect(result.seen(.gpuUtilization).filter { $0.sampledAt > 300 }.allSatisfy { $0.perReplica >= 95 })
        #expect(result.summary.peakReplicas == 6)
        #expect(result.series.last?.replicas.ready == 6)
    }

    @Test("scale from zero: the first request's TTFT includes the whole cold start")
    func scaleFromZero() throws {
        var spec = KPASpec()
        spec.target = 10
        spec.initialScale = 0
        let pool = NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 1, pricePerHour: 4, provisioning: .constant(60), scaleDownDelay: .zero)
        var scenario = Self.surge(policy: .kpa(KnativePodAutoscaler(spec: spec)), pool: pool)
        scenario.duration = .minutes(10)
        scenario.workload.arrivals = .schedule(
            steps: [RateStep(start: .zero, rate: 0), RateStep(start: .seconds(100), rate: 5), RateStep(start: .seconds(101), rate: 0)], period: nil)
        let result = Simulation.run(scenario, options: RunOptions(requestSample: 10))
        let first = try #require(result.requests.first)
        let start = try #require(result.coldStarts.first)
        // 60 s node + 4 + 2 s image + 1.6 + 1.6 + 0.8 s weights + 5 s warm-up.
        #expect(abs(start.totalSeconds - 75) < 1e-6)
        #expect(try #require(first.firstToken) - first.arrival >= 75)
        #expect(result.summary.requests.finished == result.summary.requests.arrived)
        // With no traffic left, the revision scales back to zero and the node is released.
        #expect(result.series.last?.replicas.active == 0)
        #expect(result.nodes.allSatisfy { $0.terminated != nil })
    }
}
