import HeadroomEngine

/// Knative's autoscaling settings for one revision: the `config-autoscaler` ConfigMap defaults with
/// the revision's `autoscaling.knative.dev/*` annotations applied (knative/serving
/// `pkg/autoscaler/config/config.go`, `pkg/reconciler/autoscaling/resources/target.go`).
public struct KPASpec: Sendable, Equatable {
    public enum Metric: String, Sendable, CaseIterable { case concurrency, rps }

    /// `autoscaling.knative.dev/metric`. Default concurrency.
    public var metric: Metric = .concurrency
    /// The Service's `containerConcurrency` (0 = unlimited). Default 0.
    public var containerConcurrency = 0
    /// `autoscaling.knative.dev/target`; default `container-concurrency-target-default` (100) or
    /// `requests-per-second-target-default` (200).
    public var target: Double?
    /// `target-utilization-percentage` / 100. Default 0.7.
    public var targetUtilization = 0.7
    /// `stable-window` / `autoscaling.knative.dev/window`. Default 60s; 6s...1h.
    public var stableWindow = SimTime.seconds(60)
    /// `panic-window-percentage`. Default 10; 1...100.
    public var panicWindowPercentage = 10.0
    /// `panic-threshold-percentage`. Default 200; 110...1000.
    public var panicThresholdPercentage = 200.0
    /// `max-scale-up-rate`. Default 1000; > 1.
    public var maxScaleUpRate = 1000.0
    /// `max-scale-down-rate`. Default 2; > 1.
    public var maxScaleDownRate = 2.0
    /// `target-burst-capacity`. Default 211; -1 keeps the activator always in the path.
    public var targetBurstCapacity = 211.0
    /// `scale-down-delay`. Default 0s.
    public var scaleDownDelay = SimTime.zero
    /// `min-scale`, `max-scale` (0 = unbounded), `initial-scale`, `activation-scale`.
    public var minScale = 0
    public var maxScale = 0
    public var initialScale = 1
    public var activationScale = 1
    /// `enable-scale-to-zero`. Default true.
    public var enableScaleToZero = true
    /// `scale-to-zero-grace-period`. Default 30s.
    public var scaleToZeroGracePeriod = SimTime.seconds(30)
    /// `scale-to-zero-pod-retention-period`. Default 0s.
    public var scaleToZeroPodRetention = SimTime.zero
    /// The decider's tick. Default 2s.
    public var tickInterval = SimTime.seconds(2)
    /// When the revision stops receiving traffic (`spec.reachability: Unreachable`, e.g. a route
    /// shifted to a newer revision); `nil` = reachable throughout. Unreachable, min-scale and the
    /// initial scale no longer hold and the last pod is not retained.
    public var unreachableFrom: SimTime?
    /// The queue-proxy → autoscaler pipeline. Default: 1 s averages, scraped every second.
    public var pipeline = SignalPipeline.queueProxy

    public init() {}

    /// The per-pod total the target is a share of: containerConcurrency, the annotation, or the default.
    public var totalValue: Double {
        switch metric {
        case .concurrency:
            let base = containerConcurrency > 0 ? Double(containerConcurrency) : 100
            guard let target else { return base }
            return containerConcurrency > 0 ? min(target, Double(containerConcurrency)) : target
        case .rps:
            return target ?? 200
        }
    }

    /// `TargetValue = max(0.01, total × utilization)`: 70 concurrent requests per pod by default.
    public var targetValue: Double { max(0.01, totalValue * targetUtilization) }

    /// round(stable × pct / 100) seconds, at least 1 s.
    public var panicWindow: SimTime {
        .seconds(max(1, (stableWindow.seconds * panicWindowPercentage / 100).rounded()))
    }
}
