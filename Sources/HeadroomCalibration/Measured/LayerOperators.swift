/// Measured times of the linear (non-attention) operators of one model at one tensor parallelism:
/// what `IterationComposition` needs from either project's tables.
public protocol LayerOperators: Sendable {
    var model: MeasuredModel { get }
    var tp: Int { get }
    /// The table the operators were read from.
    var file: String { get }
    /// The token counts measured (an iteration's tokens must lie within).
    var tokenRange: ClosedRange<Double> { get }
    /// One layer's linear operators over `tokens` tokens, seconds.
    func layer(tokens: Int) throws(TableError) -> Double
    /// What runs once per iteration: embedding over the tokens, LM head over the sampled positions
    /// (one per sequence: vLLM computes logits only where it samples), final norm.
    func once(tokens: Int, sequences: Int) throws(TableError) -> Double
    /// What the tables hold, for the profile's `source`.
    var description: String { get }
}

extension PiecewiseLinear {
    /// The value at `x`, or an error naming the table and its measured range.
    func at(_ x: Double, file: String, column: String) throws(TableError) -> Double {
        guard let value = value(at: x) else {
            throw TableError(file: file, column: column, message: "\(Int(x)) tokens is outside the measured \(Int(range.lowerBound))–"
                             + "\(Int(range.upperBound)); the composition interpolates between measurements and does not extrapolate")
        }
        return value
    }
}

/// Vidur's operators: the nine per-layer operators (the residual `add` twice: after attention and
/// after the MLP, as Vidur's own predictor charges it), `emb` once. Vidur has no LM-head row: it
/// is charged as the measured up-projection GEMM (same input width and token count) scaled by the
/// ratio of output widths, `vocab / (2 × intermediate)` (gated) — an estimate, said in `description`.
public struct VidurOperators: LayerOperators {
    public let table: VidurComputeTable
    public let tp: Int
    private let curves: [String: PiecewiseLinear]

    public init(table: VidurComputeTable, tp: Int) throws(TableError) {
        self.table = table
        self.tp = tp
        var curves: [String: PiecewiseLinear] = [:]
        for name in ["emb"] + table.measuredLayerOperators { curves[name] = try table.curve(name, tp: tp) }
        self.curves = curves
    }

    public var model: MeasuredModel { table.model }
    public var file: String { table.file }
    public var tokenRange: ClosedRange<Double> { curves["emb"]!.range }

    public func layer(tokens: Int) throws(TableError) -> Double {
        var total = 0.0
        for name in table.measuredLayerOperators {
            total += try curves[name]!.at(Double(tokens), file: table.file, column: "num_tokens") * (name == "add" ? 2 : 1)
        }
        return total
    }

    public var lmHeadRatio: Double { Double(model.vocab) / Double((model.gatedMLP ? 2 : 1) * model.intermediate) }

    public func once(tokens: Int, sequences: Int) throws(TableError) -> Double {
        try curves["emb"]!.at(Double(tokens), file: table.file, column: "num_tokens")
            + lmHeadRatio * (try curves["mlp_up_proj"]!.at(Double(sequences), file: table.file, column: "num_tokens"))
    }

    public var description: String {
        "Vidur's per-layer operators (github.com/microsoft/vidur data/profiling, commit 7d47513, MIT) from \(table.file): "
            + "\(table.measuredLayerOperators.count) operators × \(model.layers) layers + embedding; LM head not measured, "
            + String(format: "charged as the up-projection × %.2f", lmHeadRatio)
    }
}

/// LLMServingSim's operators: the eleven per-layer rows, and embedding, final norm and LM head once.
public struct LLMServingSimOperators: LayerOperators {
    public let table: LLMServingSimLayerTable
    public let model: MeasuredModel

    public init(table: LLMServingSimLayerTable, model: MeasuredModel) {
        self.table = table
        self.model = model
    }

    public var tp: Int { table.tp }
    public var file: String { table.file }
    public var tokenRange: ClosedRange<Double> { table.operators["embedding"]!.range }

    public func layer(tokens: Int) throws(TableError) -> Double {
        guard table.isMixtureOfExperts else { return try sum(LLMServingSimLayerTable.layerOperators, tokens: Double(tokens)) }
        return try sum(LLMServingSimLayerTable.mixtureOperators, tokens: Double(tokens)) + (try experts(tokens: tokens))
    }

    private func sum(_ names: [String], tokens: Double) throws(TableError) -> Double {
        var total = 0.0
        for name in names { total += try table.operators[name]!.at(tokens, file: table.file, column: "input") }
        return total
    }

    /// The routed experts of one layer on one GPU, as LLMServingSim places them (whole experts,
    /// `E / tp` per GPU, one call each): the expected experts hit on a GPU, each running its
    /// expected share of the `T × k` routed tokens (uniform routing), `w1 + w3 + act + w2`.
    func experts(tokens: Int) throws(TableError) -> Double {
        guard let moe = model.architecture.experts else {
            throw TableError(file: table.file, column: "layer_name",
                             message: "the table times routed experts but the shape of \(model.name) has none")
        }
        let hit = moe.hitProbability(tokens: Double(tokens))
        let perGPU = Double(moe.count) / Double(tp) * hit
        let routed = Double(tokens * moe.perToken) / (Double(moe.count) * hit)
        return perGPU * (try sum(LLMServingSimLayerTable.expertOperators, tokens: routed))
    }

    public func once(tokens: Int, sequences: Int) throws(TableError) -> Double {
        try table.operators["embedding"]!.at(Double(tokens), file: table.file, column: "input")
            + (try table.operators["final_layernorm"]!.at(Double(tokens), file: table.file, column: "input"))
            + (try table.operators["lm_head"]!.at(Double(sequences), file: table.file, column: "input"))
    }

    public var description: String {
        "LLMServingSim's per-layer operators (github.com/casys-kaist/LLMServingSim profiler/v0/perf_models, commit 5daddb2, MIT) "
            + "from \(table.file): \(table.requiredOperators.count) operators × \(model.layers) layers + embedding, "
            + "final norm and LM head" + (table.isMixtureOfExperts ? expertsDescription : "")
    }

    private var expertsDescription: String {
        guard let moe = model.architecture.experts else { return "" }
        return "; experts whole, \(moe.count / max(1, tp)) of \(moe.count) per GPU as LLMServingSim places them, each hit expert "
            + "(uniform top-\(moe.perToken) routing: E × (1 − (1 − k/E)^T) of them) charged its measured w1 + w3 + act + w2 at its share of the tokens"
    }
}
