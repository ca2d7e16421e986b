import HeadroomEngine

/// NVIDIA Dynamo's planner settings, under Dynamo's own names (`config/defaults.py`,
/// `SLAPlannerDefaults`, ai-dynamo/dynamo@1ca6015; the CLI flags are the same names with dashes).
/// Defaults are upstream's. Times are in the units upstream uses: intervals in seconds, SLAs in ms.
public struct DynamoPlannerSpec: Sendable, Equatable {
    /// Which planner Dynamo has shipped (Headroom's key; upstream has one planner per release).
    public enum Generation: String, Sendable, CaseIterable {
        /// The classic SLA planner (2025 H2, `utils/planner_core.py`): predictors, correction factors,
        /// profiling tables, every `throughput_adjustment_interval`.
        case sla2025 = "sla-2025"
        /// The 2026 planner (`core/state_machine.py`): a throughput loop setting a floor and a load loop
        /// on per-iteration metrics.
        case y2026 = "2026"
    }
    /// `mode`: disaggregated prefill/decode workers, or aggregated engines doing both.
    public enum Mode: String, Sendable, CaseIterable { case disagg, agg }

    public var generation: Generation = .y2026
    public var mode: Mode = .disagg
    /// `throughput_adjustment_interval`, seconds (the classic planner's `adjustment_interval`).
    public var throughputAdjustmentInterval: Double = 180
    /// `load_adjustment_interval`, seconds.
    public var loadAdjustmentInterval: Double = 5
    /// `ttft` and `itl` targets, milliseconds.
    public var ttft: Double = 500
    public var itl: Double = 50
    /// `load_predictor` and its settings.
    public var loadPredictor: DynamoPredictorKind = .arima
    public var loadPredictorLog1p = false
    public var kalmanQLevel = 1.0, kalmanQTrend = 0.1, kalmanR = 10.0
    public var kalmanMinPoints = 5
    /// `max_gpu_budget` (negative: no budget) and `min_endpoint` (each component).
    public var maxGPUBudget = 8
    public var minEndpoint = 1
    /// `prefill_engine_num_gpu`, `decode_engine_num_gpu` (agg engines use the decode figure).
    public var prefillEngineNumGPU = 1
    public var decodeEngineNumGPU = 1
    /// `no_correction` (classic planner): skip the observed/expected correction factors.
    public var noCorrection = false
    /// `enable_throughput_scaling`, `enable_load_scaling` (2026 planner).
    public var enableThroughputScaling = true
    public var enableLoadScaling = false
    /// `load_scaling_down_sensitivity`, percent (0–100).
    public var loadScalingDownSensitivity = 80.0
    /// `max_num_fpm_samples`, `fpm_sample_bucket_size` (a perfect square), `load_min_observations`.
    public var maxNumFPMSamples = 64
    public var fpmSampleBucketSize = 16
    public var loadMinObservations = 5

    public init() {}

    /// A fresh predictor of the configured kind.
    public func predictor() -> DynamoLoadPredictor {
        DynamoLoadPredictor(
            kind: loadPredictor, log1p: loadPredictorLog1p,
            kalman: DynamoKalmanTrend(qLevel: kalmanQLevel, qTrend: kalmanQTrend, r: kalmanR), kalmanMinPoints: kalmanMinPoints)
    }

    /// The GPU budget with this spec's settings.
    public var budget: DynamoGPUBudget {
        DynamoGPUBudget(
            maxGPUBudget: maxGPUBudget, minEndpoint: minEndpoint, prefillGPUs: prefillEngineNumGPU, decodeGPUs: decodeEngineNumGPU)
    }
}
