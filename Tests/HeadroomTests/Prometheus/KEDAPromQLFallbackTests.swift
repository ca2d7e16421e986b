import HeadroomEngine
import Testing
@testable import Headroom

/// KEDA's `fallback` on a PromQL trigger, decision by decision on scripted query results, against
/// kedacore/keda `pkg/fallback/fallback_test.go` (`GetMetricsWithFallback`).
@Suite("KEDA fallback on PromQL triggers")
struct KEDAPromQLFallbackTests {
    static func t(_ seconds: Double) -> SimTime { .seconds(seconds) }
    static let query = "sum(vllm:num_requests_waiting)"

    /// AverageValue 5 per replica; the HPA syncs every 15 s, the poll loop every `polling`.
    static func keda(min: Int = 1, polling: SimTime = .seconds(3600), fallback: KEDAFallback? = KEDAFallback(failureThreshold: 3, replicas: 8),
                     averageValue: Bool = true) throws -> KEDAScaledObject {
        var spec = KEDASpec()
        spec.minReplicaCount = min
        spec.maxReplicaCount = 10
        spec.pollingInterval = polling
        spec.fallback = fallback
        spec.triggers = [KEDATrigger(kind: .prometheus, signal: .concurrency, averageValue: averageValue, thresholdMilli: 5_000,
                                     query: QueryMetric(try PromQLQuery(query), reading: .kedaScaler(ignoreNullValues: true)))]
        return KEDAScaledObject(spec: spec)
    }

    static func observe(_ ready: Int, _ outcome: PromQLOutcome) -> ScalingObservation {
        ScalingObservation(replicas: ReplicaCounts(ready: ready), activatorQueue: 0, queryResults: [outcome])
    }
    static func value(_ v: Double) -> PromQLOutcome { .success(.vector([PromSample(Labels(), v)])) }
    static let outage: PromQLOutcome = .failure(PromQLError("metric outage: the Prometheus query API is unavailable", column: 0))
    static let twoElements: PromQLOutcome = .success(.vector([PromSample(Labels([("pod", "vllm-0")]), 3),
                                                              PromSample(Labels([("pod", "vllm-1")]), 4)]))

    @Test("fallback_test 'should return a normalised metric when number of failures are beyond threshold': a PromQL trigger's 4th error (outage or more than one element) serves 8 replicas")
    func fallbackAfterThreshold() throws {
        var keda = try Self.keda()
        _ = keda.decide(Self.observe(4, Self.value(20)), at: .zero)
        // Three failed fetches, of both kinds: FailedGetMetrics, the count kept.
        for (sync, outcome) in [Self.outage, Self.twoElements, Self.outage].enumerated() {
            let decision = keda.decide(Self.observe(4, outcome), at: Self.t(Double(sync + 1) * 15))
            #expect(decision.desiredReplicas == 4, "\(decision.reason)")
            #expect(decision.reason.contains("FailedGetMetrics"), "\(decision.reason)")
        }
        // The fourth: served 5 × 8 = 40 → ceil(40 / 5) = 8.
        let fallback = keda.decide(Self.observe(4, Self.twoElements), at: Self.t(60))
        #expect(fallback.desiredReplicas == 8, "\(fallback.reason)")
        #expect(fallback.reason.contains("fallback for \(Self.query) after 4 failures"), "\(fallback.reason)")
    }

    @Test("fallback_test 'should reset the health status when scaler metrics are available': one good fetch resets the count")
    func resetOnSuccess() throws {
        var keda = try Self.keda()
        _ = keda.decide(Self.observe(4, Self.value(20)), at: .zero)
        for sync in 1...3 { _ = keda.decide(Self.observe(4, Self.outage), at: Self.t(Double(sync) * 15)) }
        let good = keda.decide(Self.observe(4, Self.value(20)), at: Self.t(60))
        #expect(good.desiredReplicas == 4 && !good.reason.contains("fallback"), "\(good.reason)")
        // Three more failures are again under the threshold.
        for sync in 5...7 {
            let decision = keda.decide(Self.observe(4, Self.outage), at: Self.t(Double(sync) * 15))
            #expect(decision.desiredReplicas == 4 && !decision.reason.contains("fallback"), "\(decision.reason)")
        }
        #expect(keda.decide(Self.observe(4, Self.outage), at: Self.t(120)).desiredReplicas == 8)
    }

    @Test("fallback_test 'should propagate the error when fallback is disabled': a PromQL trigger without fallback keeps the count")
    func noFallback() throws {
        var keda = try Self.keda(fallback: nil)
        _ = keda.decide(Self.observe(4, Self.value(20)), at: .zero)
        for sync in 1...8 {
            let decision = keda.decide(Self.observe(4, Self.outage), at: Self.t(Double(sync) * 15))
            #expect(decision.desiredReplicas == 4 && decision.reason.contains("FailedGetMetrics"), "\(decision.reason)")
        }
    }

    @Test("each poll and each HPA sync counts a failure; past the threshold the trigger is Active and never cools to zero")
    func pollsCountAndActivate() throws {
        var keda = try Self.keda(min: 0, polling: .seconds(30))
        _ = keda.decide(Self.observe(4, Self.value(20)), at: .zero)
        // 15 s: HPA sync (1). 30 s: poll (2) + HPA sync (3), not Active yet. 45 s: HPA sync (4) → fallback.
        #expect(keda.decide(Self.observe(4, Self.outage), at: Self.t(15)).desiredReplicas == 4)
        let poll = keda.decide(Self.observe(4, Self.outage), at: Self.t(30))
        #expect(poll.active == false && poll.desiredReplicas == 4, "\(poll.reason)")
        #expect(keda.decide(Self.observe(4, Self.outage), at: Self.t(45)).desiredReplicas == 8)
        // 60 s: the poll (5) sees the fallback in force: Active; cooldown cannot take it to zero.
        let active = keda.decide(Self.observe(8, Self.outage), at: Self.t(60))
        #expect(active.active == true && active.desiredReplicas == 8, "\(active.reason)")
    }

    @Test("doFallback on a Value target: threshold × replicas divided by the ready pods")
    func valueTarget() throws {
        var keda = try Self.keda(fallback: KEDAFallback(failureThreshold: 0, replicas: 6), averageValue: false)
        _ = keda.decide(Self.observe(3, Self.value(15)), at: .zero)
        // Value 5 × 6 / 3 ready = 10 per… the HPA reads 10 against 5 on 3 pods → ceil(3 × 10 / 5) = 6.
        #expect(keda.decide(Self.observe(3, Self.outage), at: Self.t(15)).desiredReplicas == 6)
    }
}
