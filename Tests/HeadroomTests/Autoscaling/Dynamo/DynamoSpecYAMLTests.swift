import Testing

@testable import Headroom

/// `DynamoPlannerSpec` from YAML under Dynamo's own key names (config/defaults.py@1ca6015).
struct DynamoSpecYAMLTests {
    @Test("defaults are upstream's: 180 s / 5 s, 500 / 50 ms, arima, budget 8, min_endpoint 1, sensitivity 80")
    func defaults() throws {
        let spec = try DynamoPlannerSpec.parse(yaml: "generation: 2026")
        #expect(spec == DynamoPlannerSpec())
        #expect(spec.throughputAdjustmentInterval == 180 && spec.loadAdjustmentInterval == 5)
        #expect(spec.ttft == 500 && spec.itl == 50 && spec.loadPredictor == .arima)
        #expect(spec.maxGPUBudget == 8 && spec.minEndpoint == 1 && spec.loadScalingDownSensitivity == 80)
        #expect(spec.enableThroughputScaling && !spec.enableLoadScaling && spec.mode == .disagg)
    }

    @Test("every key is read")
    func keys() throws {
        let spec = try DynamoPlannerSpec.parse(yaml: """
            generation: 2026
            mode: agg
            throughput_adjustment_interval: 60
            load_adjustment_interval: 10
            ttft: 300
            itl: 25.5
            load_predictor: kalman
            load_predictor_log1p: true
            kalman_q_level: 2
            kalman_q_trend: 0.5
            kalman_r: 4
            kalman_min_points: 3
            max_gpu_budget: -1
            min_endpoint: 2
            prefill_engine_num_gpu: 2
            decode_engine_num_gpu: 4
            enable_throughput_scaling: false
            enable_load_scaling: true
            load_scaling_down_sensitivity: 90
            max_num_fpm_samples: 32
            fpm_sample_bucket_size: 9
            load_min_observations: 3
            """)
        #expect(spec.mode == .agg && spec.throughputAdjustmentInterval == 60 && spec.loadAdjustmentInterval == 10)
        #expect(spec.ttft == 300 && spec.itl == 25.5 && spec.loadPredictor == .kalman && spec.loadPredictorLog1p)
        #expect(spec.kalmanQLevel == 2 && spec.kalmanQTrend == 0.5 && spec.kalmanR == 4 && spec.kalmanMinPoints == 3)
        #expect(spec.maxGPUBudget == -1 && spec.minEndpoint == 2 && spec.prefillEngineNumGPU == 2 && spec.decodeEngineNumGPU == 4)
        #expect(!spec.enableThroughputScaling && spec.enableLoadScaling && spec.loadScalingDownSensitivity == 90)
        #expect(spec.maxNumFPMSamples == 32 && spec.fpmSampleBucketSize == 9 && spec.loadMinObservations == 3)
        let classic = try DynamoPlannerSpec.parse(yaml: "generation: sla-2025\nno_correction: true\nload_predictor: constant")
        #expect(classic.generation == .sla2025 && classic.noCorrection && classic.loadPredictor == .constant)
    }

    static func message(_ yaml: String) -> String {
        do {
            _ = try DynamoPlannerSpec.parse(yaml: yaml, file: "d.yaml")
            return "parsed"
        } catch { return error.description }
    }

    @Test("an unknown key names the allowed ones and the place")
    func unknownKey() {
        let m = Self.message("generation: 2026\nload_scaling_down_sensitivty: 50")
        #expect(m.contains("d.yaml") && m.contains("load_scaling_down_sensitivty"))
        #expect(m.contains("did you mean `load_scaling_down_sensitivity`"))
        #expect(m.contains("allowed: generation, mode"))
    }

    @Test("generation is required and must be sla-2025 or 2026")
    func generation() {
        #expect(Self.message("ttft: 100").contains("missing required key `generation`"))
        #expect(Self.message("generation: 2027").contains("allowed: sla-2025, 2026"))
    }

    @Test("settings of the other generation are refused by name")
    func foreign() {
        #expect(Self.message("generation: sla-2025\nenable_load_scaling: true").contains("belongs to `generation: 2026`"))
        #expect(Self.message("generation: 2026\nno_correction: true").contains("belongs to `generation: sla-2025`"))
        #expect(Self.message("generation: sla-2025\nmode: agg").contains("disaggregated only"))
    }

    @Test("bad values: prophet, a non-square bucket count, both loops off, out-of-range numbers")
    func badValues() {
        #expect(Self.message("generation: 2026\nload_predictor: prophet").contains("`prophet` is not modelled"))
        #expect(Self.message("generation: 2026\nload_predictor: arma").contains("did you mean `arima`"))
        #expect(Self.message("generation: 2026\nfpm_sample_bucket_size: 12").contains("perfect square"))
        #expect(Self.message("generation: 2026\nenable_throughput_scaling: false").contains("never scales"))
        #expect(Self.message("generation: 2026\nload_scaling_down_sensitivity: 120").contains("between 0.0 and 100.0"))
        #expect(Self.message("generation: 2026\nttft: 0").contains("greater than"))
        #expect(Self.message("generation: 2026\nprefill_engine_num_gpu: 0").contains("fpm") == false)
        let m = Self.message("generation: 2026\nmin_endpoint: -2")
        #expect(m.contains("min_endpoint") && m.contains("between 0 and 10000"))
    }
}
