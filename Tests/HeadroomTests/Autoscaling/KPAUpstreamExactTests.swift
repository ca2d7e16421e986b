import HeadroomEngine
import Testing
@testable import Headroom

/// The KPA's last differences from Knative, each against the upstream test it mirrors
/// (knative/serving `pkg/autoscaler/aggregation/bucketing_test.go`,
/// `pkg/autoscaler/scaling/autoscaler_test.go`, `pkg/reconciler/autoscaling/kpa/scaler_test.go`).
@Suite("KPA upstream-exact")
struct KPAUpstreamExactTests {
    static func t(_ seconds: Double) -> SimTime { .seconds(seconds) }
    static func value(_ value: Double) -> Double { value }

    @Test("TestTimedFloat64BucketsWindowAverage: late records land in their bucket and move the first write back; a window older is dropped")
    func windowAverageOutOfOrder() {
        // `now` off the second, as time.Now() is upstream.
        var now = Self.t(100.3)
        var buckets = WindowAverage(window: .seconds(5))
        buckets.record(1, at: now)
        #expect(buckets.average(at: now) == Self.value(1))
        for i in 1..<5 { buckets.record(Double(i + 1), at: now + Self.t(Double(i))) }
        #expect(buckets.average(at: now + Self.t(4)) == Self.value(15.0 / 5))
        #expect(buckets.average(at: now + Self.t(3.6)) == Self.value(15.0 / 5))
        #expect(buckets.average(at: now + Self.t(6)) == Self.value((15.0 - 1 - 2) / (5 - 2)))
        #expect(buckets.average(at: now + Self.t(10)) == Self.value(0))
        buckets.record(91, at: now + Self.t(6))
        #expect(buckets.average(at: now + Self.t(6)) == Self.value((15.0 - 1 - 2 + 91) / 5))
        now = now + Self.t(60)
        buckets.record(1984, at: now)
        #expect(buckets.average(at: now) == Self.value(1984))
        // An earlier time: its own bucket, and the divisor spans back to it.
        buckets.record(4, at: now - Self.t(3))
        #expect(buckets.average(at: now) == Self.value((4.0 + 1984) / 4))
        now = now + Self.t(1)
        buckets.record(5, at: now)
        #expect(buckets.average(at: now) == Self.value((4.0 + 1984 + 5) / 5))
        buckets.record(10, at: now - Self.t(3))
        #expect(buckets.average(at: now) == Self.value((4.0 + 10 + 1984 + 5) / 5))
        // Too early (a window or more before the last write): ignored.
        buckets.record(10, at: now - Self.t(6))
        #expect(buckets.average(at: now) == Self.value((4.0 + 10 + 1984 + 5) / 5))
        buckets.record(10, at: now - Self.t(5))
        #expect(buckets.average(at: now) == Self.value((4.0 + 10 + 1984 + 5) / 5))
        // Nothing for exactly a window: cleared.
        buckets.record(10, at: now + Self.t(5))
        #expect(buckets.average(at: now + Self.t(5)) == Self.value(10))
    }

    @Test("TestDescendingRecord: a 5 written every second in descending order averages 5")
    func descendingRecords() {
        let now = Self.t(200.4)
        var buckets = WindowAverage(window: .seconds(5))
        for i in stride(from: 8, through: 0, by: -1) { buckets.record(5, at: now + Self.t(Double(i))) }
        #expect(buckets.average(at: now + Self.t(5)) == Self.value(5))
    }

