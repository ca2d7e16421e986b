import HeadroomEngine

/// The `spec` of a KEDA ScaledObject (kedacore/keda `apis/keda/v1alpha1/scaledobject_types.go`),
/// with the fields Headroom models.
public struct KEDASpec: Sendable, Equatable {
    /// `pollingInterval`: the KEDA loop's period. Default 30 s.
    public var pollingInterval = SimTime.seconds(30)
    /// `cooldownPeriod`: how long after the last active poll before scaling to zero (or idle). Default 300 s.
    public var cooldownPeriod = SimTime.seconds(300)
    /// `initialCooldownPeriod`: from creation, before the first scale to zero. Default 0 s.
    public var initialCooldownPeriod = SimTime.zero
    /// `minReplicaCount`. Default 0.
    public var minReplicaCount = 0
    /// `maxReplicaCount`. Default 100.
    public var maxReplicaCount = 100
    /// `idleReplicaCount`: replicas while inactive, < minReplicaCount. Default unset.
    public var idleReplicaCount: Int?
    public var triggers: [KEDATrigger] = []
    /// `advanced.horizontalPodAutoscalerConfig.behavior`, passed to the HPA KEDA creates.
    public var behavior: HPABehavior?
    /// The sync period of that HPA. Default 15 s.
    public var hpaSyncPeriod = SimTime.seconds(15)
    /// `fallback`: replicas to ask for once a trigger's metric failed more than `failureThreshold`
    /// times in a row. Default unset (a failing metric leaves the HPA without it).
    public var fallback: KEDAFallback?

    public init() {}
}

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

extension KEDAFallback {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["failureThreshold", "replicas", "behavior"])
        self.init(failureThreshold: try map.required("failureThreshold").int(0...1_000_000),
                  replicas: try map.required("replicas").int(0...10_000),
                  behavior: try map["behavior"]?.choice(Behavior.self) ?? .static)
    }
}
