import HeadroomEngine
import Testing
@testable import Headroom

/// KEDA's fallback and `Active` condition against the upstream tests they mirror (kedacore/keda
/// `pkg/fallback/fallback_test.go`, `pkg/scaling/executor/scale_scaledobjects_test.go`).
@Suite("KEDA upstream-exact")
struct KEDAUpstreamExactTests {
    static func t(_ seconds: Double) -> SimTime { .seconds(seconds) }

    /// One prometheus trigger on concurrency, threshold 10 per replica; the HPA syncs every 15 s
    /// and the poll loop every `polling`.
    static func scaledObject(min: Int = 1, polling: SimTime = .seconds(3600), fallback: KEDAFallback? = nil) -> KEDAScaledObject {
        var spec = KEDASpec()
        spec.minReplicaCount = min
        spec.pollingInterval = polling
        spec.triggers = [KEDATrigger(kind: .prometheus, signal: .concurrency, thresholdMilli: 10_000)]
        spec.fallback = fallback
        return KEDAScaledObject(spec: spec)
    }

    static func observe(_ ready: Int, total: Double? = nil, at seconds: Double, down: Bool = false) -> ScalingObservation {
        let readings = total.map { [[SignalReading(signal: .concurrency, sampledAt: .seconds(seconds), values: [$0])]] } ?? [[]]
        return ScalingObservation(replicas: ReplicaCounts(ready: ready), activatorQueue: 0, readings: readings, unavailable: down ? [true] : [])
    }

    @Test("fallback_test 'should return a normalised metric when number of failures are beyond threshold': the 4th failure with threshold 3 asks for 10 replicas")
    func fallbackAfterThreshold() {
        var keda = Self.scaledObject(fallback: KEDAFallback(failureThreshold: 3, replicas: 10))
        _ = keda.decide(Self.observe(5, total: 50, at: 0), at: .zero)
        // Three failed fetches: the HPA has no metric (FailedGetMetrics) and keeps 5.
        for sync in 1...3 {
            let decision = keda.decide(Self.observe(5, at: Double(sync) * 15, down: true), at: Self.t(Double(sync) * 15))
            #expect(decision.desiredReplicas == 5)
            #expect(decision.reason.contains("FailedGetMetrics"))
        }
        // The fourth: the metric is served as 10 × 10 = 100 → ceil(100 / 10) = 10 replicas.
        let fallback = keda.decide(Self.observe(5, at: 60, down: true), at: Self.t(60))
        #expect(fallback.desiredReplicas == 10)
        #expect(fallback.reason.contains("fallback"))
        // The metric comes back: the count of failures resets and the reading rules again.
        let back = keda.decide(Self.observe(10, total: 100, at: 75), at: Self.t(75))
        #expect(back.desiredReplicas == 10)
        #expect(!back.reason.contains("fallback"))
    }

    @Test("fallback_test 'should propagate the error when fallback is disabled': without fallback the count is kept")
    func noFallbackKeepsCount() {
        var keda = Self.scaledObject()
        _ = keda.decide(Self.observe(5, total: 50, at: 0), at: .zero)
        for sync in 1...6 {
            #expect(keda.decide(Self.observe(5, at: Double(sync) * 15, down: true), at: Self.t(Double(sync) * 15)).desiredReplicas == 5)
        }
    }

    @Test("TestScaleToMinReplicasWhenNotActive / TestScaleFromMinReplicasWhenActive: the Active condition follows the triggers")
    func activeCondition() {
        var keda = Self.scaledObject(min: 0, polling: .seconds(30))
        let first = keda.decide(Self.observe(10, total: 0, at: 0), at: .zero)
        #expect(first.active == nil, "Unknown before the first poll")
        let inactive = keda.decide(Self.observe(10, total: 0, at: 30), at: Self.t(30))
        #expect(inactive.active == false)
        #expect(inactive.desiredReplicas == 0)
        let active = keda.decide(Self.observe(0, total: 5, at: 60), at: Self.t(60))
        #expect(active.active == true)
        #expect(active.desiredReplicas == 1)
    }

    @Test("TestRequestScale_ScalerError_HPAHealthy: a failing trigger is not Active and never cools the target to zero")
    func scalerErrorDoesNotScaleToZero() {
        var keda = Self.scaledObject(min: 0, polling: .seconds(30))
        _ = keda.decide(Self.observe(3, total: 40, at: 0), at: .zero)
        let decision = keda.decide(Self.observe(3, at: 30, down: true), at: Self.t(30))
        #expect(decision.active == false)
        #expect(decision.desiredReplicas == 3)
    }
}

extension KEDAUpstreamExactTests {
    @Test("a pasted `fallback` parses; a bad one names its place and what is missing")
    func fallbackYAML() throws {
        var document = try ScenarioDocument.load(file: "scenarios/faults/keda-fallback.yaml")
        guard case let .keda(keda) = try document.scenario().policy else { Issue.record("not KEDA"); return }
        #expect(keda.spec.fallback == KEDAFallback(failureThreshold: 3, replicas: 6))
        try document.set("policy.spec.fallback", to: "{replicas: 6, behavior: currentReplicasIfHigher}")
        #expect { try document.scenario() } throws: { "\($0)".contains("policy.spec.fallback") && "\($0)".contains("failureThreshold") }
        try document.set("policy.spec.fallback", to: "{failureThreshold: 3, replicas: 6, behavior: sometimes}")
        #expect { try document.scenario() } throws: { "\($0)".contains("currentReplicasIfHigher") }
    }
}

extension KEDAUpstreamExactTests {
    @Test("scale_handler getScaledObjectState: cpu triggers force Active only when every trigger is cpu/memory")
    func cpuTriggersAndActivity() {
        func object(_ triggers: [KEDATrigger]) -> KEDAScaledObject {
            var spec = KEDASpec()
            spec.minReplicaCount = 0
            spec.triggers = triggers
            return KEDAScaledObject(spec: spec)
        }
        let cpu = KEDATrigger(kind: .cpu, signal: .cpu, thresholdMilli: 50_000, pipeline: .metricsServer)
        let queue = KEDATrigger(kind: .prometheus, signal: .concurrency, thresholdMilli: 10_000)
        var mixed = object([cpu, queue])
        var cpuOnly = object([cpu])
        let idle = ScalingObservation(replicas: ReplicaCounts(ready: 2), activatorQueue: 0,
                                      readings: [[SignalReading(signal: .cpu, sampledAt: .zero, values: [0.1, 0.1])], []])
        _ = mixed.decide(idle, at: .zero)
        _ = cpuOnly.decide(idle, at: .zero)
        // The prometheus trigger reads nothing above its activation threshold: the mixed object is
        // not Active and, past the (zero) initial cooldown, goes to zero.
        let mixedPoll = mixed.decide(idle, at: Self.t(30))
        #expect(mixedPoll.active == false && mixedPoll.desiredReplicas == 0)
        #expect(cpuOnly.decide(idle, at: Self.t(30)).active == true)
    }
}
