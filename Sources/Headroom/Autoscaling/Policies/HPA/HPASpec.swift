import HeadroomEngine

/// The `spec` of an autoscaling/v2 HorizontalPodAutoscaler, with the field names of the real object
/// so a user can paste theirs (`scaleTargetRef` is accepted and ignored).
public struct HPASpec: Sendable, Equatable {
    /// Default 1 (0 only with the HPAScaleToZero feature).
    public var minReplicas: Int
    public var maxReplicas: Int
    /// Default: one CPU Resource metric at 80 % average utilization.
    public var metrics: [HPAMetric]
    /// `nil` selects the legacy normalization (scale-up cap max(2×current, 4), 5-minute scale-down
    /// stabilization); set, it selects the behavior path with the defaults filled in.
    public var behavior: HPABehavior?

    public init(minReplicas: Int = 1, maxReplicas: Int, metrics: [HPAMetric] = [.cpuUtilization(80)], behavior: HPABehavior? = nil) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.metrics = metrics
        self.behavior = behavior
    }
}

/// One entry of `spec.metrics`.
public struct HPAMetric: Sendable, Equatable {
    public enum Source: String, Sendable, CaseIterable {
        case resource = "Resource", pods = "Pods", object = "Object", external = "External"
    }
    public enum Target: Sendable, Equatable {
        /// Percent of the request (Resource only).
        case utilization(Int)
        /// Per-pod value, in milli-units.
        case averageValue(milli: Int64)
        /// Total value, in milli-units (Object and External).
        case value(milli: Int64)
    }
    public var source: Source
    /// The Headroom signal behind the metric name (unused when `query` is set).
    public var signal: Signal
    public var target: Target
    /// The PromQL query that serves the metric (as a prometheus-adapter or KEDA would), instead of a signal.
    public var query: QueryMetric?

    public init(source: Source, signal: Signal, target: Target, query: QueryMetric? = nil) {
        self.source = source
        self.signal = signal
        self.target = target
        self.query = query
    }

    /// The metric's name in notes: the signal's, or the query.
    public var name: String { query?.query.text ?? signal.rawValue }

    public static func cpuUtilization(_ percent: Int) -> HPAMetric {
        HPAMetric(source: .resource, signal: .cpu, target: .utilization(percent))
    }
}

/// `spec.behavior`.
public struct HPABehavior: Sendable, Equatable {
    public var scaleUp: HPAScalingRules
    public var scaleDown: HPAScalingRules

    public init(scaleUp: HPAScalingRules = .defaultScaleUp, scaleDown: HPAScalingRules = .defaultScaleDown) {
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
    }
}

/// `spec.behavior.scaleUp` / `scaleDown`, defaults filled as the API server fills them.
public struct HPAScalingRules: Sendable, Equatable {
    public enum SelectPolicy: String, Sendable, CaseIterable { case max = "Max", min = "Min", disabled = "Disabled" }
    public struct RatePolicy: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable { case pods = "Pods", percent = "Percent" }
        public var kind: Kind
        /// > 0.
        public var value: Int
        /// 1...1800 seconds.
        public var periodSeconds: Int
        public init(_ kind: Kind, value: Int, periodSeconds: Int) {
            self.kind = kind
            self.value = value
            self.periodSeconds = periodSeconds
        }
    }
    /// Seconds; `nil` for scale-down means the controller's `--horizontal-pod-autoscaler-downscale-stabilization`.
    public var stabilizationWindowSeconds: Int?
    public var selectPolicy: SelectPolicy
    public var policies: [RatePolicy]
    /// Per-direction tolerance (HPAConfigurableTolerance); `nil` means the controller's flag.
    public var tolerance: Double?

    public init(stabilizationWindowSeconds: Int?, selectPolicy: SelectPolicy = .max, policies: [RatePolicy], tolerance: Double? = nil) {
        self.stabilizationWindowSeconds = stabilizationWindowSeconds
        self.selectPolicy = selectPolicy
        self.policies = policies
        self.tolerance = tolerance
    }

    /// scaleUp: no stabilization; Max of 4 pods or 100 % per 15 s.
    public static let defaultScaleUp = HPAScalingRules(
        stabilizationWindowSeconds: 0, policies: [RatePolicy(.pods, value: 4, periodSeconds: 15), RatePolicy(.percent, value: 100, periodSeconds: 15)])
    /// scaleDown: the controller's stabilization (300 s); 100 % per 15 s.
    public static let defaultScaleDown = HPAScalingRules(
        stabilizationWindowSeconds: nil, policies: [RatePolicy(.percent, value: 100, periodSeconds: 15)])
}

/// The kube-controller-manager flags that shape every HPA, and the pipelines the metrics come through.
public struct HPAControllerSettings: Sendable, Equatable {
    /// `--horizontal-pod-autoscaler-sync-period`. Default 15s.
    public var syncPeriod: SimTime = .seconds(15)
    /// `--horizontal-pod-autoscaler-tolerance`. Default 0.1.
    public var tolerance: Double = 0.1
    /// `--horizontal-pod-autoscaler-downscale-stabilization`. Default 5m.
    public var downscaleStabilization: SimTime = .minutes(5)
    /// Pipelines by signal; missing ones use `defaultPipeline(for:)`.
    public var pipelines: [Signal: SignalPipeline] = [:]
    /// Each pod's CPU request in cores (from `replica.cpu.request`), the denominator of CPU utilization.
    public var cpuRequestCores: Double = 8
    /// The Prometheus behind query metrics (scrape intervals).
    public var prometheus = PrometheusScrapeConfig()

    public init() {}

    /// metrics-server for CPU, dcgm-exporter for GPU utilization, a Prometheus adapter otherwise.
    public static func defaultPipeline(for signal: Signal) -> SignalPipeline {
        switch signal {
        case .cpu: return .metricsServer
        case .gpuUtilization: return .dcgmExporter
        case .concurrency, .requestsPerSecond, .completionsPerSecond: return .prometheusAdapter
        }
    }

    public func pipeline(for signal: Signal) -> SignalPipeline { pipelines[signal] ?? Self.defaultPipeline(for: signal) }
}
