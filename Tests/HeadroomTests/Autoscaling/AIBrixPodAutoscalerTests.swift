import Foundation
import HeadroomEngine
import Testing

@testable import Headroom

/// AIBrix's PodAutoscaler as a policy: the controller loop decision by decision on scripted
/// engine-metric scrapes, the two KPA variants on the same input, the HPA strategy, pasted
/// PodAutoscaler YAML from AIBrix's docs, refusals, and whole runs of the shipped scenarios.
@Suite("AIBrix PodAutoscaler")
struct AIBrixPodAutoscalerTests {
    static func t(_ seconds: Double) -> SimTime { .seconds(seconds) }
    static func scrape(_ values: [Double]) -> PromQLOutcome {
        .success(.vector(values.enumerated().map { PromSample(Labels([("pod", "vllm-\($0.offset)")]), $0.element) }))
    }
    static func observe(ready: Int, starting: Int = 0, _ values: [Double]) -> ScalingObservation {
        ScalingObservation(
            replicas: ReplicaCounts(starting: starting, loading: starting, ready: ready), activatorQueue: 0,
            queryResults: [scrape(values)])
    }
    static func policy(
        _ strategy: AIBrixSpec.Strategy, variant: AIBrixSpec.KPAVariant = .current, target: Double = 10,
        min: Int = 1
    ) throws -> AIBrixPodAutoscaler {
        var spec = AIBrixSpec(
            strategy: strategy, minReplicas: min, maxReplicas: 16,
            metrics: [try AIBrixMetricSource(name: "num_requests_running", target: target)])
        spec.kpaVariant = variant
        return AIBrixPodAutoscaler(spec: spec)
    }

    @Test("the policy reads vllm:num_requests_running through the Prometheus, scraped every 10 s resync")
    func wiring() throws {
        let kpa = try Self.policy(.kpa)
        #expect(kpa.syncPeriod == .seconds(10))
        #expect(kpa.queries.map(\.text) == ["vllm:num_requests_running"])
        #expect(kpa.prometheus?.scrapeInterval == .seconds(10))
        #expect(kpa.prometheus?.names == ["vllm:num_requests_running"])
    }

    @Test("the two KPA variants on the same scrapes: v0.4 sums over pods (Knative-like), current takes the per-pod mean")
    func kpaVariants() throws {
        var old = try Self.policy(.kpa, variant: .v04), head = try Self.policy(.kpa)
        #expect(old.decide(Self.observe(ready: 0, []), at: .zero).desiredReplicas == 1)
        _ = head.decide(Self.observe(ready: 0, []), at: .zero)
        // 4 pods each running 8 against a target of 10: v0.4 reads 32 → ceil(3.2) = 4 and holds;
        // HEAD reads 8 → ceil(0.8) = 1, clamped to floor(4 / 2) = 2: it halves a loaded fleet.
        let loaded = Self.observe(ready: 4, [8, 8, 8, 8])
        #expect(old.decide(loaded, at: Self.t(10)).desiredReplicas == 4)
        let halved = head.decide(loaded, at: Self.t(10))
        #expect(halved.desiredReplicas == 2)
        #expect(halved.reason.contains("per pod stable 8.00"))
        // 2 pods each running 30: v0.4 wants ceil(60/10) = 6, capped at 2 × 2 = 4; HEAD ceil(30/10) = 3.
        let busy = Self.observe(ready: 2, [30, 30])
        var old2 = try Self.policy(.kpa, variant: .v04), head2 = try Self.policy(.kpa)
        _ = old2.decide(Self.observe(ready: 0, []), at: .zero)
        _ = head2.decide(Self.observe(ready: 0, []), at: .zero)
        #expect(old2.decide(busy, at: Self.t(10)).desiredReplicas == 4)
        #expect(head2.decide(busy, at: Self.t(10)).desiredReplicas == 3)
    }

    @Test("starting pods are scraped as 0 and pull the mean down; pending pods (no IP) are skipped")
    func startingPodsReadZero() throws {
        var apa = try Self.policy(.apa)
        _ = apa.decide(Self.observe(ready: 0, []), at: .zero)
        // 2 ready pods at 30 and 2 starting: mean 60 / 4 = 15 against 10 → ceil(4 × 1.5) = 6.
        let decision = apa.decide(Self.observe(ready: 2, starting: 2, [30, 30]), at: Self.t(10))
        #expect(decision.desiredReplicas == 6)
        #expect(decision.reason.contains("[2 of 4 pods scraped as 0]"))
        // A pending pod has no IP: 2 ready at 30 with one pending → mean over 2 → 30 → ceil(3 × 3) capped at 6.
        var other = try Self.policy(.apa)
        _ = other.decide(Self.observe(ready: 0, []), at: .zero)
        let pending = ScalingObservation(
            replicas: ReplicaCounts(pending: 1, ready: 2), activatorQueue: 0, queryResults: [Self.scrape([30, 30])])
        let withPending = other.decide(pending, at: Self.t(10))
        #expect(withPending.desiredReplicas == 6)
        #expect(!withPending.reason.contains("scraped as 0"))
    }

