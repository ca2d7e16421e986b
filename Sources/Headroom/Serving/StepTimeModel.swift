import HeadroomEngine

/// Iteration times in integer nanoseconds, and the closed form of a run of decode iterations.
///
/// In a run of `n` decode iterations with a constant batch of `B` sequences starting with `C₀`
/// context tokens, iteration `k` (from 0) reads `C₀ + k·B` context tokens, so the run lasts
/// `S(n) = n·T₀ + per_ctx·B·n(n−1)/2` with `T₀` the first iteration — exact in integers. In the
/// knee and table forms every term but the context one depends only on the batch's tokens (`B`,
/// constant through the run) and its decoding sequences (`B`), and prefill attention is zero, so
/// the same quadratic holds (docs/DECISIONS.md, "The knee form keeps the decode run's closed form").
/// The simulator jumps over such runs in one event instead of one per iteration.
@usableFromInline
struct StepTimeModel: Sendable {
    /// The coefficients, in one object that copies of the model share: every engine of a pool
    /// holds the same one, so an engine carries 8 bytes of model instead of 112 and a step reads
    /// the coefficients from lines every step keeps in the cache (in a fleet of thousands, an
    /// engine's own lines are a miss each; the model was two of its seven hot lines).
    private let shared: Coefficients

    /// `tabulatingUpTo`: with the table form, the costs of iterations of up to that many tokens
    /// are tabulated (a run's models; one-off uses such as calibration leave it 0).
    init(_ profile: HardwareProfile, tabulatingUpTo tokens: Int = 0) {
        shared = Coefficients(profile, tabulatingUpTo: tokens)
    }

    var form: HardwareProfile.Form { shared.form }
    var base: Int64 { shared.base }
    var perSequence: Int64 { shared.perSequence }
    var perPrefillToken: Int64 { shared.perPrefillToken }
    var perContextToken: Int64 { shared.perContextToken }
    var weightRead: Int64 { shared.weightRead }
    var perTokenCompute: Int64 { shared.perTokenCompute }
    var perToken: Int64 { shared.perToken }
    var perDecodeSequence: Int64 { shared.perDecodeSequence }
    var perAttentionUnitPicoseconds: Int64 { shared.perAttentionUnitPicoseconds }
    var perAttentionKeyPicoseconds: Int64 { shared.perAttentionKeyPicoseconds }
    // The tables are lent, not copied (a copy would retain and release the array per read).
    var tableTokens: [Int64] { _read { yield shared.tableTokens } }
    var tableNanoseconds: [Int64] { _read { yield shared.tableNanoseconds } }
    var tabulated: [Int64] { _read { yield shared.tabulated } }

    /// The most tokens a simulation's step times tabulate (128 KB of costs).
    static let maxTabulatedTokens = 16_384

    /// A profile's coefficients in whole nanoseconds (picoseconds for attention), immutable.
    final class Coefficients: Sendable {
        let form: HardwareProfile.Form
        let base: Int64, perSequence: Int64, perPrefillToken: Int64, perContextToken: Int64
        let weightRead: Int64, perTokenCompute: Int64, perToken: Int64, perDecodeSequence: Int64
        let perAttentionUnitPicoseconds: Int64, perAttentionKeyPicoseconds: Int64
        /// The table form's knots and their costs (linear operators + all-reduces), nanoseconds.
        let tableTokens: [Int64], tableNanoseconds: [Int64]
        /// The table form's cost at 0, 1, 2, … tokens, worked out once (empty unless asked for): a
        /// run prices every iteration and decode run, and the interpolation's search and division
        /// cost more than the rest of the step time.
        let tabulated: [Int64]

        init(_ profile: HardwareProfile, tabulatingUpTo tokens: Int) {
            form = profile.form
            base = profile.base.nanoseconds
            perSequence = profile.perSequence.nanoseconds
            perPrefillToken = profile.perPrefillToken.nanoseconds
            perContextToken = profile.perContextToken.nanoseconds
            weightRead = profile.weightRead.nanoseconds
            perTokenCompute = profile.perTokenCompute.nanoseconds
            perToken = profile.perToken.nanoseconds
            perDecodeSequence = profile.perDecodeSequence.nanoseconds
            perAttentionUnitPicoseconds = profile.perAttentionUnitPicoseconds
            perAttentionKeyPicoseconds = profile.perAttentionKeyPicoseconds
            tableTokens = profile.tokenTable?.tokens ?? []
            tableNanoseconds = profile.tokenTable?.total ?? []
            if form == .table && !tableTokens.isEmpty && tokens > 0 {
                let (knots, costs) = (tableTokens, tableNanoseconds)
                tabulated = (0...min(tokens, StepTimeModel.maxTabulatedTokens)).map {
                    TokenCostTable.interpolate(costs, at: Int64($0), knots: knots)
                }
            } else {
                tabulated = []
            }
        }
    }

    /// Whether `per_context_token` also prices the tokens cached before a prefill chunk: in the
    /// linear form (its only attention term); the knee and table forms price them in the chunk's
    /// attention, and `per_context_token` is the decoding sequences' K/V reads alone.
    var chargesCachedPrefix: Bool { form == .linear }

    /// One prefilling sequence's attention, picoseconds: `max(per_attention_key × (cached +
    /// chunk), per_attention_unit × chunk × (cached + chunk / 2))`; 0 in the linear form, whose
    /// prefill cost is per token. Saturates rather than traps.
    @inline(__always)
    func prefillAttention(chunk: Int, cached: Int64) -> Int64 {
        guard form != .linear else { return 0 }
        let chunk = Int64(chunk)
        let (walk, walkOverflow) = perAttentionKeyPicoseconds.multipliedReportingOverflow(by: cached + chunk)
        // Half-units (chunk × (2 × cached + chunk)) keep the unit term an integer.
        let (units, unitsOverflow) = chunk.multipliedReportingOverflow(by: 2 * cached + chunk)
        let (work, workOverflow) = perAttentionUnitPicoseconds.multipliedReportingOverflow(by: units)
        if walkOverflow || unitsOverflow || workOverflow { return Int64.max / 4 }
        return max(walk, work / 2)
    }

