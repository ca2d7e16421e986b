/// Attention time from the model's shape, at rates fitted to measured attention tables.
///
/// Vidur's published snapshot has no attention table, and LLMServingSim measured attention only
/// for two models at TP 4; so attention is modelled (see docs/DECISIONS.md, "Attention is
/// modelled"), per layer and per GPU:
/// - prefill, as FlashAttention runs it: one thread block per 128-query block and head, each
///   walking the keys before and within its block. While the blocks fit on the SMs at once the
///   time follows the longest walk, `context + chunk` keys; beyond, the work
///   (`(context + chunk/2) × blocks`, proportional to the FLOPs, `4 × chunk × (context + chunk/2)
///   × head_dim × heads`) is spread over the SMs: `keys = max(context + chunk, (context + chunk/2)
///   × blocks / SMs)`, `time = overhead + seconds_per_key × keys`;
/// - decode reads every cached K and V byte: `time = overhead + KV bytes / bandwidth`.
public struct AttentionModel: Sendable, Equatable {
    /// Query rows per FlashAttention thread block (FlashAttention-2's forward kernel for 128-wide heads).
    public static let queryBlock = 128

    /// Per-layer cost of a prefill attention call (launch, setup), seconds.
    public var prefillOverhead: Double
    /// Time for one thread block to walk one key (QKᵀ, softmax, PV for 128 queries), seconds.
    public var secondsPerKey: Double
    /// Per-layer cost of a decode attention call, seconds.
    public var decodeOverhead: Double
    /// Achieved bandwidth reading the KV cache, bytes/s.
    public var decodeBandwidth: Double
    public var gpu: MeasuredGPU
    /// Where the rates come from and how well they fit, for the profile's `source`.
    public var provenance: String

    public init(prefillOverhead: Double, secondsPerKey: Double, decodeOverhead: Double, decodeBandwidth: Double, gpu: MeasuredGPU,
                provenance: String) {
        self.prefillOverhead = prefillOverhead
        self.secondsPerKey = secondsPerKey
        self.decodeOverhead = decodeOverhead
        self.decodeBandwidth = decodeBandwidth
        self.gpu = gpu
        self.provenance = provenance
    }

    /// The FLOP rate one fully occupied GPU achieves at `secondsPerKey`: each key walked by a
    /// block is `4 × 128 × head_dim` FLOPs (QKᵀ and PV, multiply-add as two).
    public func achievedFlops(headDim: Int) -> Double {
        4 * Double(Self.queryBlock * headDim) * Double(gpu.multiprocessors) / secondsPerKey
    }

    /// Keys walked, in the units `secondsPerKey` prices, for one sequence's prefill chunk.
    public func prefillKeys(chunk: Int, context: Int, headsPerGPU: Int) -> Double {
        let blocks = Double((chunk + Self.queryBlock - 1) / Self.queryBlock * headsPerGPU)
        let end = Double(context + chunk)
        return max(end, (Double(context) + Double(chunk) / 2) * blocks / Double(gpu.multiprocessors))
    }

    /// One layer's prefill attention for sequences given as (chunk, cached context) on one of `tp`
    /// GPUs; zero for none.
    public func prefill(_ sequences: [(chunk: Int, context: Int)], model: MeasuredModel, tp: Int) -> Double {
        guard !sequences.isEmpty else { return 0 }
        let heads = max(1, model.heads / tp)
        return prefillOverhead + secondsPerKey * sequences.reduce(0) { $0 + prefillKeys(chunk: $1.chunk, context: $1.context, headsPerGPU: heads) }
    }

    /// One layer's decode attention over `contextTokens` cached tokens in all (at least one)
    /// decoding sequences; zero for none.
    public func decode(sequences: Int, contextTokens: Int, model: MeasuredModel, tp: Int) -> Double {
        guard sequences > 0 else { return 0 }
        return decodeOverhead + Double(contextTokens) * model.kvBytesPerTokenPerLayer(tp: tp) / decodeBandwidth
    }

    /// The same kernels on another GPU: the per-key time scales with one SM's BF16 rate, the
    /// bandwidth with the HBM bandwidth (datasheet ratios; no A100 attention was measured).
    public func moved(to target: MeasuredGPU) -> AttentionModel {
        guard target != gpu else { return self }
        var moved = self
        moved.secondsPerKey *= gpu.flopsPerMultiprocessor / target.flopsPerMultiprocessor
        moved.decodeBandwidth *= target.figures.memoryBandwidth / gpu.figures.memoryBandwidth
        moved.gpu = target
        moved.provenance += "; moved from \(gpu.rawValue.uppercased()) to \(target.rawValue.uppercased()) by datasheet ratios "
            + "(per-SM BF16 rate, HBM bandwidth)"
        return moved
    }
}

extension AttentionModel {
    /// The rates fitted to LLMServingSim's measured Llama-3.1-70B TP 4 attention on H100
    /// (`measurements/llmservingsim/H100/meta-llama/Llama-3.1-70B/tp4/attention.csv`; a test refits
    /// them from that file). Mixtral-8x7B's table gives the same per-key time within 1 %.
    public static let fitted = AttentionModel(
        prefillOverhead: 4.2266e-6, secondsPerKey: 26.8848e-9, decodeOverhead: 6.2632e-6, decodeBandwidth: 3.35e12, gpu: .h100,
        provenance: "attention modelled, not measured: prefill 26.9 ns per key per block (≈ 322 TFLOP/s), decode K/V at 3.35 TB/s "
            + "(the table's decode rows imply 11.6 TB/s, above the 3.35 TB/s peak, with median error 42 % even so: capped), fitted to "
            + "LLMServingSim's measured Llama-3.1-70B TP 4 attention (prefill median error 1.5 %, worst 12 %; decode median 74 %, "
            + "worst 770 %)")
}
