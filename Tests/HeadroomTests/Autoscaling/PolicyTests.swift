import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

@Suite("KEDA, step, oracle and custom policies")
struct PolicyTests {
    static func t(_ seconds: Double) -> SimTime { .seconds(seconds) }
    static func reading(_ signal: Signal, _ values: [Double], activator: Double = 0, at time: Double) -> [[SignalReading]] {
        [[SignalReading(signal: signal, sampledAt: .seconds(time), values: values, activator: activator)]]
    }

    static func keda() -> KEDAScaledObject {
        var spec = KEDASpec()
        spec.maxReplicaCount = 10
        spec.triggers = [KEDATrigger(kind: .prometheus, signal: .concurrency, thresholdMilli: 10_000)]
        return KEDAScaledObject(spec: spec)
    }

    @Test("KEDA: activation from zero at a poll, the HPA for 1↔N, cooldown before zero")
    func kedaLifecycle() {
        var keda = Self.keda()
        #expect(keda.syncPeriod == .seconds(15))
        // Created with one replica; the first poll at 30 s sees nothing and, never active, goes to zero.
        #expect(keda.decide(ScalingObservation(replicas: ReplicaCounts(), activatorQueue: 0), at: .zero).desiredReplicas == 1)
        let idle = ScalingObservation(replicas: ReplicaCounts(ready: 1), activatorQueue: 0, readings: Self.reading(.concurrency, [0], at: 29))
        #expect(keda.decide(idle, at: Self.t(30)).desiredReplicas == 0)
        // At zero, requests wait in the activator; the next poll activates to 1.
        let waiting = ScalingObservation(replicas: ReplicaCounts(), activatorQueue: 5, readings: Self.reading(.concurrency, [], activator: 5, at: 59))
        let activated = keda.decide(waiting, at: Self.t(60))
        #expect(activated.desiredReplicas == 1)
        #expect(activated.reason.contains("activated"))
        // 45 requests on one replica, 10 per replica: the HPA wants ceil(45 / 10) = 5 at its next
        // sync, capped by the legacy scale-up limit max(2 × 1, 4) = 4.
        let busy = ScalingObservation(replicas: ReplicaCounts(ready: 1), activatorQueue: 0, readings: Self.reading(.concurrency, [45], at: 74))
        let scaled = keda.decide(busy, at: Self.t(75))
        #expect(scaled.desiredReplicas == 4)
        #expect(scaled.reason.contains("scale-up limit"))
        // Traffic stops at 90 s (last active poll): until 90 + 300 s the scale loop does nothing and
        // the HPA keeps managing 1↔N (its 5-minute stabilization holds 5); then KEDA scales to zero.
        let quiet = ScalingObservation(replicas: ReplicaCounts(ready: 5), activatorQueue: 0, readings: Self.reading(.concurrency, [0, 0, 0, 0, 0], at: 119))
        _ = keda.decide(busy, at: Self.t(90))
        let cooling = keda.decide(quiet, at: Self.t(120))
        #expect(cooling.desiredReplicas == 5)
        #expect(cooling.reason.hasPrefix("HPA: ") && cooling.reason.contains("stabilized"), "\(cooling.reason)")
        #expect(keda.decide(quiet, at: Self.t(390)).desiredReplicas == 5)
        #expect(keda.decide(quiet, at: Self.t(420)).desiredReplicas == 0)
    }

