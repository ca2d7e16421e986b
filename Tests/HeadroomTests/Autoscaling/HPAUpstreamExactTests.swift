import HeadroomEngine
import Testing
@testable import Headroom

/// The HPA's last differences from kube-controller-manager, each against the upstream test it
/// mirrors (kubernetes/kubernetes `pkg/controller/podautoscaler/horizontal_test.go`).
@Suite("HPA upstream-exact")
struct HPAUpstreamExactTests {
    static func t(_ seconds: Double) -> SimTime { .seconds(seconds) }
    typealias Event = HPANormalizer.ScaleEvent

    @Test("TestStoreScaleEvents 'replace one entry, use policies with different periods': the last outdated slot is reused")
    func storeScaleEventReusesLastOutdatedSlot() {
        let now = Self.t(1000)
        var events = [Event(change: 8, time: now - Self.t(29)), Event(change: 6, time: now - Self.t(59)),
                      Event(change: 7, time: now - Self.t(61)), Event(change: 9, time: now - Self.t(61))]
        // Policies of 60 s and 30 s: the longest period is 60 s.
        HPANormalizer.store(5, in: &events, longestPeriod: 60, at: now)
        #expect(events.map(\.change) == [8, 6, 7, 5])
        #expect(events.map(\.outdated) == [false, false, true, false])
        #expect(events[3].time == now)
        // Events inside the period still add up as upstream's getReplicasChangePerPeriod does.
        #expect(HPANormalizer.change(in: events, periodSeconds: 60, at: now) == 8 + 6 + 5)
    }

    static func hpa(min: Int, max: Int) -> HorizontalPodAutoscaler {
        var settings = HPAControllerSettings()
        settings.cpuRequestCores = 1
        return HorizontalPodAutoscaler(spec: HPASpec(minReplicas: min, maxReplicas: max, metrics: [.cpuUtilization(90)]), settings: settings)
    }

    static func cpu(_ cores: [Double]) -> [[SignalReading]] {
        [[SignalReading(signal: .cpu, sampledAt: .zero, values: cores)]]
    }

    @Test("TestTooManyReplicas: the first reconcile of a new HPA brings 10 replicas down to maxReplicas 5")
    func firstReconcileAboveMax() {
        var hpa = Self.hpa(min: 3, max: 5)
        let decision = hpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 10), activatorQueue: 0), at: .zero)
        #expect(decision.desiredReplicas == 5)
    }

    @Test("TestTooFewReplicas: the first reconcile raises 2 replicas to minReplicas 3")
    func firstReconcileBelowMin() {
        var hpa = Self.hpa(min: 3, max: 5)
        #expect(hpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 2), activatorQueue: 0), at: .zero).desiredReplicas == 3)
    }

    @Test("TestMaxReplicas: the first reconcile computes the metric and caps it at maxReplicas (3 pods at 8, 9.5, 1 cores, target 90 %)")
    func firstReconcileNormalizes() {
        var hpa = Self.hpa(min: 2, max: 5)
        let decision = hpa.decide(
            ScalingObservation(replicas: ReplicaCounts(ready: 3), activatorQueue: 0, readings: Self.cpu([8, 9.5, 1])), at: .zero)
        #expect(decision.desiredReplicas == 5)
        #expect(decision.reason.contains("capped at maxReplicas"))
    }

    @Test("A run still starts with the Deployment's replicas; the HPA's reconcile at that instant has no metrics yet")
    func deploymentStartsTheFleet() {
        var hpa = Self.hpa(min: 2, max: 5)
        let decision = hpa.decide(ScalingObservation(replicas: ReplicaCounts(), activatorQueue: 0), at: .zero)
        #expect(decision.desiredReplicas == 2)
        #expect(decision.reason.hasPrefix("Deployment starts with 2 replicas"))
    }

    @Test("TestEmptyMetrics: a failed metrics fetch sets ScalingActive=False (FailedGetResourceMetric) and keeps the count")
    func metricsUnavailableKeepsCount() {
        var hpa = Self.hpa(min: 2, max: 6)
        _ = hpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 4), activatorQueue: 0, readings: Self.cpu([0.1, 0.1, 0.1, 0.1])), at: .zero)
        // The last good reading would say scale down; during the outage it is not used.
        let decision = hpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 4), activatorQueue: 0, unavailable: [true]), at: Self.t(15))
        #expect(decision.desiredReplicas == 4)
        #expect(decision.reason.contains("ScalingActive=False"))
        #expect(decision.reason.contains("FailedGetResourceMetric"))
    }
}
