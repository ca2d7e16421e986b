import Foundation
import HeadroomEngine

/// How long one engine iteration takes on given hardware for a given model, in one of three forms.
///
/// `linear` (the first form; datasheet profiles and older files):
/// `iteration = base + per_seq × batch + per_prefill_token × prefill tokens
///              + per_context_token × context tokens in the batch`.
///
/// `knee` (the roofline's shape, fitted to measured GPUs; see `Form.knee`):
/// `iteration = base + max(weight_read, tokens × per_token_compute) + per_token × tokens
///              + per_decode_seq × decoding sequences + per_context_token × context tokens
///              + Σ over prefilling sequences of attention(chunk, cached)`
/// where `tokens` = decoding sequences + prefill tokens and `attention(chunk, cached) =
/// max(per_attention_key × (cached + chunk), per_attention_unit × chunk × (cached + chunk / 2))`:
/// the longest key walk while the chunk's query blocks fit on the GPU at once, its FLOPs beyond.
///
/// `table` (fitted to measured operator tables; see `TokenCostTable`): the knee form with
/// `overhead + max(weight_read, …) + per_token × tokens` replaced by a piecewise-linear table over
/// `tokens` of the linear operators and the all-reduces.
///
/// The coefficients are whole nanoseconds (the attention unit whole picoseconds) so that a run of
/// decode iterations has an exact integer closed form (see `StepTimeModel`); a finer coefficient
/// is rounded to the nearest nanosecond (picosecond).
public struct HardwareProfile: Sendable, Equatable {
    /// Which iteration-time form the profile uses.
    public enum Form: String, Sendable, Equatable, CaseIterable {
        /// `base + per_seq × batch + per_prefill_token × prefill + per_context_token × context`.
        case linear
        /// The linear operators cost `max(weight read, tokens × per-token compute)` — flat while
        /// reading the weights dominates, linear past the knee — plus per-token, per-decoding-
        /// sequence, context and prefill-attention terms (quadratic in a prompt's length).
        case knee
        /// The linear operators and all-reduces from a table over the batch's tokens; the knee
        /// form's decode, context and attention terms.
        case table
    }
    /// The form; `linear` unless a profile says otherwise.
    public var form: Form = .linear
    /// Name for reports (a built-in name, or the file it came from).
    public var name: String
    /// Where the numbers come from.
    public var source: String
    /// Fixed cost of one iteration: reading the weights once, launch overheads. >= 0.
    public var base: SimTime
    /// Extra cost per sequence in the batch (its decode token's share of compute). >= 0.
    public var perSequence: SimTime
    /// Cost per prompt token prefilled in the iteration. >= 0.
    public var perPrefillToken: SimTime
    /// Cost per token already in the KV cache of the batch's sequences (attention reads). >= 0.
    public var perContextToken: SimTime

    // The knee form's terms (zero and unused in the linear form, where `base` is the overhead).
    /// Reading the weights once: the linear operators' floor. >= 0.
    public var weightRead: SimTime = .zero
    /// The linear operators' compute per token (prefilled or decoded) past the knee. >= 0.
    public var perTokenCompute: SimTime = .zero
    /// Per token below and above the knee alike (norms, activations, tensor-parallel all-reduces). >= 0.
    public var perToken: SimTime = .zero
    /// Per decoding sequence (its own memory-bound reads, sampling). >= 0.
    public var perDecodeSequence: SimTime = .zero
    /// Prefill attention per unit of `chunk × (cached + chunk / 2)` (∝ its FLOPs), picoseconds. >= 0.
    public var perAttentionUnitPicoseconds: Int64 = 0
    /// Prefill attention per key of a sequence's longest walk (`cached + chunk`), picoseconds; the
    /// floor while its query blocks run at once. 0: attention is its FLOPs alone. >= 0.
    public var perAttentionKeyPicoseconds: Int64 = 0
    /// The table form's linear operators and all-reduces; nil in the other forms.
    public var tokenTable: TokenCostTable?

    public init(
        name: String, source: String, base: SimTime, perSequence: SimTime, perPrefillToken: SimTime, perContextToken: SimTime
    ) {
        self.name = name
        self.source = source
        self.base = base
        self.perSequence = perSequence
        self.perPrefillToken = perPrefillToken
        self.perContextToken = perContextToken
    }
}

extension HardwareProfile {
    /// A profile of the knee form (`base` is its per-iteration overhead).
    public static func knee(
        name: String, source: String, overhead: SimTime, weightRead: SimTime, perTokenCompute: SimTime, perToken: SimTime,
        perDecodeSequence: SimTime, perContextToken: SimTime, perAttentionUnitPicoseconds: Int64, perAttentionKeyPicoseconds: Int64 = 0
    ) -> HardwareProfile {
        var profile = HardwareProfile(name: name, source: source, base: overhead, perSequence: .zero, perPrefillToken: .zero,
                                      perContextToken: perContextToken)
        profile.form = .knee
        profile.weightRead = weightRead
        profile.perTokenCompute = perTokenCompute
        profile.perToken = perToken
        profile.perDecodeSequence = perDecodeSequence
        profile.perAttentionUnitPicoseconds = perAttentionUnitPicoseconds
        profile.perAttentionKeyPicoseconds = perAttentionKeyPicoseconds
        return profile
    }

