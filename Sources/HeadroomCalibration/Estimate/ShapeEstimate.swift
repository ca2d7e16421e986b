import Foundation
import Headroom

/// `headroom calibrate --backend config`: a profile for a model no one measured, from its
/// `config.json` shape at a GPU's rates fitted to the models that were, composed and fitted
/// exactly as the measured backends are (same grid, same attention model and all-reduce table).
public enum ShapeEstimate {
    /// The iteration composition of `model` on `tp` GPUs. `network` (Vidur's all-reduce table of
    /// that GPU) is required at TP > 1; the longest prefill is cut to the largest all-reduce it
    /// measured.
    public static func composition(
        model: MeasuredModel, file: String, tp: Int, rates: GPURates,
        network: String?
    ) throws(TableError) -> IterationComposition {
        let memory = rates.gpu.memoryBytes * Double(tp) * MeasuredCalibration.memoryUtilization
        guard 2 * model.totalParameters < memory else {
            throw TableError(
                file: file,
                message: String(
                    format: "the %.1f B parameters (%.0f GB at 16 bits) do not fit in %.0f GB of %d %@ "
                        + "(%.0f %% of 80 GB each); give a larger --tp", model.totalParameters / 1e9,
                    2 * model.totalParameters / 1e9, memory / 1e9, tp, rates.gpu.rawValue.uppercased(),
                    MeasuredCalibration.memoryUtilization * 100))
        }
        if tp > 1, let network, !FileManager.default.fileExists(atPath: network) {
            throw TableError(
                file: network,
                message: "no such all-reduce table; at TP \(tp) give --network with Vidur's "
                    + "network/\(rates.gpu.rawValue)_dgx/all_reduce.csv (measurements/vidur holds the H100 and A100 ones)")
        }
        let networkTable =
            tp > 1 ? try network.map { (file: String) throws(TableError) in try VidurNetworkTable(file: file) } : nil
        var longest = MeasuredCalibration.longestPrefill
        if let curve = networkTable?.allReduce[tp] { longest = min(longest, Int(curve.range.upperBound) / (2 * model.hidden)) }
        let operators = EstimatedOperators(model: model, tp: tp, rates: rates, file: file, maxTokens: longest)
        return try IterationComposition(
            operators: operators, attention: AttentionModel.fitted.moved(to: rates.gpu), network: networkTable)
    }

    /// Vidur's all-reduce table of `gpu` as the project ships it, relative to the working folder.
    public static func defaultNetwork(_ gpu: MeasuredGPU) -> String {
        "measurements/vidur/network/\(gpu.rawValue)_dgx/all_reduce.csv"
    }

    /// The profile: `MeasuredCalibration.profile`'s samples and fits, labelled an estimate with
    /// the rates it rests on and the hold-out error of the method (docs/estimated-profiles.md).
    public static func profile(composition: IterationComposition) throws -> CalibratedProfile {
        guard let operators = composition.operators as? EstimatedOperators else {
            throw CalibrationError("a shape estimate needs estimated operators, not \(type(of: composition.operators))")
        }
        let gpu = operators.rates.gpu, tp = operators.tp
        var profile = try MeasuredCalibration.profile(
            project: operators.rates.style == .fused ? .vidur : .llmservingsim,
            composition: composition, gpu: gpu)
        profile.name = "\(gpu.rawValue)-\(composition.model.name.lowercased())-tp\(tp)-estimate"
        profile.backend = "config"
        profile.device.driver = "estimate from config.json shape"
        profile.device.runtime = "composed from fitted rates, not run"
        var source =
            "estimate from config.json shape, not measured: \(operators.description) on \(gpu.rawValue.uppercased()), TP \(tp)"
        if tp > 1, let network = composition.network {
            source += "; 2 all-reduces per layer from Vidur's \(network.file) (commit 7d47513, MIT)"
        }
        profile.source = source + "; \(composition.attention.provenance); \(holdOutNote)"
        return profile
    }

    /// What the hold-out check found over the calibration grid, TP 1–8 (`ShapeEstimateHoldOutTests`
    /// with the full tables; docs/estimated-profiles.md).
    public static let holdOutNote =
        "hold-out check of the method (rates fitted without the model, its composed iteration times "
        + "predicted from its shape): Llama-2-7B on H100 median error 4–6 %, worst 9–23 %; Meta-Llama-3-8B on A100 median 3–5 %, "
        + "worst 10–12 %; Mixtral-8x7B (mixture of experts, LLMServingSim's tables) on H100 median 1–6 %, worst 5–8 % "
        + "(docs/estimated-profiles.md)"
}
