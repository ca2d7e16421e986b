import HeadroomEngine

/// The `spec` and `autoscaling.aibrix.ai/*` annotations of an AIBrix `PodAutoscaler`
/// (vllm-project/aibrix `api/autoscaling/v1alpha1/podautoscaler_types.go`,
/// `pkg/controller/podautoscaler/context/context.go`), pinned at main `e3e10f9e` (2026-08-22).
public struct AIBrixSpec: Sendable, Equatable {
    /// `spec.scalingStrategy`.
    public enum Strategy: String, Sendable, CaseIterable { case kpa = "KPA", apa = "APA", hpa = "HPA" }

    /// Which KPA a user means. Up to v0.4 `KPAMetricsClient.UpdateMetrics` summed the metric over
    /// the pods, so `ceil(S / target)` was Knative's total/target; since PR #1575 (`ce2b5961`,
    /// 2025-09) the windows hold the per-pod mean, so KPA computes `ceil(mean / target)` without the
    /// pod count. Only the aggregation differs; the rest is HEAD's.
    public enum KPAVariant: String, Sendable, CaseIterable {
        case v04 = "v0.4", current
    }

    public var strategy: Strategy
    public var kpaVariant: KPAVariant = .current
    /// `spec.minReplicas` (default 1 in the CRD when omitted here, as the samples set it).
    public var minReplicas = 1
    public var maxReplicas: Int
    public var metrics: [AIBrixMetricSource]
    /// `spec.observeWindowSeconds`, the stable window. Default 180 s, 1...3600.
    public var stableWindow: SimTime = .seconds(180)
    /// `spec.panicWindowSeconds`. Default 60 s, at most the stable window.
    public var panicWindow: SimTime = .seconds(60)
    /// The controller's ticker (`DefaultResyncInterval`, `podautoscaler_controller.go`).
    public var resync: SimTime = .seconds(10)
    /// `autoscaling.aibrix.ai/max-scale-up-rate`. Default 2.
    public var maxScaleUpRate = 2.0
    /// `autoscaling.aibrix.ai/max-scale-down-rate`. Default 2.
    public var maxScaleDownRate = 2.0
    /// `autoscaling.aibrix.ai/scale-up-tolerance`. Default 0.1.
    public var upTolerance = 0.1
    /// `autoscaling.aibrix.ai/scale-down-tolerance`. Default 0.1.
    public var downTolerance = 0.1
    /// `autoscaling.aibrix.ai/panic-threshold` (KPA; a ratio, not a percentage). Default 2.
    public var panicThreshold = 2.0
    /// `autoscaling.aibrix.ai/scale-up-cooldown-window`. Default 0 s.
    public var scaleUpCooldown: SimTime = .zero
    /// `autoscaling.aibrix.ai/scale-down-cooldown-window`. Default 300 s.
    public var scaleDownCooldown: SimTime = .seconds(300)
    /// `autoscaling.aibrix.ai/scale-to-zero`: parsed upstream and used nowhere else (issue #476).
    public var scaleToZero = false
    /// PR #2671 (merged 2026-09, after the pinned `e3e10f9e`, so off by default): while some of the
    /// scale target's replicas are not ready, KPA and APA hold the count instead of scaling up
    /// again (issue #2670, the cascade: pods still pulling report nothing, the ready pods' mean
    /// stays high, and APA's `N × mean / target` doubles N every resync).
    public var pendingReplicaGuard = false

    public init(strategy: Strategy, minReplicas: Int = 1, maxReplicas: Int, metrics: [AIBrixMetricSource]) {
        self.strategy = strategy
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.metrics = metrics
    }
}

/// One `spec.metricsSources` entry of type `pod`: a vLLM engine metric scraped from every pod.
public struct AIBrixMetricSource: Sendable, Equatable {
    /// AIBrix's friendly names (`pkg/metrics/metrics.go`) and the vLLM series each reads.
    public static let engineNames: [String: String] = [
        "num_requests_running": "vllm:num_requests_running",
        "num_requests_waiting": "vllm:num_requests_waiting",
        "kv_cache_usage_perc": "vllm:kv_cache_usage_perc",
        "gpu_cache_usage_perc": "vllm:gpu_cache_usage_perc",
    ]

    /// `targetMetric`, as written.
    public var name: String
    /// `targetValue` (> 0).
    public var target: Double
    /// The pods' series, read through the simulated Prometheus (scraped every resync).
    public var query: PromQLQuery

    public init(name: String, target: Double) throws(PromQLError) {
        self.name = name
        self.target = target
        query = try PromQLQuery(Self.engineNames[name] ?? name)
    }
}
