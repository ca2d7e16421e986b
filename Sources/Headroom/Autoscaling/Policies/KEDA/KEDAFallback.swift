/// `spec.fallback` (kedacore/keda `pkg/fallback/fallback.go`).
public struct KEDAFallback: Sendable, Equatable {
    /// `behavior`: what the fallback replicas are compared with. Default static.
    public enum Behavior: String, Sendable, CaseIterable {
        case `static`, currentReplicas, currentReplicasIfHigher, currentReplicasIfLower
    }
    /// `failureThreshold`: consecutive failed metric fetches before the fallback applies (it
    /// applies when the count exceeds it). >= 0.
    public var failureThreshold: Int
    /// `replicas`. >= 0.
    public var replicas: Int
    public var behavior: Behavior

    public init(failureThreshold: Int, replicas: Int, behavior: Behavior = .static) {
        self.failureThreshold = failureThreshold
        self.replicas = replicas
        self.behavior = behavior
    }

    /// The replica count the fallback metric stands for (`doFallback`).
    func target(current: Int) -> Int {
        switch behavior {
        case .static: return replicas
        case .currentReplicas: return current
        case .currentReplicasIfHigher: return max(current, replicas)
        case .currentReplicasIfLower: return min(current, replicas)
        }
    }
}

/// One trigger: a metric, its per-replica `threshold` and its `activationThreshold`.
public struct KEDATrigger: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A Prometheus query; `metadata.query` names the Headroom signal it returns.
        case prometheus
        /// The `cpu` trigger: a Resource metric (cannot scale from zero; forces the object active).
        case cpu
    }
    public var kind: Kind
    public var signal: Signal
    /// `metricType`: AverageValue (default, per replica) or Value (total).
    public var averageValue: Bool
    /// `metadata.threshold` (or `value` for cpu), in milli-units (percent for cpu Utilization).
    public var thresholdMilli: Int64
    /// `metadata.activationThreshold`, milli-units; active when the value is strictly greater. Default 0.
    public var activationThresholdMilli: Int64
    /// How the metric reaches KEDA.
    public var pipeline: SignalPipeline

    public init(kind: Kind, signal: Signal, averageValue: Bool = true, thresholdMilli: Int64, activationThresholdMilli: Int64 = 0,
                pipeline: SignalPipeline = .prometheusAdapter) {
        self.kind = kind
        self.signal = signal
        self.averageValue = averageValue
        self.thresholdMilli = thresholdMilli
        self.activationThresholdMilli = activationThresholdMilli
        self.pipeline = pipeline
    }

    /// The External (or, for cpu, Resource) metric of the HPA KEDA creates for this trigger.
    var hpaMetric: HPAMetric {
        switch kind {
        case .cpu: return .cpuUtilization(Int(thresholdMilli / 1000))
        case .prometheus:
            return HPAMetric(source: .external, signal: signal,
                             target: averageValue ? .averageValue(milli: thresholdMilli) : .value(milli: thresholdMilli))
        }
    }
}
