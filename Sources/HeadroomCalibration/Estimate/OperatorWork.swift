/// What one operator call moves and computes: the two quantities a roofline prices.
///
/// Counted for 16-bit weights and activations: a GEMM of `T` tokens through a `K × N` weight
/// reads the weight and the input and writes the output, `2 × (K·N + T·K + T·N)` bytes, and does
/// `2 × T × K × N` FLOPs (multiply-add as two). Elementwise kernels move their tensors once.
public struct OperatorWork: Sendable, Equatable {
    /// The families whose achieved rates are fitted separately: GEMMs are priced by bandwidth and
    /// FLOP rate, the memory-bound kernels each by their own bandwidth and per-call overhead (an
    /// RMSNorm and a residual add reach very different fractions of the HBM peak).
    public enum Kind: String, CaseIterable, Sendable, Comparable {
        case gemm, norm, rope, activation, add, embedding
        public static func < (a: Kind, b: Kind) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    public var kind: Kind
    public var bytes: Double
    public var flops: Double

    public init(kind: Kind, bytes: Double, flops: Double = 0) {
        self.kind = kind
        self.bytes = bytes
        self.flops = flops
    }

    /// `tokens` tokens through a `k × n` weight (`n` already the share of one GPU).
    public static func gemm(tokens: Double, k: Int, n: Int) -> OperatorWork {
        let (k, n) = (Double(k), Double(n))
        return OperatorWork(kind: .gemm, bytes: 2 * (k * n + tokens * k + tokens * n), flops: 2 * tokens * k * n)
    }

    /// A kernel of `kind` that reads and writes `elementsPerToken` 16-bit values per token in all.
    public static func elementwise(_ kind: Kind, tokens: Double, elementsPerToken: Int) -> OperatorWork {
        OperatorWork(kind: kind, bytes: 2 * tokens * Double(elementsPerToken))
    }
}

extension MeasuredModel {
    /// Query heads on one of `tp` GPUs.
    func headsPerGPU(tp: Int) -> Int { max(1, heads / tp) }
    /// KV heads on one of `tp` GPUs: replicated, not split, below one head each (Megatron-LM).
    func kvHeadsPerGPU(tp: Int) -> Int { max(1, kvHeads / tp) }

    /// RMSNorm over the hidden state: read it, write it.
    func norm(tokens: Double) -> OperatorWork { .elementwise(.norm, tokens: tokens, elementsPerToken: 2 * hidden) }
    /// The residual add: two inputs, one output.
    func add(tokens: Double) -> OperatorWork { .elementwise(.add, tokens: tokens, elementsPerToken: 3 * hidden) }
    /// The token-embedding gather: read a row, write it.
    func embedding(tokens: Double) -> OperatorWork { .elementwise(.embedding, tokens: tokens, elementsPerToken: 2 * hidden) }

    /// Rotary embedding of the queries and keys on one GPU, read and written (MLA: only the
    /// rotary part of the query heads and the one shared rotary key).
    func rope(tokens: Double, tp: Int) -> OperatorWork {
        let width =
            architecture.latentAttention.map { (headsPerGPU(tp: tp) + 1) * $0.ropeHeadDim }
            ?? (headsPerGPU(tp: tp) + kvHeadsPerGPU(tp: tp)) * headDim
        return .elementwise(.rope, tokens: tokens, elementsPerToken: 2 * width)
    }

    /// The MLP's activation over `width` units (gated: two inputs, one output).
    func activation(tokens: Double, width: Int) -> OperatorWork {
        .elementwise(.activation, tokens: tokens, elementsPerToken: (gatedMLP ? 3 : 2) * width)
    }
}