    static func kpa(_ configure: (inout KPASpec) -> Void = { _ in }) -> KnativePodAutoscaler {
        var spec = KPASpec()
        configure(&spec)
        var kpa = KnativePodAutoscaler(spec: spec)
        _ = kpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 1), activatorQueue: 0), at: .zero)
        return kpa
    }

    static func reading(_ value: Double, at seconds: Double) -> [[SignalReading]] {
        [[SignalReading(signal: .concurrency, sampledAt: .seconds(seconds), values: [value])]]
    }

    @Test("TestAutoscalerMetrics: target 10, burst capacity 100, 50 in flight on 1 pod → 5 pods and excess burst capacity recorded on the decision")
    func excessBurstCapacityOnEveryDecision() {
        var kpa = Self.kpa { spec in
            spec.target = 20
            spec.targetUtilization = 0.5
            spec.targetBurstCapacity = 100
        }
        let one = ReplicaCounts(ready: 1)
        let decision = kpa.decide(ScalingObservation(replicas: one, activatorQueue: 0, readings: Self.reading(50, at: 2)), at: Self.t(2))
        #expect(decision.desiredReplicas == 5)
        // floor(1 × 20 − 100 − 50)
        #expect(decision.excessBurstCapacity == -130)
        // TestAutoscalerNoDataNoAutoscale: without data for a stable window the decider's result is
        // invalid; the PodAutoscaler keeps its last desired scale (not 0) and its last excess capacity.
        let later = kpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 5), activatorQueue: 0), at: Self.t(100))
        #expect(later.desiredReplicas == 5)
        #expect(later.excessBurstCapacity == -130)
    }

    @Test("collection.record(clock.Now(), stat): a scrape is recorded when it reaches the autoscaler, its sample time plus the pipeline's lag")
    func scrapesRecordedOnArrival() {
        var kpa = Self.kpa { $0.pipeline = SignalPipeline(scrapeInterval: .seconds(1), window: .seconds(1), lag: .seconds(30)) }
        // Sampled at 30 s, it arrived at 60 s: 40 s before now, inside the 60 s stable window.
        let decision = kpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 1), activatorQueue: 0, readings: Self.reading(140, at: 30)),
                                  at: Self.t(100))
        #expect(decision.reason.hasPrefix("stable"), "\(decision.reason)")
        #expect(decision.desiredReplicas == 2)
    }

    @Test("TestAutoscalerNoDataNoAutoscale: before any data the decider changes nothing")
    func noDataNoAutoscale() {
        var kpa = Self.kpa()
        let decision = kpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 3), activatorQueue: 0), at: Self.t(2))
        #expect(decision.desiredReplicas == 3)
        #expect(decision.excessBurstCapacity != nil)
    }

    @Test("TestScaler 'ignore minScale if unreachable' and 'observe minScale if reachability unknown'")
    func unreachableIgnoresMinScale() {
        var reachable = Self.kpa { $0.minScale = 2 }
        var unreachable = Self.kpa { spec in
            spec.minScale = 2
            spec.unreachableFrom = .zero
        }
        let ten = ReplicaCounts(ready: 10)
        #expect(reachable.bound(0, current: ten, at: Self.t(100), reason: "").desiredReplicas == 2)
        // Inactive from 100 s; after the 30 s grace period the unreachable revision goes to zero.
        #expect(unreachable.bound(0, current: ten, at: Self.t(100), reason: "").desiredReplicas == 10)
        #expect(unreachable.bound(0, current: ten, at: Self.t(131), reason: "").desiredReplicas == 0)
    }

    @Test("TestScaler 'unreachable revision with initialScale > 1 can scale to 0' and 'scale to zero ignore last pod retention if revision is unreachable'")
    func unreachableIgnoresInitialScaleAndRetention() {
        var reachable = Self.kpa { $0.initialScale = 2 }
        var unreachable = Self.kpa { spec in
            spec.initialScale = 2
            spec.scaleToZeroPodRetention = .minutes(10)
            spec.unreachableFrom = Self.t(50)
        }
        let one = ReplicaCounts(ready: 1)
        // Never reached its initial scale of 2: a reachable revision holds it.
        #expect(reachable.bound(0, current: one, at: Self.t(100), reason: "").desiredReplicas == 2)
        #expect(unreachable.bound(0, current: one, at: Self.t(100), reason: "").desiredReplicas == 1)
        #expect(unreachable.bound(0, current: one, at: Self.t(131), reason: "").desiredReplicas == 0)
        // Before traffic moved away the revision was reachable and held it.
        var before = Self.kpa { spec in
            spec.initialScale = 2
            spec.unreachableFrom = Self.t(500)
        }
        #expect(before.bound(0, current: one, at: Self.t(100), reason: "").desiredReplicas == 2)
    }
}
