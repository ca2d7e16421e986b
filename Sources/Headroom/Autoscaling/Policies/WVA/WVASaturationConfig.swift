import Foundation
import HeadroomEngine

/// The `default` entry of llm-d WVA's `wva-saturation-scaling-config` ConfigMap: the thresholds both
/// analyzers read, and which analyzer runs.
///
/// Read at llm-d/llm-d-workload-variant-autoscaler@b08b1c77c89d284361e40b2a9315e93ef46e7022:
/// `internal/interfaces/saturation_scaling.go` (fields, `ApplyDefaults`, `Validate`),
/// `config/manager/configmap-saturation-scaling.yaml` (the shipped values).
public struct WVASaturationConfig: Sendable, Equatable {
    /// `analyzerName`: empty selects the V1 percentage analyzer, `saturation` the V2 token analyzer
    /// with the cost-aware optimizer (`internal/engines/saturation/engine.go`, `optimize`).
    public enum Analyzer: String, Sendable, CaseIterable { case v1 = "", v2 = "saturation" }

    /// A replica is saturated when its KV-cache usage is at least this (0…1).
    public var kvCacheThreshold: Double
    /// … or when its waiting queue is at least this long.
    public var queueLengthThreshold: Double
    /// V1 scales up when the mean spare KV over non-saturated replicas falls below this.
    public var kvSpareTrigger: Double
    /// … or the mean spare queue falls below this.
    public var queueSpareTrigger: Double
    /// `enableLimiter`: the GPU limiter. Headroom refuses `true` (the cluster's capacity is modelled
    /// by the node pools), so this is always false in a parsed spec.
    public var enableLimiter: Bool
    public var analyzer: Analyzer
    /// V2: `required = demand / scaleUpThreshold − anticipated supply`.
    public var scaleUpThreshold: Double
    /// V2: `spare = supply − demand / scaleDownBoundary`.
    public var scaleDownBoundary: Double

    public init(
        kvCacheThreshold: Double, queueLengthThreshold: Double, kvSpareTrigger: Double, queueSpareTrigger: Double,
        enableLimiter: Bool = false, analyzer: Analyzer = .v1, scaleUpThreshold: Double = 0, scaleDownBoundary: Double = 0
    ) {
        self.kvCacheThreshold = kvCacheThreshold
        self.queueLengthThreshold = queueLengthThreshold
        self.kvSpareTrigger = kvSpareTrigger
        self.queueSpareTrigger = queueSpareTrigger
        self.enableLimiter = enableLimiter
        self.analyzer = analyzer
        self.scaleUpThreshold = scaleUpThreshold
        self.scaleDownBoundary = scaleDownBoundary
        applyDefaults()
    }

    /// The values of the shipped ConfigMap (`config/manager/configmap-saturation-scaling.yaml`), which
    /// `docs/saturation-scaling-config.md` calls the defaults.
    public static let shipped = WVASaturationConfig(
        kvCacheThreshold: 0.80, queueLengthThreshold: 5, kvSpareTrigger: 0.1, queueSpareTrigger: 3)

    /// `DefaultScaleUpThreshold`, `DefaultScaleDownBoundary`.
    public static let defaultScaleUpThreshold = 0.85
    public static let defaultScaleDownBoundary = 0.70

    /// `ApplyDefaults`: only the V2 fields have defaults, and only when V2 is selected.
    mutating func applyDefaults() {
        guard analyzer == .v2 else { return }
        if scaleUpThreshold == 0 { scaleUpThreshold = Self.defaultScaleUpThreshold }
        if scaleDownBoundary == 0 { scaleDownBoundary = Self.defaultScaleDownBoundary }
    }

    /// `Validate`, in upstream's order; upstream logs the failure and drops the entry (so the model is
    /// then skipped for want of a `default`), Headroom refuses the scenario instead. Returns the YAML key
    /// at fault and the message.
    public func validationError() -> (key: String, message: String)? {
        func f(_ x: Double) -> String { String(format: "%.2f", x) }
        if kvCacheThreshold < 0 || kvCacheThreshold > 1 {
            return ("kvCacheThreshold", "kvCacheThreshold must be between 0 and 1, got \(f(kvCacheThreshold))")
        }
        if queueLengthThreshold < 0 {
            return ("queueLengthThreshold", "queueLengthThreshold must be >= 0, got \(queueLengthThreshold)")
        }
        if kvSpareTrigger < 0 || kvSpareTrigger > 1 {
            return ("kvSpareTrigger", "kvSpareTrigger must be between 0 and 1, got \(f(kvSpareTrigger))")
        }
        if queueSpareTrigger < 0 { return ("queueSpareTrigger", "queueSpareTrigger must be >= 0, got \(queueSpareTrigger)") }
        if kvCacheThreshold < kvSpareTrigger {
            return (
                "kvCacheThreshold", "kvCacheThreshold (\(f(kvCacheThreshold))) should be >= kvSpareTrigger (\(f(kvSpareTrigger)))"
            )
        }
        guard analyzer == .v2 else { return nil }
        if scaleUpThreshold <= 0 || scaleUpThreshold > 1 {
            return ("scaleUpThreshold", "scaleUpThreshold must be in (0, 1], got \(f(scaleUpThreshold))")
        }
        if scaleDownBoundary <= 0 || scaleDownBoundary > 1 {
            return ("scaleDownBoundary", "scaleDownBoundary must be in (0, 1], got \(f(scaleDownBoundary))")
        }
        if scaleUpThreshold <= scaleDownBoundary {
            return (
                "scaleUpThreshold",
                "scaleUpThreshold (\(f(scaleUpThreshold))) must be > scaleDownBoundary (\(f(scaleDownBoundary)))"
            )
        }
        return nil
    }
}

/// `wva-model-scale-to-zero-config` as it applies to one model (`internal/config/scale_to_zero.go`):
/// off unless enabled, and then a model with no requests over `retention` goes to zero.
public struct WVAScaleToZeroConfig: Sendable, Equatable {
    public var enabled: Bool
    /// `DefaultScaleToZeroRetentionPeriod`, 10 minutes.
    public var retention: SimTime

    public init(enabled: Bool = false, retention: SimTime = .minutes(10)) {
        self.enabled = enabled
        self.retention = retention
    }

    public static let disabled = WVAScaleToZeroConfig()
}
