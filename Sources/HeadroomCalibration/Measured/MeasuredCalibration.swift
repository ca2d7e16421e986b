import Foundation
import Headroom

/// `headroom calibrate --backend vidur|llmservingsim`: compose iteration times from measured
/// tables over a grid of prefills and decode batches, and fit the simulator's knee form to them
/// (with the linear form beside it), as the CPU and CUDA backends fit their own measurements.
public enum MeasuredCalibration {
    public enum Project: String, CaseIterable, Sendable { case vidur, llmservingsim }

    /// Reads the tables a composition needs. `network` defaults to Vidur's `network/<gpu>_dgx/
    /// all_reduce.csv` under `input` (Vidur) and is required at TP > 1 for LLMServingSim, whose
    /// tables have none; `attentionTable` refits the attention rates (default: `AttentionModel.fitted`).
    public static func composition(project: Project, input: String, model: String, gpu: MeasuredGPU, tp: Int, network: String? = nil,
                                   attentionTable: String? = nil) throws(TableError) -> IterationComposition {
        let attention = try attentionTable.map { (file: String) throws(TableError) in try AttentionModel.fit(table: file, gpu: .h100).model }
            ?? AttentionModel.fitted
        let operators: any LayerOperators
        var networkFile = network
        switch project {
        case .vidur:
            let (file, name) = try VidurLayout.computeTable(input: input, model: model, gpu: gpu.rawValue)
            operators = try VidurOperators(table: try VidurComputeTable(file: file, name: name), tp: tp)
            if networkFile == nil { networkFile = VidurLayout.allReduceTable(input: input, gpu: gpu.rawValue) }
        case .llmservingsim:
            guard gpu == .h100 else { throw TableError(file: input, message: "LLMServingSim's tables are H100 only") }
            let (file, name) = try LLMServingSimLayout.layerTable(input: input, model: model, tp: tp)
            let table = try LLMServingSimLayerTable(file: file)
            guard let shape = MeasuredModel.llmServingSimShapes[name.lowercased()] else {
                throw TableError(file: file, message: "the shape of `\(name)` is not known (known: "
                                 + MeasuredModel.llmServingSimShapes.values.map(\.name).sorted().joined(separator: ", ") + ")")
            }
            operators = LLMServingSimOperators(table: table, model: shape)
        }
        let networkTable = tp > 1 ? try networkFile.map { (file: String) throws(TableError) in try VidurNetworkTable(file: file) } : nil
        return try IterationComposition(operators: operators, attention: attention.moved(to: gpu), network: networkTable)
    }

    /// The longest prefill chunk in the grid: vLLM's chunked-prefill token budgets are 2,048–8,192
    /// (the tables reach 2,048 (LLMServingSim), 4,096 (Vidur H100) and 32,768 tokens (Vidur A100));
    /// at TP > 1 the grid also stops where Vidur's all-reduce sizes end (64 MiB: 4,096 tokens of a
    /// 8,192-wide model).
    public static let longestPrefill = 8192

