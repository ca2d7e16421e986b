/// One iteration's time composed from measured operators: the linear operators of every layer,
/// attention (modelled), the tensor-parallel all-reduces, and what runs once per iteration.
///
/// `time = layers × (linear(T) + attention + 2 × all_reduce(T × hidden × 2 B)) + once(T, S)` for
/// `T` tokens in `S` sequences; the two all-reduces per layer (after the attention output
/// projection and after the MLP down projection, Megatron-LM's tensor parallelism) exist at TP > 1.
public struct IterationComposition: Sendable {
    /// One iteration's time split by kind, seconds.
    public struct Breakdown: Sendable, Equatable {
        public var linear: Double
        public var attention: Double
        public var communication: Double
        public var total: Double { linear + attention + communication }
    }

    public let operators: any LayerOperators
    public let attention: AttentionModel
    /// Required at TP > 1.
    public let network: VidurNetworkTable?

    public init(operators: any LayerOperators, attention: AttentionModel, network: VidurNetworkTable?) throws(TableError) {
        if operators.tp > 1 && network == nil {
            throw TableError(file: operators.file,
                             message: "these tables hold no communication; at TP \(operators.tp) pass an all-reduce table with --network "
                                + "(Vidur's network/h100_dgx/all_reduce.csv)")
        }
        self.operators = operators
        self.attention = attention
        self.network = network
    }

    public var model: MeasuredModel { operators.model }

    /// An iteration of prefill chunks (each with the context already cached before it) and
    /// `decodes` decoding sequences holding `decodeContext` cached tokens in all.
    public func iteration(prefills: [(chunk: Int, context: Int)], decodes: Int, decodeContext: Int) throws(TableError) -> Breakdown {
        let tokens = prefills.reduce(0) { $0 + $1.chunk } + decodes, sequences = prefills.count + decodes
        let layers = Double(model.layers), tp = operators.tp
        let linear = layers * (try operators.layer(tokens: tokens)) + (try operators.once(tokens: tokens, sequences: sequences))
        let attentionTime = layers * (attention.prefill(prefills, model: model, tp: tp)
                                      + attention.decode(sequences: decodes, contextTokens: decodeContext, model: model, tp: tp))
        var communication = 0.0
        if tp > 1, let network {
            communication = layers * 2 * (try network.allReduce(bytes: Double(tokens * model.hidden * 2), workers: tp))
        }
        return Breakdown(linear: linear, attention: attentionTime, communication: communication)
    }
}