    /// One iteration with `batch` sequences, `decodes` of them decoding, `prefillTokens` prompt
    /// tokens, `contextTokens` already cached and `prefillAttention` picoseconds of prefill
    /// attention (Σ `prefillAttention(chunk:cached:)` over the prefilling sequences). At least
    /// 1 ns, so time always advances.
    @inline(__always)
    func iteration(batch: Int, decodes: Int, prefillTokens: Int, contextTokens: Int64, prefillAttention: Int64) -> Int64 {
        let tokens = Int64(decodes + prefillTokens)
        var time: Int64
        switch form {
        case .linear:
            return max(1, base + perSequence * Int64(batch) + perPrefillToken * Int64(prefillTokens) + perContextToken * contextTokens)
        case .knee:
            time = base + max(weightRead, perTokenCompute * tokens) + perToken * tokens
        case .table:
            time = tokens < Int64(tabulated.count) ? tabulated[Int(tokens)]
                : TokenCostTable.interpolate(tableNanoseconds, at: tokens, knots: tableTokens)
        }
        time += perDecodeSequence * Int64(decodes) + perContextToken * contextTokens + prefillAttention / 1000
        return max(1, time)
    }

    /// A pure decode iteration of `batch` sequences holding `contextTokens` cached tokens.
    @inline(__always)
    func decodeIteration(batch: Int, contextTokens: Int64) -> Int64 {
        iteration(batch: batch, decodes: batch, prefillTokens: 0, contextTokens: contextTokens, prefillAttention: 0)
    }

    /// `S(n)`: the length of `n` consecutive decode iterations. (Inlined: a call per run end
    /// and per cut run cost as much as the arithmetic.)
    @inline(__always)
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
        boundary(reaching: offset, batch: batch, contextTokens: contextTokens, limit: limit).iterations
    }

    /// `iterationsToReach` and that boundary's time into the run, `S(k)`: a run cut there ends at
    /// it, so the caller need not work out `S(k)` again.
    func boundary(reaching offset: Int64, batch: Int, contextTokens: Int64, limit: Int) -> (iterations: Int, length: Int64) {
        // The first iteration and the growth once, for the estimate and the exact correction.
        let first = decodeIteration(batch: batch, contextTokens: contextTokens), growth = perContextToken * Int64(batch)
        if growth == 0 {
            // Iterations of equal length (no context cost): the ceiling of a division, exact as
            // is (`first` ≥ 1), with no estimate to correct.
            let k = min(offset <= 0 ? 1 : Int((offset - 1) / first) + 1, limit)
            return (k, Self.run(first: first, growth: 0, iterations: k))
        }
        let a = Double(first)
        let b = Double(growth)
        let target = Double(max(0, offset))
        let linear = a - b / 2
        var k = Int(((-linear + (linear * linear + 2 * b * target).squareRoot()) / b).rounded(.up))
        k = min(max(k, 1), limit)
        // S(k), kept as the correction moves k: the answer's length comes out with it.
        var length = Self.run(first: first, growth: growth, iterations: k)
        while k > 1 {
            let shorter = length - first - growth * Int64(k - 1)
            guard shorter >= offset else { break }
            k -= 1
            length = shorter
        }
        while k < limit && length < offset {
            length += first + growth * Int64(k)
            k += 1
        }
        return (k, length)
    }
}

extension HardwareProfile {
    /// One iteration's length as the simulator computes it (whole-nanosecond coefficients): `decodes`
    /// decoding sequences holding `decodeContext` cached tokens in all, and prefill chunks given
    /// with the tokens cached before them.
    public func iterationTime(decodes: Int, prefills: [(chunk: Int, cached: Int)], decodeContext: Int64) -> SimTime {
        let model = StepTimeModel(self)
        let attention = prefills.reduce(Int64(0)) { $0 + model.prefillAttention(chunk: $1.chunk, cached: Int64($1.cached)) }
        let cachedPrefixes = model.chargesCachedPrefix ? prefills.reduce(Int64(0)) { $0 + Int64($1.cached) } : 0
        return SimTime(nanoseconds: model.iteration(
            batch: decodes + prefills.count, decodes: decodes, prefillTokens: prefills.reduce(0) { $0 + $1.chunk },
            contextTokens: decodeContext + cachedPrefixes, prefillAttention: attention))
    }

    /// One iteration in a calibration sample's terms: pure decode (no prefill tokens: `batch`
    /// sequences holding `contextTokens`), or prefill tokens as one chunk with `contextTokens`
    /// cached before it when it is alone, else the batch's other sequences decoding over them.
    public func iterationTime(batch: Int, prefillTokens: Int, contextTokens: Int64) -> SimTime {
        if form == .linear {
            return SimTime(nanoseconds: StepTimeModel(self).iteration(
                batch: batch, decodes: batch, prefillTokens: prefillTokens, contextTokens: contextTokens, prefillAttention: 0))
        }
        guard prefillTokens > 0 else { return iterationTime(decodes: batch, prefills: [], decodeContext: contextTokens) }
        if batch <= 1 { return iterationTime(decodes: 0, prefills: [(prefillTokens, Int(contextTokens))], decodeContext: 0) }
        return iterationTime(decodes: batch - 1, prefills: [(prefillTokens, 0)], decodeContext: contextTokens)
    }
}