    /// Prefill chunks of one sequence (powers of two and the midpoints between them, 1.5 ×, from
    /// 32 to the largest measured token count, at most `longestPrefill`; the midpoints let a
    /// cross-validation hold out a knot and still interpolate it), chunks after a cached prefix,
    /// and decode steps of 1–512 sequences at 256, 1,024 and 4,096 tokens of context each, as
    /// far as the KV cache holds them; in the sample form the fit reads (`context_tokens`: the
    /// batch's total).
    public static func samples(_ composition: IterationComposition) throws(TableError) -> [CalibratedProfile.Sample] {
        var largest = min(longestPrefill, Int(composition.operators.tokenRange.upperBound))
        if composition.operators.tp > 1 {
            // The largest chunk whose all-reduce was measured.
            while largest > 32, (try? composition.iteration(prefills: [(largest, 0)], decodes: 0, decodeContext: 0)) == nil { largest /= 2 }
        }
        var prefills: [Int] = []
        for power in sequence(first: 32, next: { $0 * 2 }).prefix(while: { $0 <= largest }) {
            if power >= 256 { prefills.append(power * 3 / 4) }
            prefills.append(power)
        }
        if prefills.last != largest { prefills.append(largest) }
        var samples: [CalibratedProfile.Sample] = []
        for tokens in prefills {
            let time = try composition.iteration(prefills: [(tokens, 0)], decodes: 0, decodeContext: 0).total
            samples.append(.init(batch: 1, prefillTokens: tokens, contextTokens: 0, seconds: time))
        }
        // Chunks of a longer prompt (chunked prefill): their attention grows with what is cached.
        for chunk in cachedPrefillChunks where chunk <= largest {
            for cached in cachedPrefillContexts {
                let time = try composition.iteration(prefills: [(chunk, cached)], decodes: 0, decodeContext: 0).total
                samples.append(.init(batch: 1, prefillTokens: chunk, contextTokens: cached, seconds: time))
            }
        }
        let capacity = kvCapacityTokens(model: composition.model, tp: composition.operators.tp, gpu: composition.attention.gpu)
        for batch in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] where batch <= largest {
            for context in [256, 1024, 4096] where Double(batch * context) <= capacity {
                let time = try composition.iteration(prefills: [], decodes: batch, decodeContext: batch * context).total
                samples.append(.init(batch: batch, prefillTokens: 0, contextTokens: batch * context, seconds: time))
            }
        }
        return samples
    }

    /// Chunks prefilled after `cachedPrefillContexts` tokens of the same prompt, in the grid.
    public static let cachedPrefillChunks = [256, 1024]
    public static let cachedPrefillContexts = [1024, 4096, 16384]

    /// vLLM's `gpu_memory_utilization`: the share of GPU memory the engine takes for weights and cache.
    public static let memoryUtilization = 0.9

    /// Tokens the KV cache of `tp` GPUs holds after the weights (16-bit): decode points beyond it
    /// are configurations no engine can run, and are left out of the grid.
    public static func kvCapacityTokens(model: MeasuredModel, tp: Int, gpu: MeasuredGPU) -> Double {
        (gpu.memoryBytes * Double(tp) * memoryUtilization - 2 * model.parameters) / (model.kvBytesPerTokenPerLayer(tp: 1) * Double(model.layers))
    }

    /// The profile: composed samples, the table fit the simulator runs (around the modelled
    /// attention and the measured all-reduces) with the knee and linear fits beside it (the same
    /// samples), and a `source` naming the tables.
    public static func profile(project: Project, composition: IterationComposition, gpu: MeasuredGPU) throws -> CalibratedProfile {
        let samples = try samples(composition)
        let fit = try IterationModelFit.fit(samples)
        let knee = try KneeModelFit.fit(samples)
        var communication: [Int: Double] = [:]
        if composition.operators.tp > 1 {
            for tokens in Set(samples.map { $0.prefillTokens > 0 ? $0.prefillTokens : $0.batch }) {
                communication[tokens] = try composition.iteration(prefills: [(tokens, 0)], decodes: 0, decodeContext: 0).communication
            }
        }
        let table = try TableModelFit.fit(samples, attention: attentionTerms(composition), communication: communication)
        let model = composition.model, tp = composition.operators.tp
        var source = "measured: \(composition.operators.description) on \(gpu.rawValue.uppercased()), TP \(tp)"
        if tp > 1, let network = composition.network {
            source += "; 2 all-reduces per layer from Vidur's \(network.file) (commit 7d47513, MIT)"
        }
        source += "; \(composition.attention.provenance)"
        var profile = CalibratedProfile(
            name: "\(gpu.rawValue)-\(model.name.lowercased())-tp\(tp)", backend: project.rawValue,
            device: .init(name: "\(gpu.figures.name) × \(tp)", memoryBytes: 80e9 * Double(tp), driver: "\(project.rawValue) tables",
                          runtime: "composed, not run", hostProcessor: "n/a"),
            model: model.profileShape, samples: samples, fit: fit, loadPath: nil)
        profile.source = source
        profile.form = HardwareProfile.Form.table.rawValue
        profile.kneeFit = knee
        profile.tableFit = table
        profile.fitWarning = profile.effectiveFitWarning
        return profile
    }

    /// The attention model's prefill rule in the simulator's two terms, summed over the layers:
    /// the longest walk at `seconds_per_key`, and the work (`⌈chunk / 128⌉ × heads` blocks of
    /// `cached + chunk / 2` keys over the SMs) with the block count taken as `chunk / 128`.
    public static func attentionTerms(_ composition: IterationComposition) -> TableModelFit.Attention {
        let attention = composition.attention, model = composition.model
        let layers = Double(model.layers), heads = Double(max(1, model.heads / composition.operators.tp))
        return .init(perKey: layers * attention.secondsPerKey,
                     perUnit: layers * attention.secondsPerKey * heads / Double(AttentionModel.queryBlock * attention.gpu.multiprocessors))
    }
}
