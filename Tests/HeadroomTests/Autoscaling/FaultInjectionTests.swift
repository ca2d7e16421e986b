import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Injected faults in whole runs: metric outages and replica failures.
@Suite("Fault injection")
struct FaultInjectionTests {
    static func steady(policy: PolicySpec, minutes: Double = 20) -> Scenario {
        var scenario = TestScenario.make(
            duration: .minutes(minutes), arrivals: .poisson(rate: 6), prompt: .constant(200), output: .constant(100),
            pool: NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 8, pricePerHour: 98, provisioning: .constant(60), maxNodes: 2),
            replica: TestScenario.quickStartReplica)
        scenario.policy = policy
        return scenario
    }

    static func kpa() -> PolicySpec {
        var spec = KPASpec()
        spec.target = 4
        spec.maxScale = 10
        return .kpa(KnativePodAutoscaler(spec: spec))
    }

    @Test("a KPA metric outage keeps the current scale (no decision), where it used to desire 0")
    func kpaOutageKeepsScale() {
        var scenario = Self.steady(policy: Self.kpa())
        scenario.faults = FaultSpec(metricOutages: [MetricOutage(from: .minutes(10), to: .minutes(13))])
        let result = Simulation.run(scenario)
        let during = result.decisions.filter { $0.time > 11.5 * 60 && $0.time < 13 * 60 }
        #expect(!during.isEmpty)
        #expect(during.allSatisfy { $0.desiredReplicas > 0 })
        #expect(during.contains { $0.reason.contains("keeping the last desired scale") })
        #expect(result.decisions.allSatisfy { $0.excessBurstCapacity != nil })
        #expect(result.brokenInvariant == nil)
    }

    @Test("an HPA outage reports ScalingActive=False FailedGetMetrics and keeps the count")
    func hpaOutage() {
        let metric = HPAMetric(source: .pods, signal: .concurrency, target: .averageValue(milli: 4000))
        var scenario = Self.steady(policy: .hpa(HorizontalPodAutoscaler(spec: HPASpec(minReplicas: 1, maxReplicas: 10, metrics: [metric]))))
        scenario.faults = FaultSpec(metricOutages: [MetricOutage(from: .minutes(10), to: .minutes(12), signal: .concurrency)])
        let result = Simulation.run(scenario)
        let during = result.decisions.filter { $0.time >= 600 && $0.time < 720 }
        #expect(!during.isEmpty)
        #expect(during.allSatisfy { $0.reason.contains("ScalingActive=False") && $0.desiredReplicas == $0.replicas.active })
    }

    @Test("a crash while serving fails the replica's requests; the kubelet restarts it after the back-off")
    func crashWhileServing() throws {
        let fixed = PolicySpec.fixed(FixedPolicy(replicas: 2, warm: true))
        var scenario = Self.steady(policy: fixed, minutes: 5)
        scenario.faults = FaultSpec(replicaFailures: [ReplicaFailure(kind: .replicaCrash, phase: .serving, at: [.minutes(2)])])
        let result = Simulation.run(scenario)
        #expect(result.summary.replicaFailures == 1)
        #expect(result.summary.requests.droppedByReason["replica_failed"] ?? 0 > 0)
        // Back after 10 s of back-off, a weight load and a warm-up; no new cold start is counted.
        #expect(result.series.last?.replicas.ready == 2)
        #expect(result.summary.coldStarts.started == 0)
        #expect(result.series.contains { $0.time > 120 && $0.replicas.ready == 1 })
        #expect(result.brokenInvariant == nil)
    }

    @Test("a Failed pod is replaced by the ReplicaSet at once (a new cold start), and the fleet is whole again")
    func podFailureReplaced() {
        let fixed = PolicySpec.fixed(FixedPolicy(replicas: 2, warm: true))
        var scenario = Self.steady(policy: fixed, minutes: 5)
        scenario.faults = FaultSpec(replicaFailures: [ReplicaFailure(kind: .podFailure, phase: .serving, at: [.minutes(2)])])
        let result = Simulation.run(scenario)
        #expect(result.summary.replicaFailures == 1)
        #expect(result.summary.coldStarts.started == 1)
        #expect(result.summary.coldStarts.completed == 1)
        #expect(result.series.last?.replicas.ready == 2)
        #expect(result.brokenInvariant == nil)
    }

    @Test("a crash while warming up: the start goes on after the 10 s back-off, a load and a warm-up; still one cold start")
    func crashWhileWarming() throws {
        let cold = PolicySpec.fixed(FixedPolicy(replicas: 1, warm: false))
        let clean = Simulation.run(Self.steady(policy: cold, minutes: 5))
        let start = try #require(clean.coldStarts.first)
        let ready = start.requestedAt.seconds + start.totalSeconds
        var scenario = Self.steady(policy: cold, minutes: 5)
        // Halfway through the 5 s warm-up.
        scenario.faults = FaultSpec(replicaFailures: [ReplicaFailure(kind: .replicaCrash, phase: .warming, at: [.seconds(ready - 2.5)])])
        let crashed = Simulation.run(scenario)
        #expect(crashed.summary.replicaFailures == 1)
        #expect(crashed.summary.coldStarts.started == 1 && crashed.summary.coldStarts.completed == 1)
        let again = try #require(crashed.coldStarts.first)
        #expect(again.totalSeconds >= start.totalSeconds - 2.5 + 10 + 5, "back-off, then load and warm-up again: \(again.totalSeconds)")
        #expect(crashed.summary.requests.droppedByReason["replica_failed"] == 0)
        #expect(crashed.brokenInvariant == nil)
    }

    @Test("TestReplicaCalcScaleUpIgnoresFailedPods: a Failed pod is not counted by the HPA; its replacement is")
    func hpaIgnoresFailedPod() {
        let metric = HPAMetric(source: .pods, signal: .concurrency, target: .averageValue(milli: 50_000))
        var scenario = Self.steady(policy: .hpa(HorizontalPodAutoscaler(spec: HPASpec(minReplicas: 2, maxReplicas: 10, metrics: [metric]))),
                                   minutes: 5)
        scenario.faults = FaultSpec(replicaFailures: [ReplicaFailure(kind: .podFailure, phase: .serving, at: [.seconds(121)])])
        let result = Simulation.run(scenario)
        let after = result.decisions.filter { $0.time > 121 && $0.time < 150 }
        #expect(!after.isEmpty)
        // The replacement (pending or starting, then ready) is counted; the Failed pod is not.
        #expect(after.allSatisfy { $0.replicas.active == 2 && $0.desiredReplicas == 2 })
        #expect(result.summary.peakReplicas == 2 && result.summary.coldStarts.started == 1)
        #expect(result.series.last?.replicas.ready == 2)
    }

    @Test("CrashLoopBackOff: 10 s doubling to 5 min; reset once a crash comes more than 10 min after the previous")
    func crashLoopBackOff() {
        var world = Simulation(Self.steady(policy: .fixed(FixedPolicy(replicas: 1, warm: true))), options: RunOptions())
        _ = world.newReplica(of: 0, at: .zero)
        var delays: [Double] = []
        for crash in 0..<7 { delays.append(world.crashBackOff(0, at: .seconds(Double(crash) * 60)).seconds) }
        #expect(delays == [10, 20, 40, 80, 160, 300, 300])
        #expect(world.crashBackOff(0, at: .seconds(6 * 60 + 600)).seconds == 300, "exactly 10 min later: not yet reset")
        #expect(world.crashBackOff(0, at: .seconds(6 * 60 + 1200.5)).seconds == 10)
    }

    @Test("scenario YAML: faults parse, and bad ones are refused with the place")
    func parsing() throws {
        let yaml = """
        - {kind: metric_outage, from: 10m, to: 12m}
        - {kind: replica_crash, phase: warming, rate: 2/h}
        - {kind: pod_failure, at: [5m, 7m]}
        """
        let faults = try FaultSpec(YAMLValue(node: YAMLText.compose(yaml, file: "f.yaml"), path: "faults", file: "f.yaml"))
        #expect(faults.metricOutages == [MetricOutage(from: .minutes(10), to: .minutes(12))])
        #expect(faults.replicaFailures == [ReplicaFailure(kind: .replicaCrash, phase: .warming, ratePerHour: 2),
                                           ReplicaFailure(kind: .podFailure, at: [.minutes(5), .minutes(7)])])
        for (bad, message) in [("- {kind: metric_outage, from: 12m, to: 10m}", "must be after"),
                               ("- {kind: meteor}", "allowed: metric_outage, replica_crash, pod_failure"),
                               ("- {kind: replica_crash}", "needs `rate`"),
                               ("- {kind: replica_crash, rate: fast}", "a rate such as")] {
            #expect(throws: ScenarioError.self) { try FaultSpec(YAMLValue(node: YAMLText.compose(bad, file: "f.yaml"), path: "faults", file: "f.yaml")) }
            do {
                _ = try FaultSpec(YAMLValue(node: YAMLText.compose(bad, file: "f.yaml"), path: "faults", file: "f.yaml"))
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
                #expect(error.description.contains("faults[0]"), "\(error.description)")
            }
        }
    }
}