    @Test("decision by decision: KPA's panic window, APA's stable window and the minimum taken on scale-down")
    func scriptedSequence() throws {
        var kpa = try Self.policy(.kpa)
        _ = kpa.decide(Self.observe(ready: 0, []), at: .zero)
        // Steady 10 per pod on 2 pods: inside the tolerance, 2 stays.
        #expect(kpa.decide(Self.observe(ready: 2, [10, 10]), at: Self.t(10)).desiredReplicas == 2)
        #expect(kpa.decide(Self.observe(ready: 2, [10, 10]), at: Self.t(20)).desiredReplicas == 2)
        // A burst to 60 per pod: stable (10+10+60)/3 = 26.7 → 3, panic the same window here → 3,
        // panic ratio 1 → stable mode → 3 (the 60 s panic window equals the history so far).
        let first = kpa.decide(Self.observe(ready: 2, [60, 60]), at: Self.t(30))
        #expect(first.desiredReplicas == 3)
        // Load gone: stable (10+10+60+0)/4 = 20 on 3 pods → ceil(2) = 2; the minimum over 300 s is 2 too.
        #expect(kpa.decide(Self.observe(ready: 3, [0, 0, 0]), at: Self.t(40)).desiredReplicas == 2)
        // APA: the stable window's per-pod mean against the target, N scaled by the ratio.
        var apa = try Self.policy(.apa)
        _ = apa.decide(Self.observe(ready: 0, []), at: .zero)
        #expect(apa.decide(Self.observe(ready: 2, [20, 20]), at: Self.t(10)).desiredReplicas == 4)  // 20/10 → 2 × 2
        // Next tick the window holds 20 and 5: 12.5 / 10 = 1.25 > 1.1 → ceil(4 × 1.25) = 5.
        #expect(apa.decide(Self.observe(ready: 4, [5, 5, 5, 5]), at: Self.t(20)).desiredReplicas == 5)
        // A recommendation below the current count meets the one-off minimum from 300 s of history.
        var down = try Self.policy(.apa)
        _ = down.decide(Self.observe(ready: 0, []), at: .zero)
        #expect(down.decide(Self.observe(ready: 4, [2, 2, 2, 2]), at: Self.t(10)).desiredReplicas == 2)  // 0.2 → max(1, 2)
        let stabilised = down.decide(Self.observe(ready: 4, [10, 10, 10, 10]), at: Self.t(20))  // (2+10)/2 = 6 → 3, min(2, 3)
        #expect(stabilised.desiredReplicas == 2)
        #expect(stabilised.reason.contains("min over scale-down cooldown → 2"))
    }

    @Test("bounds come first: above max returns max, below min returns min, 0 replicas with min > 0 disables scaling")
    func bounds() throws {
        var kpa = try Self.policy(.kpa, min: 2)
        #expect(kpa.decide(Self.observe(ready: 0, []), at: .zero).desiredReplicas == 2)
        #expect(kpa.decide(Self.observe(ready: 20, Array(repeating: 50, count: 20)), at: Self.t(10)).desiredReplicas == 16)
        #expect(kpa.decide(Self.observe(ready: 1, [50]), at: Self.t(20)).reason == "current replicas below minimum")
        #expect(kpa.decide(Self.observe(ready: 0, []), at: Self.t(30)).reason == "scaling disabled: current replicas is 0")
    }

    @Test("HPA strategy: the HPA AIBrix generates (hpa_resources.go), a Pods AverageValue on the pods' series")
    func hpaStrategy() throws {
        let policy = try Self.policy(.hpa, target: 8.9)
        #expect(policy.syncPeriod == .seconds(15))
        #expect(policy.queries.map(\.text) == ["vllm:num_requests_running"])
        let hpa = AIBrixPodAutoscaler.horizontalPodAutoscaler(policy.spec, scrape: nil)
        #expect(hpa.spec.metrics.first?.target == .averageValue(milli: 8_000))  // int64(8.9) = 8
        #expect(hpa.spec.behavior?.scaleUp.policies == [.init(.percent, value: 100, periodSeconds: 60)])
        #expect(hpa.spec.behavior?.scaleDown.policies == [.init(.percent, value: 50, periodSeconds: 60)])
        #expect(hpa.spec.behavior?.scaleDown.selectPolicy == .min)
        #expect(hpa.spec.behavior?.scaleDown.stabilizationWindowSeconds == 300)
        var running = policy
        _ = running.decide(Self.observe(ready: 0, []), at: .zero)
        let decision = running.decide(Self.observe(ready: 2, [16, 16]), at: Self.t(15))
        #expect(decision.reason.hasPrefix("HPA strategy: "))
        #expect(decision.desiredReplicas == 4)  // 16 / 8 = 2 × 2 pods, within 100 % per 60 s
    }

    @Test("policy replay: an AIBrix APA replays on a Prometheus export of the pods' vllm:num_requests_waiting")
    func replay() throws {
        var spec = AIBrixSpec(
            strategy: .apa, maxReplicas: 20, metrics: [try AIBrixMetricSource(name: "num_requests_waiting", target: 5)])
        spec.scaleDownCooldown = .zero
        let export = try PrometheusExport.parse(PrometheusReplayTests.json, file: "export.json")
        let steps = PolicyReplay.run(AIBrixPodAutoscaler(spec: spec), export: export)
        #expect(steps.count > 8 && steps.allSatisfy { $0.ready == 2 })
        #expect(steps.allSatisfy { $0.reason.contains("num_requests_waiting per pod") })
        // Pod b's queue grows 3 a scrape: by 2 minutes the stable mean is well above 5 per pod.
        #expect(steps.last!.desired > 2, "\(steps.last!.reason)")
    }
}
