import HeadroomEngine
import Testing
@testable import Headroom

@Suite("Knative KPA")
struct KPATests {
    static func t(_ seconds: Double) -> SimTime { .seconds(seconds) }

    @Test("window average: partial window right after data starts, gaps dropped, zero after a whole window")
    func windowAverage() {
        var window = WindowAverage(window: .seconds(6))
        window.record(10, at: Self.t(100))
        window.record(20, at: Self.t(101.5))
        // Two buckets since the first write.
        #expect(window.average(at: Self.t(101.9)) == 15)
        // 2 s later with no writes: buckets 102, 103 are dropped from the divisor.
        #expect(window.average(at: Self.t(103)) == 15)
        window.record(0, at: Self.t(104))
        // Five buckets since the first write (100…104), two of them written with data.
        #expect(window.average(at: Self.t(104)) == 6)
        #expect(window.average(at: Self.t(111)) == 0)
        #expect(window.isEmpty(at: Self.t(111)))
        // Two writes in one bucket add up.
        var same = WindowAverage(window: .seconds(60))
        same.record(3, at: Self.t(5.1))
        same.record(4, at: Self.t(5.9))
        #expect(same.average(at: Self.t(5.9)) == 7)
    }

    @Test("the scale-down delay holds the maximum over the last delay, in 2 s buckets")
    func maxWindow() {
        var window = MaxWindow(delay: .seconds(10))
        #expect(window.record(8, at: Self.t(0)) == 8)
        #expect(window.record(3, at: Self.t(4)) == 8)
        #expect(window.record(2, at: Self.t(8)) == 8)
        #expect(window.record(2, at: Self.t(10)) == 3)
        #expect(window.record(1, at: Self.t(14)) == 2)
    }

    static func decider(_ configure: (inout KPASpec) -> Void = { _ in }) -> KnativePodAutoscaler {
        var spec = KPASpec()
        configure(&spec)
        var kpa = KnativePodAutoscaler(spec: spec)
        _ = kpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 1), activatorQueue: 0), at: .zero)
        return kpa
    }

    @Test("stable mode: ceil(observed / (target × 0.7)) within the rate limits")
    func stableMode() {
        var kpa = Self.decider { $0.target = 10 }
        // Target 10 × 0.7 = 7; 50 in flight over 5 ready pods → ceil(50/7) = 8; panic needs 8/5 ≥ 2: no.
        #expect(kpa.scale(stable: 50, panic: 50, ready: 5, at: Self.t(10)).0 == 8)
        // Scale-down by at most half per tick: 1 in flight on 10 pods → floor(10 / 2) = 5.
        #expect(kpa.scale(stable: 1, panic: 1, ready: 10, at: Self.t(12)).0 == 5)
    }

    @Test("panic: when ceil(panic/target) / ready ≥ 2, scale on the panic window and never down until a stable window passes")
    func panicMode() {
        var kpa = Self.decider { $0.target = 10 }
        // 6 s average 70 on 2 pods: ceil(70/7) = 10 → 10/2 = 5 ≥ 2 → panic; stable says 3.
        let (first, reason) = kpa.scale(stable: 20, panic: 70, ready: 2, at: Self.t(10))
        #expect(first == 10)
        #expect(reason.hasPrefix("panic"))
        // Load falls: panic holds the maximum.
        #expect(kpa.scale(stable: 20, panic: 14, ready: 10, at: Self.t(12)).0 == 10)
        // 60 s after the last over-threshold tick (strictly after), panic ends; stable rules (down by half at most).
        #expect(kpa.scale(stable: 20, panic: 14, ready: 10, at: Self.t(70)).0 == 10)
        #expect(kpa.scale(stable: 20, panic: 14, ready: 10, at: Self.t(70.5)).0 == 5)
    }

    @Test("activation scale raises a non-zero desire; max-scale-up-rate caps growth")
    func activationAndRates() {
        var kpa = Self.decider { spec in
            spec.target = 10
            spec.activationScale = 3
            spec.maxScaleUpRate = 2
        }
        #expect(kpa.scale(stable: 1, panic: 1, ready: 1, at: Self.t(10)).0 == 3)
        // 1000 in flight on 2 pods: at most ceil(2 × 2) = 4.
        #expect(kpa.scale(stable: 1000, panic: 1000, ready: 2, at: Self.t(12)).0 == 4)
    }

    @Test("scale to zero: held at 1 while active less than a stable window, then inactive for the grace period, then 0")
    func scaleToZero() {
        var kpa = Self.decider()
        let one = ReplicaCounts(ready: 1)
        #expect(kpa.bound(1, current: one, at: Self.t(0), reason: "").desiredReplicas == 1)
        #expect(kpa.bound(0, current: one, at: Self.t(30), reason: "").desiredReplicas == 1)
        #expect(kpa.bound(0, current: one, at: Self.t(62), reason: "").desiredReplicas == 1)   // marked inactive
        #expect(kpa.bound(0, current: one, at: Self.t(80), reason: "").desiredReplicas == 1)   // grace period
        #expect(kpa.bound(0, current: one, at: Self.t(92), reason: "").desiredReplicas == 0)
        var pinned = Self.decider { $0.minScale = 2 }
        #expect(pinned.bound(0, current: ReplicaCounts(ready: 2), at: Self.t(500), reason: "").desiredReplicas == 2)
        var noZero = Self.decider { $0.enableScaleToZero = false }
        #expect(noZero.bound(0, current: one, at: Self.t(500), reason: "").desiredReplicas == 1)
    }

    @Test("targets: containerConcurrency caps the annotation; rps defaults to 200 × 0.7")
    func targets() {
        var spec = KPASpec()
        #expect(spec.targetValue == 70)
        spec.containerConcurrency = 10
        #expect(abs(spec.targetValue - 7) < 1e-12)
        spec.target = 50
        #expect(abs(spec.targetValue - 7) < 1e-12)
        spec.metric = .rps
        spec.target = nil
        #expect(abs(spec.targetValue - 140) < 1e-9)
        #expect(KPASpec().panicWindow == .seconds(6))
    }
}