    @Test("step policy: one step when the window mean crosses a threshold, then a cooldown")
    func stepPolicy() {
        var policy = StepScalingPolicy()
        policy.scaleUpThreshold = 80
        policy.scaleDownThreshold = 30
        policy.cooldown = .minutes(5)
        policy.window = .minutes(3)
        let two = ReplicaCounts(ready: 2)
        #expect(policy.decide(ScalingObservation(replicas: two, activatorQueue: 0, readings: Self.reading(.gpuUtilization, [100, 90], at: 60)),
                              at: Self.t(60)).desiredReplicas == 3)
        #expect(policy.decide(ScalingObservation(replicas: ReplicaCounts(ready: 3), activatorQueue: 0,
                                                 readings: Self.reading(.gpuUtilization, [100, 100, 100], at: 120)), at: Self.t(120)).desiredReplicas == 3)
        // Low readings from 240 s: at 300 s the window mean is low but the cooldown (from 60 s) runs
        // until 360 s; then one step in, and another cooldown.
        var decisions: [Int] = []
        for time in [240.0, 300, 360, 420] {
            decisions.append(policy.decide(ScalingObservation(replicas: ReplicaCounts(ready: 3), activatorQueue: 0,
                                                              readings: Self.reading(.gpuUtilization, [10, 10, 10], at: time)),
                                           at: Self.t(time)).desiredReplicas)
        }
        #expect(decisions == [3, 3, 2, 3])
    }

    @Test("oracle: the fewest replicas for the arrivals of the window ahead")
    func oracle() {
        var spec = OraclePolicy.Spec()
        spec.minReplicas = 0
        let oracle = OraclePolicy(spec: spec, replicaCapacity: 2.5, arrivals: [0, 60, 600, 151])
        let counts = ReplicaCounts()
        #expect(oracle.decide(ScalingObservation(replicas: counts, activatorQueue: 0), at: .zero).desiredReplicas == 0)
        #expect(oracle.decide(ScalingObservation(replicas: counts, activatorQueue: 0), at: Self.t(60)).desiredReplicas == 1)
        #expect(oracle.decide(ScalingObservation(replicas: counts, activatorQueue: 0), at: Self.t(120)).desiredReplicas == 4)
        #expect(oracle.decide(ScalingObservation(replicas: counts, activatorQueue: 0), at: Self.t(180)).desiredReplicas == 2)
    }

    @Test("oracle end to end: replicas are ready at once, and it costs no more than a fixed fleet that meets the SLO")
    func oracleRun() {
        var spec = OraclePolicy.Spec()
        spec.probeDuration = .minutes(2)
        var scenario = TestScenario.make(
            duration: .minutes(10),
            arrivals: .schedule(steps: [RateStep(start: .zero, rate: 2), RateStep(start: .minutes(5), rate: 20)], period: nil),
            output: .constant(50), warm: false,
            pool: NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 1, pricePerHour: 10, maxNodes: 20))
        scenario.policy = .oracle(spec)
        let result = Simulation.run(scenario)
        #expect(result.coldStarts.isEmpty)
        #expect(result.summary.peakReplicas > 1)
        #expect(result.brokenInvariant == nil)
    }

    @Test("a user-written policy from the registry; unknown names and bad parameters are clear errors")
    func customPolicy() throws {
        let yaml = ScenarioLoadingTests.valid.replacingOccurrences(
            of: "policy: {kind: fixed, replicas: 2}", with: "policy: {kind: custom, name: queue-depth, parameters: {target: 8, max: 4}}")
        let scenario = try Scenario.parse(yaml: yaml)
        guard case let .custom(custom) = scenario.policy else { Issue.record("not a custom policy"); return }
        #expect(custom.name == "queue-depth")
        #expect((custom.policy as? QueueDepthPolicy)?.maxReplicas == 4)
        do {
            _ = try Scenario.parse(yaml: yaml.replacingOccurrences(of: "queue-depth", with: "mine"))
            Issue.record("unknown policy accepted")
        } catch {
            #expect(error.message.contains("registered: queue-depth"))
        }
        do {
            _ = try Scenario.parse(yaml: yaml.replacingOccurrences(of: "target: 8", with: "targt: 8"))
            Issue.record("bad parameter accepted")
        } catch {
            #expect(error.message.contains("unknown parameter `targt`"))
        }
        let mine = PolicyRegistry().registering("mine") { _ in FixedPolicy(replicas: 3) }
        let own = try Scenario.parse(yaml: yaml.replacingOccurrences(of: "queue-depth", with: "mine"), policies: mine)
        #expect(own.policy.kind == .custom)
    }

    @Test("policies parse from the real objects' YAML: a pasted HPA spec, Knative annotations, a ScaledObject")
    func pastedObjects() throws {
        func policy(_ block: String) throws -> PolicySpec {
            try Scenario.parse(yaml: ScenarioLoadingTests.valid.replacingOccurrences(of: "policy: {kind: fixed, replicas: 2}", with: block)).policy
        }
        let hpa = try policy("""
            policy:
              kind: hpa
              spec:
                scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: vllm}
                minReplicas: 2
                maxReplicas: 12
                metrics:
                  - type: Pods
                    pods: {metric: {name: concurrency}, target: {type: AverageValue, averageValue: 500m}}
                behavior:
                  scaleDown:
                    stabilizationWindowSeconds: 120
                    policies: [{type: Pods, value: 1, periodSeconds: 60}]
            """)
        guard case let .hpa(h) = hpa else { Issue.record("not an HPA"); return }
        #expect(h.spec.minReplicas == 2 && h.spec.maxReplicas == 12)
        #expect(h.spec.metrics == [HPAMetric(source: .pods, signal: .concurrency, target: .averageValue(milli: 500))])
        #expect(h.spec.behavior?.scaleDown.stabilizationWindowSeconds == 120)
        #expect(h.spec.behavior?.scaleUp == .defaultScaleUp)
        let kpa = try policy("""
            policy:
              kind: kpa
              containerConcurrency: 10
              annotations:
                autoscaling.knative.dev/target: "8"
                autoscaling.knative.dev/window: 30s
                autoscaling.knative.dev/min-scale: "1"
            """)
        guard case let .kpa(k) = kpa else { Issue.record("not a KPA"); return }
        #expect(abs(k.spec.targetValue - 5.6) < 1e-9)
        #expect(k.spec.panicWindow == .seconds(3))
        let keda = try policy("""
            policy:
              kind: keda
              spec:
                scaleTargetRef: {name: vllm}
                pollingInterval: 15
                cooldownPeriod: 120
                maxReplicaCount: 6
                triggers:
                  - type: prometheus
                    metadata: {serverAddress: "http://prom:9090", query: requests_per_second, threshold: "2", activationThreshold: "0.5"}
            """)
        guard case let .keda(s) = keda else { Issue.record("not KEDA"); return }
        #expect(s.spec.pollingInterval == .seconds(15) && s.spec.cooldownPeriod == .seconds(120))
        #expect(s.spec.triggers.first?.activationThresholdMilli == 500)
        // A misspelt field inside the pasted spec names its path.
        do {
            _ = try policy("policy: {kind: hpa, spec: {maxReplicas: 3, minReplica: 1}}")
            Issue.record("misspelt HPA field accepted")
        } catch let error as ScenarioError {
            #expect(error.path == "policy.spec.minReplica")
            #expect(error.message.contains("did you mean `minReplicas`?"))
        }
    }

    @Test("a warm pool keeps spare nodes ready and replaces each one that is taken")
    func warmPool() {
        var pool = NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 1, pricePerHour: 10, provisioning: .constant(30), maxNodes: 5)
        pool.spareNodes = 1
        let scenario = TestScenario.make(duration: .minutes(10), replicas: 2, warm: false, pool: pool, replica: TestScenario.quickStartReplica)
        let result = Simulation.run(scenario)
        // Two nodes for the replicas, and one spare that stays empty.
        #expect(result.nodes.count == 3)
        #expect(result.series.last.map { $0.nodesReady } == 3)
        #expect(result.coldStarts.count == 2)
    }
}
