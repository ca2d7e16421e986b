/// The HPA's per-metric replica proposals, integer-exact as kube-controller-manager computes them
/// (kubernetes/kubernetes `pkg/controller/podautoscaler/replica_calculator.go` and
/// `metrics/utilization.go`): quantities are milli-units in `Int64`, utilization percentages are
/// truncated, and products are rounded up in `Double` as Go does.
public enum HPAReplicaCalculator {
    /// Per-direction tolerance: a ratio within [1 − down, 1 + up] means "no change".
    public struct Tolerance: Sendable, Equatable {
        public var down: Double
        public var up: Double
        public init(down: Double = 0.1, up: Double = 0.1) {
            self.down = down
            self.up = up
        }
        public func contains(_ ratio: Double) -> Bool { 1 - down <= ratio && ratio <= 1 + up }
    }

    /// A pod's sample: usage in milli-units and, for utilization targets, its request in milli-units.
    public struct PodSample: Sendable, Equatable {
        public var value: Int64
        public var request: Int64
        public init(value: Int64, request: Int64 = 0) {
            self.value = value
            self.request = request
        }
    }

    /// The target of a per-pod computation.
    public enum PodTarget: Sendable, Equatable {
        /// Percent of the request (Resource Utilization).
        case utilization(Int)
        /// Milli-units per pod (Pods metrics, Resource AverageValue).
        case averageValue(Int64)
    }

    /// Resource and Pods metrics (§1.5a): the first pass over ready pods, then the conservative
    /// rebalance when pods are missing or unready. `ready` are the ready pods' samples; `unready`
    /// (with their requests) and `missing` (with their requests) are the pods without usable ones.
    /// Returns `nil` when no ready pod reported (the metric is invalid this cycle).
    public static func podReplicas(
        current: Int, ready: [PodSample], unready: [PodSample], missing: [PodSample], target: PodTarget,
        tolerance: Tolerance = Tolerance()
    ) -> Int? {
        guard !ready.isEmpty else { return nil }
        let usageRatio = ratio(ready, target)
        let scaleUpWithUnready = !unready.isEmpty && usageRatio > 1
        if !scaleUpWithUnready && missing.isEmpty {
            if tolerance.contains(usageRatio) { return current }
            return Int((usageRatio * Double(ready.count)).rounded(.up))
        }
        var all = ready
        if !missing.isEmpty {
            if usageRatio < 1 {
                all += missing.map { PodSample(value: full($0, target), request: $0.request) }
            } else if usageRatio > 1 {
                all += missing.map { PodSample(value: 0, request: $0.request) }
            }
        }
        if scaleUpWithUnready { all += unready.map { PodSample(value: 0, request: $0.request) } }
        let newRatio = ratio(all, target)
        if tolerance.contains(newRatio) || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1) {
            return current
        }
        let proposal = Int((newRatio * Double(all.count)).rounded(.up))
        if (newRatio < 1 && proposal > current) || (newRatio > 1 && proposal < current) { return current }
        return proposal
    }

    /// Object and External metrics with a Value target (§1.5b, c): the total against the target,
    /// times the ready pods; from zero, the ratio alone (no tolerance).
    public static func valueReplicas(current: Int, readyPods: Int, total: Int64, target: Int64, tolerance: Tolerance = Tolerance()) -> Int {
        let usageRatio = Double(total) / Double(target)
        if current == 0 { return Int(usageRatio.rounded(.up)) }
        if tolerance.contains(usageRatio) { return current }
        return Int((usageRatio * Double(readyPods)).rounded(.up))
    }

    /// Object and External metrics with an AverageValue target (§1.5d, KEDA's path): the total over
    /// the target per pod, against `status.replicas`.
    public static func averageValueReplicas(statusReplicas: Int, total: Int64, targetPerPod: Int64, tolerance: Tolerance = Tolerance()) -> Int {
        let usageRatio = Double(total) / (Double(targetPerPod) * Double(statusReplicas))
        if tolerance.contains(usageRatio) { return statusReplicas }
        return Int((Double(total) / Double(targetPerPod)).rounded(.up))
    }

    /// `trunc(100·Σusage/Σrequest) / target`, or `trunc(Σvalue/n) / target`.
    static func ratio(_ pods: [PodSample], _ target: PodTarget) -> Double {
        switch target {
        case let .utilization(percent):
            let usage = pods.reduce(Int64(0)) { $0 + $1.value }, request = pods.reduce(Int64(0)) { $0 + $1.request }
            return Double(Int32(truncatingIfNeeded: usage * 100 / max(1, request))) / Double(percent)
        case let .averageValue(milli):
            let average = pods.reduce(Int64(0)) { $0 + $1.value } / Int64(pods.count)
            return Double(average) / Double(milli)
        }
    }

    /// What a missing pod counts as on scale-down: its full request (or the target above 100 %), or
    /// exactly the target value.
    static func full(_ pod: PodSample, _ target: PodTarget) -> Int64 {
        switch target {
        case let .utilization(percent): return pod.request * Int64(max(100, percent)) / 100
        case let .averageValue(milli): return milli
        }
    }
}
