import HeadroomEngine
import Testing
@testable import Headroom

/// Cases from kubernetes/kubernetes `pkg/controller/podautoscaler/replica_calculator_test.go`
/// (test names cited), with milli-CPU levels and 1-core requests.
@Suite("HPA replica calculator")
struct HPAReplicaCalculatorTests {
    typealias Pod = HPAReplicaCalculator.PodSample
    static func cpu(_ levels: [Int64], request: Int64 = 1000) -> [Pod] { levels.map { Pod(value: $0, request: request) } }

    @Test("TestReplicaCalcMissingMetrics: 2 of 4 pods report 400m and 95m at target 100 % → 3")
    func missingMetrics() {
        let result = HPAReplicaCalculator.podReplicas(
            current: 4, ready: Self.cpu([400, 95]), unready: [], missing: Self.cpu([0, 0]), target: .utilization(100))
        #expect(result == 3)
    }

    @Test("TestReplicaCalcMissingMetricsUnreadyScaleUp: unready and missing pods count as 0 on scale-up → 4")
    func unreadyScaleUp() {
        let result = HPAReplicaCalculator.podReplicas(
            current: 3, ready: Self.cpu([2000]), unready: Self.cpu([100]), missing: Self.cpu([0]), target: .utilization(50))
        #expect(result == 4)
    }

    @Test("TestReplicaCalcMissingMetricsUnreadyScaleDown: missing pods count as full on scale-down → 3")
    func unreadyScaleDown() {
        let result = HPAReplicaCalculator.podReplicas(
            current: 4, ready: Self.cpu([100, 100]), unready: Self.cpu([100]), missing: Self.cpu([0]), target: .utilization(50))
        #expect(result == 3)
    }

    @Test("TestReplicaCalcMissingMetricsNoChangeGt/Lt: the rebalance never flips direction")
    func noDirectionFlip() {
        // 1900m on one of two pods: ratio 1.9 up; the missing pod at 0 gives 0.95 → within tolerance.
        #expect(HPAReplicaCalculator.podReplicas(current: 2, ready: Self.cpu([1900]), unready: [], missing: Self.cpu([0]),
                                                 target: .utilization(100)) == 2)
        // 600m: ratio 0.6 down; the missing pod at 100 % gives 0.8 → ceil(0.8 × 2) = 2 = current.
        #expect(HPAReplicaCalculator.podReplicas(current: 2, ready: Self.cpu([600]), unready: [], missing: Self.cpu([0]),
                                                 target: .utilization(100)) == 2)
    }

    @Test("TestReplicaCalcTolerance: 102 % of target with unequal requests stays at 3")
    func tolerance() {
        let pods = [Pod(value: 1010, request: 900), Pod(value: 1030, request: 1000), Pod(value: 1020, request: 1100)]
        #expect(HPAReplicaCalculator.podReplicas(current: 3, ready: pods, unready: [], missing: [], target: .utilization(100)) == 3)
    }

    @Test("TestReplicaCalcSuperfluousMetrics: 587 % utilization on 4 pods → 24")
    func scaleUp() {
        #expect(HPAReplicaCalculator.podReplicas(current: 4, ready: Self.cpu([4000, 9500, 3000, 7000]), unready: [], missing: [],
                                                 target: .utilization(100)) == 24)
    }

    @Test("TestReplicaCalcToleranceCM: Pods metric averaging 20666m against 20 stays at 3; truncation of the average")
    func podsMetric() {
        let pods = [20000, 21000, 21000].map { Pod(value: $0) }
        #expect(HPAReplicaCalculator.podReplicas(current: 3, ready: pods, unready: [], missing: [], target: .averageValue(20000)) == 3)
        // 30 per pod against 10 → 9.
        #expect(HPAReplicaCalculator.podReplicas(current: 3, ready: [30_000, 30_000, 30_000].map { Pod(value: $0) }, unready: [],
                                                 missing: [], target: .averageValue(10_000)) == 9)
    }

    @Test("utilization is truncated before the ratio: 24.75 % reads 24 %")
    func truncation() {
        #expect(HPAReplicaCalculator.ratio(Self.cpu([495], request: 2000), .utilization(100)) == 0.24)
    }

    @Test("TestReplicaCalcToleranceCMExternal / TolerancePerPodCMExternal and Object Value")
    func externalAndObject() {
        #expect(HPAReplicaCalculator.valueReplicas(current: 3, readyPods: 3, total: 8_600_000, target: 8_888_000) == 3)
        #expect(HPAReplicaCalculator.averageValueReplicas(statusReplicas: 3, total: 8_600_000, targetPerPod: 2_900_000) == 3)
        // Value target: ratio 2 on 4 ready pods → 8; from zero, the ratio alone.
        #expect(HPAReplicaCalculator.valueReplicas(current: 4, readyPods: 4, total: 200_000, target: 100_000) == 8)
        #expect(HPAReplicaCalculator.valueReplicas(current: 0, readyPods: 0, total: 250_000, target: 100_000) == 3)
        // AverageValue (KEDA's path): ceil(total / target per pod).
        #expect(HPAReplicaCalculator.averageValueReplicas(statusReplicas: 2, total: 45_000, targetPerPod: 10_000) == 5)
    }

    @Test("no ready pod reported: the metric is invalid")
    func noData() {
        #expect(HPAReplicaCalculator.podReplicas(current: 2, ready: [], unready: [], missing: Self.cpu([0]), target: .utilization(50)) == nil)
    }
}

