import HeadroomEngine

/// Iteration times in integer nanoseconds, and the closed form of a run of decode iterations.
///
/// In a run of `n` decode iterations with a constant batch of `B` sequences starting with `C₀`
/// context tokens, iteration `k` (from 0) reads `C₀ + k·B` context tokens, so the run lasts
/// `S(n) = n·T₀ + per_ctx·B·n(n−1)/2` with `T₀` the first iteration — exact in integers. In the
/// knee form every term but the context one depends only on the batch's tokens (`B`, constant
/// through the run) and its decoding sequences (`B`), and prefill attention is zero, so the
/// same quadratic holds (docs/DECISIONS.md, "The knee form keeps the decode run's closed form").
/// The simulator jumps over such runs in one event instead of one per iteration.
@usableFromInline
struct StepTimeModel: Sendable {
    let base: Int64, perSequence: Int64, perPrefillToken: Int64, perContextToken: Int64
    let isKnee: Bool
    let weightRead: Int64, perTokenCompute: Int64, perToken: Int64, perDecodeSequence: Int64, perAttentionUnitPicoseconds: Int64

    init(_ profile: HardwareProfile) {
        base = profile.base.nanoseconds
        perSequence = profile.perSequence.nanoseconds
        perPrefillToken = profile.perPrefillToken.nanoseconds
        perContextToken = profile.perContextToken.nanoseconds
        isKnee = profile.form == .knee
        weightRead = profile.weightRead.nanoseconds
        perTokenCompute = profile.perTokenCompute.nanoseconds
        perToken = profile.perToken.nanoseconds
        perDecodeSequence = profile.perDecodeSequence.nanoseconds
        perAttentionUnitPicoseconds = profile.perAttentionUnitPicoseconds
    }

    /// One iteration with `batch` sequences, `decodes` of them decoding, `prefillTokens` prompt
    /// tokens and `contextTokens` already cached; `prefillAttention` is Σ `chunk × (2 × cached +
    /// chunk)` over the prefilling sequences (twice the attention units, so that it stays an
    /// integer). At least 1 ns, so time always advances.
    @inline(__always)
    func iteration(batch: Int, decodes: Int, prefillTokens: Int, contextTokens: Int64, prefillAttention: Int64) -> Int64 {
        guard isKnee else {
            return max(1, base + perSequence * Int64(batch) + perPrefillToken * Int64(prefillTokens) + perContextToken * contextTokens)
        }
        let tokens = Int64(decodes + prefillTokens)
        var time = base + max(weightRead, perTokenCompute * tokens) + perToken * tokens + perDecodeSequence * Int64(decodes)
            + perContextToken * contextTokens
        if prefillAttention > 0 {
            // Picoseconds × half-units: / 2,000 gives nanoseconds; saturates rather than traps.
            let (product, overflow) = perAttentionUnitPicoseconds.multipliedReportingOverflow(by: prefillAttention)
            time += overflow ? Int64.max / 4 : product / 2000
        }
        return max(1, time)
    }

    /// A pure decode iteration of `batch` sequences holding `contextTokens` cached tokens.
    @inline(__always)
    func decodeIteration(batch: Int, contextTokens: Int64) -> Int64 {
        iteration(batch: batch, decodes: batch, prefillTokens: 0, contextTokens: contextTokens, prefillAttention: 0)
    }

    /// `S(n)`: the length of `n` consecutive decode iterations.
    func decodeRun(batch: Int, contextTokens: Int64, iterations n: Int) -> Int64 {
        Self.run(first: decodeIteration(batch: batch, contextTokens: contextTokens), growth: perContextToken * Int64(batch), iterations: n)
    }

    /// `S(n) = n·first + growth·n(n−1)/2`, the first iteration and the growth per iteration known.
    @inline(__always)
    static func run(first: Int64, growth: Int64, iterations n: Int) -> Int64 {
        let n64 = Int64(n)
        return n64 * first + growth * (n64 * (n64 - 1) / 2)
    }

    /// The smallest `k >= 1` with `S(k) >= offset`: the index of the first iteration boundary at or
    /// after `offset` nanoseconds into the run, capped at `limit`.
    /// - Complexity: O(1) (a quadratic's root, then an exact integer correction).
    func iterationsToReach(offset: Int64, batch: Int, contextTokens: Int64, limit: Int) -> Int {
        // The first iteration and the growth once, for the estimate and the exact correction.
        let first = decodeIteration(batch: batch, contextTokens: contextTokens), growth = perContextToken * Int64(batch)
        let a = Double(first)
        let b = Double(growth)
        let target = Double(max(0, offset))
        var k: Int
        if b == 0 {
            k = Int((target / a).rounded(.up))
        } else {
            let linear = a - b / 2
            k = Int(((-linear + (linear * linear + 2 * b * target).squareRoot()) / b).rounded(.up))
        }
        k = min(max(k, 1), limit)
        while k > 1 && Self.run(first: first, growth: growth, iterations: k - 1) >= offset { k -= 1 }
        while k < limit && Self.run(first: first, growth: growth, iterations: k) < offset { k += 1 }
        return k
    }
}

extension HardwareProfile {
    /// One iteration's length as the simulator computes it (whole-nanosecond coefficients): `decodes`
    /// decoding sequences and prefill chunks given with the tokens cached before them;
    /// `contextTokens` is every cached token of the batch's sequences (decoding and prefilling).
    public func iterationTime(decodes: Int, prefills: [(chunk: Int, cached: Int)], contextTokens: Int64) -> SimTime {
        let attention = prefills.reduce(Int64(0)) { $0 + Int64($1.chunk) * (2 * Int64($1.cached) + Int64($1.chunk)) }
        return SimTime(nanoseconds: StepTimeModel(self).iteration(
            batch: decodes + prefills.count, decodes: decodes, prefillTokens: prefills.reduce(0) { $0 + $1.chunk },
            contextTokens: contextTokens, prefillAttention: attention))
    }

    /// One iteration in a calibration sample's terms: pure decode (no prefill tokens: `batch`
    /// sequences holding `contextTokens`), or prefill tokens as one chunk, the batch's other
    /// sequences decoding, and `contextTokens` cached before the chunk when it is alone.
    public func iterationTime(batch: Int, prefillTokens: Int, contextTokens: Int64) -> SimTime {
        if form == .linear {
            return SimTime(nanoseconds: StepTimeModel(self).iteration(
                batch: batch, decodes: batch, prefillTokens: prefillTokens, contextTokens: contextTokens, prefillAttention: 0))
        }
        guard prefillTokens > 0 else { return iterationTime(decodes: batch, prefills: [], contextTokens: contextTokens) }
        return iterationTime(decodes: max(0, batch - 1), prefills: [(prefillTokens, batch <= 1 ? Int(contextTokens) : 0)],
                             contextTokens: contextTokens)
    }
}