    /// A profile of the table form (the table holds every per-iteration overhead).
    public static func table(
        name: String, source: String, table: TokenCostTable, perDecodeSequence: SimTime, perContextToken: SimTime,
        perAttentionUnitPicoseconds: Int64, perAttentionKeyPicoseconds: Int64
    ) -> HardwareProfile {
        var profile = HardwareProfile(name: name, source: source, base: .zero, perSequence: .zero, perPrefillToken: .zero,
                                      perContextToken: perContextToken)
        profile.form = .table
        profile.tokenTable = table
        profile.perDecodeSequence = perDecodeSequence
        profile.perAttentionUnitPicoseconds = perAttentionUnitPicoseconds
        profile.perAttentionKeyPicoseconds = perAttentionKeyPicoseconds
        return profile
    }

    /// Picoseconds of `seconds`, rounded (the attention unit's resolution); negative is 0, and
    /// past 1,000 s per unit it is capped (no real profile comes near).
    public static func picoseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite else { return seconds > 0 ? 1_000_000_000_000_000 : 0 }
        return Int64(min(max(seconds * 1e12, 0), 1e15).rounded())
    }
}

extension HardwareProfile {
    /// Public figures of a GPU, and the share of them an inference engine achieves.
    public struct GPUFigures: Sendable {
        public var name: String
        /// Peak HBM bandwidth, bytes/s (datasheet).
        public var memoryBandwidth: Double
        /// Peak dense BF16 tensor throughput, FLOP/s (datasheet, without sparsity).
        public var bf16Flops: Double
        /// Share of peak bandwidth a decode step achieves (0.8 is typical of tuned kernels).
        public var bandwidthEfficiency = 0.8
        /// Share of peak FLOP/s large prefill GEMMs achieve (model FLOPs utilization ~0.5).
        public var computeEfficiency = 0.5
    }

    /// NVIDIA H100 SXM5 datasheet: 3.35 TB/s HBM3, 989 TFLOP/s dense BF16.
    public static let h100 = GPUFigures(name: "H100-SXM-80GB", memoryBandwidth: 3.35e12, bf16Flops: 989e12)
    /// NVIDIA A100 SXM4 80GB datasheet: 2.039 TB/s HBM2e, 312 TFLOP/s dense BF16.
    public static let a100 = GPUFigures(name: "A100-SXM-80GB", memoryBandwidth: 2.039e12, bf16Flops: 312e12)

    /// A roofline profile: decode reads every weight once per iteration (`base = weight bytes /
    /// achieved bandwidth`); each token, prefilled or decoded, costs `2 × params` FLOPs at the
    /// achieved FLOP/s (`per_seq`, `per_prefill_token`); attention reads each cached token's K and V
    /// once (`per_context_token = kv bytes per token / achieved bandwidth`). Tensor parallelism
    /// divides all three over the GPUs (communication is ignored).
    public static func roofline(
        name: String, gpu: GPUFigures, parameters: Double, bytesPerParameter: Double = 2, kvBytesPerToken: Double,
        tensorParallel: Int
    ) -> HardwareProfile {
        let bandwidth = gpu.memoryBandwidth * gpu.bandwidthEfficiency * Double(tensorParallel)
        let flops = gpu.bf16Flops * gpu.computeEfficiency * Double(tensorParallel)
        let perToken = SimTime.seconds(2 * parameters / flops)
        return HardwareProfile(
            name: name,
            source: "roofline from the \(gpu.name) datasheet (\(gpu.memoryBandwidth / 1e12) TB/s at "
                + "\(Int(gpu.bandwidthEfficiency * 100)) %, \(Int(gpu.bf16Flops / 1e12)) TFLOP/s BF16 at "
                + "\(Int(gpu.computeEfficiency * 100)) %), \(String(format: "%g", parameters / 1e9))B parameters, TP=\(tensorParallel)",
            base: .seconds(parameters * bytesPerParameter / bandwidth),
            perSequence: perToken,
            perPrefillToken: perToken,
            perContextToken: .seconds(kvBytesPerToken / bandwidth)
        )
    }

    /// Llama 3.1 8B: 8.03 B parameters; KV 32 layers × 8 KV heads × 128 × 2 × 2 B = 128 KiB/token.
    /// Llama 3.1 70B: 70.6 B parameters; KV 80 layers × 8 × 128 × 2 × 2 B = 320 KiB/token, on 4 GPUs.
    public static let builtIn: [HardwareProfile] = [
        roofline(name: "h100-llama3-8b", gpu: h100, parameters: 8.03e9, kvBytesPerToken: 131_072, tensorParallel: 1),
        roofline(name: "h100-llama3-70b-tp4", gpu: h100, parameters: 70.6e9, kvBytesPerToken: 327_680, tensorParallel: 4),
        roofline(name: "a100-llama3-8b", gpu: a100, parameters: 8.03e9, kvBytesPerToken: 131_072, tensorParallel: 1),
        roofline(name: "a100-llama3-70b-tp4", gpu: a100, parameters: 70.6e9, kvBytesPerToken: 327_680, tensorParallel: 4),
    ]

    public static func builtIn(named name: String) -> HardwareProfile? {
        builtIn.first { $0.name == name }
    }
}
