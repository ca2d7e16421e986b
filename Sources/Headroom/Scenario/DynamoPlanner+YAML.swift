import HeadroomEngine
import Yams

/// Reads NVIDIA Dynamo's planner settings under Dynamo's own key names (ai-dynamo/dynamo@1ca6015
/// `components/src/dynamo/planner/config/defaults.py`; the CLI flags with `_` for `-`), plus
/// Headroom's `generation` choosing the planner shape. Every key is optional but `generation`;
/// omitted keys take upstream's defaults.
extension DynamoPlannerSpec {
    static let sharedKeys = [
        "generation", "mode", "throughput_adjustment_interval", "ttft", "itl", "load_predictor", "load_predictor_log1p",
        "kalman_q_level", "kalman_q_trend", "kalman_r", "kalman_min_points", "max_gpu_budget", "min_endpoint",
        "prefill_engine_num_gpu", "decode_engine_num_gpu",
    ]
    static let classicKeys = ["no_correction"]
    static let generation2026Keys = [
        "enable_throughput_scaling", "enable_load_scaling", "load_adjustment_interval", "load_scaling_down_sensitivity",
        "max_num_fpm_samples", "fpm_sample_bucket_size", "load_min_observations",
    ]
    static var allKeys: [String] { sharedKeys + classicKeys + generation2026Keys }

    /// Parses one YAML mapping; errors name the file, line and YAML path.
    public static func parse(yaml: String, file: String = "<dynamo>") throws(ScenarioError) -> DynamoPlannerSpec {
        let node: Yams.Node?
        do { node = try Yams.compose(yaml: yaml) } catch let error as YamlError {
            throw YAMLText.error(error, text: yaml, file: file)
        } catch { throw ScenarioError(file: file, path: "", message: "not valid YAML") }
        guard let node else { throw ScenarioError(file: file, path: "", message: "empty: write at least `generation`") }
        return try DynamoPlannerSpec(YAMLValue(node: node, path: "", file: file))
    }

    /// `extraKeys`: keys the enclosing object owns (such as a policy's `kind`), accepted and ignored.
    init(_ value: YAMLValue, extraKeys: [String] = []) throws(ScenarioError) {
        self.init()
        let map = try value.mapping(allowing: extraKeys + Self.allKeys)
        generation = try map.required("generation").choice(Generation.self)
        let foreign = generation == .sla2025 ? Self.generation2026Keys : Self.classicKeys
        for key in foreign {
            if let stray = map[key] {
                let owner = generation == .sla2025 ? "2026" : "sla-2025"
                throw stray.error(
                    "`\(key)` belongs to `generation: \(owner)`; the \(generation.rawValue) planner has no such setting")
            }
        }
        if let v = map["mode"] { mode = try v.choice(Mode.self) }
        if generation == .sla2025 && mode == .agg {
            throw (map["mode"] ?? value).error(
                "the classic SLA planner is modelled disaggregated only (prefill_planner.py + decode_planner.py); "
                    + "use `generation: 2026` for agg")
        }
        if let v = map["throughput_adjustment_interval"] { throughputAdjustmentInterval = try v.number(0...86_400, open: true) }
        if let v = map["load_adjustment_interval"] { loadAdjustmentInterval = try v.number(0...86_400, open: true) }
        if let v = map["ttft"] { ttft = try v.number(0...3_600_000, open: true) }
        if let v = map["itl"] { itl = try v.number(0...3_600_000, open: true) }
        if let v = map["load_predictor"] {
            if (try? v.scalar("")) == "prophet" {
                throw v.error("`prophet` is not modelled (a Stan fit Headroom cannot reproduce); allowed: constant, arima, kalman")
            }
            loadPredictor = try v.choice(DynamoPredictorKind.self)
        }
        if let v = map["load_predictor_log1p"] { loadPredictorLog1p = try v.bool() }
        if let v = map["kalman_q_level"] { kalmanQLevel = try v.number(0...1e12) }
        if let v = map["kalman_q_trend"] { kalmanQTrend = try v.number(0...1e12) }
        if let v = map["kalman_r"] { kalmanR = try v.number(0...1e12) }
        if let v = map["kalman_min_points"] { kalmanMinPoints = try v.int(1...10_000) }
        if let v = map["max_gpu_budget"] { maxGPUBudget = try v.int(-1...1_000_000) }
        if let v = map["min_endpoint"] { minEndpoint = try v.int(0...10_000) }
        if let v = map["prefill_engine_num_gpu"] { prefillEngineNumGPU = try v.int(1...1024) }
        if let v = map["decode_engine_num_gpu"] { decodeEngineNumGPU = try v.int(1...1024) }
        if let v = map["no_correction"] { noCorrection = try v.bool() }
        if let v = map["enable_throughput_scaling"] { enableThroughputScaling = try v.bool() }
        if let v = map["enable_load_scaling"] { enableLoadScaling = try v.bool() }
        if generation == .y2026 && !enableThroughputScaling && !enableLoadScaling {
            throw (map["enable_throughput_scaling"] ?? value).error(
                "with both enable_throughput_scaling and enable_load_scaling false the planner never scales; enable one")
        }
        if let v = map["load_scaling_down_sensitivity"] { loadScalingDownSensitivity = try v.number(0...100) }
        if let v = map["max_num_fpm_samples"] { maxNumFPMSamples = try v.int(1...100_000) }
        if let v = map["load_min_observations"] { loadMinObservations = try v.int(1...100_000) }
        if let v = map["fpm_sample_bucket_size"] {
            fpmSampleBucketSize = try v.int(1...10_000)
            let root = Int(Double(fpmSampleBucketSize).squareRoot())
            guard root * root == fpmSampleBucketSize else {
                throw v.error("must be a perfect square (2-D models use √n buckets per axis), got \(fpmSampleBucketSize)")
            }
        }
    }
}