@Suite("HPA normalization")
struct HPANormalizerTests {
    static func t(_ seconds: Double) -> SimTime { .seconds(seconds) }

    @Test("legacy: scale-down waits for the 5-minute maximum; scale-up capped at max(2×current, 4)")
    func legacy() {
        var normalizer = HPANormalizer()
        normalizer.seed(current: 10, at: Self.t(0))
        // Proposal 3 at 60 s: the seed (10) is inside the window → stay at 10.
        #expect(normalizer.legacy(proposal: 3, current: 10, min: 1, max: 100, window: .minutes(5), at: Self.t(60)).replicas == 10)
        // At 300 s the seed is exactly at the cutoff: still inside (boundary included).
        #expect(normalizer.legacy(proposal: 3, current: 10, min: 1, max: 100, window: .minutes(5), at: Self.t(300)).replicas == 10)
        // At 361 s every stored recommendation but the proposals of 3 is older than 5 minutes.
        #expect(normalizer.legacy(proposal: 3, current: 10, min: 1, max: 100, window: .minutes(5), at: Self.t(361)).replicas == 3)
        var fresh = HPANormalizer()
        fresh.seed(current: 2, at: Self.t(0))
        #expect(fresh.legacy(proposal: 50, current: 2, min: 1, max: 100, window: .minutes(5), at: Self.t(15)).replicas == 4)
        #expect(fresh.legacy(proposal: 50, current: 10, min: 1, max: 100, window: .minutes(5), at: Self.t(30)).replicas == 20)
        #expect(fresh.legacy(proposal: 50, current: 20, min: 1, max: 30, window: .minutes(5), at: Self.t(45)).replicas == 30)
    }

    @Test("behavior defaults: scale up by max(4 pods, 100 %) per 15 s; events inside the period count")
    func behaviorScaleUp() {
        var normalizer = HPANormalizer()
        normalizer.seed(current: 1, at: Self.t(0))
        let behavior = HPABehavior()
        var current = 1
        var trajectory: [Int] = []
        for step in 1...4 {
            let now = Self.t(Double(step) * 15)
            let next = normalizer.withBehavior(proposal: 40, current: current, min: 1, max: 40, behavior: behavior,
                                               defaultDownWindow: .minutes(5), at: now).replicas
            normalizer.recordScale(from: current, to: next, behavior: behavior, at: now)
            current = next
            trajectory.append(current)
        }
        // 1 → max(1+4, 2) = 5 → max(9, 10) = 10 → 20 → 40.
        #expect(trajectory == [5, 10, 20, 40])
    }

    @Test("behavior: a second sync inside the period only adds what the period still allows")
    func behaviorPeriod() {
        var normalizer = HPANormalizer()
        normalizer.seed(current: 4, at: Self.t(0))
        let behavior = HPABehavior(scaleUp: HPAScalingRules(stabilizationWindowSeconds: 0, policies: [.init(.pods, value: 2, periodSeconds: 60)]))
        let first = normalizer.withBehavior(proposal: 20, current: 4, min: 1, max: 40, behavior: behavior, defaultDownWindow: .minutes(5), at: Self.t(15))
        normalizer.recordScale(from: 4, to: first.replicas, behavior: behavior, at: Self.t(15))
        #expect(first.replicas == 6)
        // 30 s later the period start is 6 − 2 = 4, so the limit is still 6.
        let second = normalizer.withBehavior(proposal: 20, current: 6, min: 1, max: 40, behavior: behavior, defaultDownWindow: .minutes(5), at: Self.t(45))
        #expect(second.replicas == 6)
        // Past the period (at 76 s) two more.
        #expect(normalizer.withBehavior(proposal: 20, current: 6, min: 1, max: 40, behavior: behavior, defaultDownWindow: .minutes(5),
                                        at: Self.t(76)).replicas == 8)
    }

    @Test("behavior: scale-down stabilization takes the max over the window (boundary excluded); Disabled holds")
    func behaviorScaleDown() {
        var normalizer = HPANormalizer()
        normalizer.seed(current: 8, at: Self.t(0))
        let behavior = HPABehavior(scaleDown: HPAScalingRules(stabilizationWindowSeconds: 60, policies: [.init(.percent, value: 50, periodSeconds: 15)]))
        #expect(normalizer.withBehavior(proposal: 2, current: 8, min: 1, max: 10, behavior: behavior, defaultDownWindow: .minutes(5),
                                        at: Self.t(30)).replicas == 8)
        // At 60 s the seed sits exactly on the cutoff and no longer counts: max(2, 2) = 2, but 50 %
        // per 15 s allows only trunc(8 × 0.5) = 4.
        #expect(normalizer.withBehavior(proposal: 2, current: 8, min: 1, max: 10, behavior: behavior, defaultDownWindow: .minutes(5),
                                        at: Self.t(60)).replicas == 4)
        var disabled = HPANormalizer()
        disabled.seed(current: 8, at: Self.t(0))
        let off = HPABehavior(scaleDown: HPAScalingRules(stabilizationWindowSeconds: 0, selectPolicy: .disabled, policies: []))
        #expect(disabled.withBehavior(proposal: 2, current: 8, min: 1, max: 10, behavior: off, defaultDownWindow: .minutes(5),
                                      at: Self.t(60)).replicas == 8)
    }
}
