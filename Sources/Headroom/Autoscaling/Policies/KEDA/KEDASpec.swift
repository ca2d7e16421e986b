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
    /// The Prometheus that PromQL triggers query (scrape intervals).
    public var prometheus = PrometheusScrapeConfig()

    public init() {}
}

/// One trigger: a metric, its per-replica `threshold` and its `activationThreshold`.
public struct KEDATrigger: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A Prometheus query: a PromQL expression (`query`), or the name of a Headroom signal.
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
    /// The PromQL query, read as KEDA's Prometheus scaler reads it; `nil` for a signal name.
    public var query: QueryMetric?

    public init(kind: Kind, signal: Signal, averageValue: Bool = true, thresholdMilli: Int64, activationThresholdMilli: Int64 = 0,
                pipeline: SignalPipeline = .prometheusAdapter, query: QueryMetric? = nil) {
        self.query = query
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
                             target: averageValue ? .averageValue(milli: thresholdMilli) : .value(milli: thresholdMilli), query: query)
        }
    }
}
