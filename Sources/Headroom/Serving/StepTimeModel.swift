import HeadroomEngine

/// Iteration times in integer nanoseconds, and the closed form of a run of decode iterations.
///
/// In a run of `n` decode iterations with a constant batch of `B` sequences starting with `C₀`
/// context tokens, iteration `k` (from 0) reads `C₀ + k·B` context tokens, so the run lasts
/// `S(n) = n·(base + per_seq·B + per_ctx·C₀) + per_ctx·B·n(n−1)/2` — exact in integers. The
/// simulator jumps over such runs in one event instead of one per iteration.
@usableFromInline
struct StepTimeModel: Sendable {
    let base: Int64, perSequence: Int64, perPrefillToken: Int64, perContextToken: Int64

    init(_ profile: HardwareProfile) {
        base = profile.base.nanoseconds
        perSequence = profile.perSequence.nanoseconds
        perPrefillToken = profile.perPrefillToken.nanoseconds
        perContextToken = profile.perContextToken.nanoseconds
    }

    /// One iteration with `batch` sequences, `prefillTokens` prompt tokens and `contextTokens`
    /// already cached. At least 1 ns, so time always advances.
    func iteration(batch: Int, prefillTokens: Int, contextTokens: Int64) -> Int64 {
        max(1, base + perSequence * Int64(batch) + perPrefillToken * Int64(prefillTokens) + perContextToken * contextTokens)
    }

    /// `S(n)`: the length of `n` consecutive decode iterations.
    func decodeRun(batch: Int, contextTokens: Int64, iterations n: Int) -> Int64 {
        let first = iteration(batch: batch, prefillTokens: 0, contextTokens: contextTokens)
        let n64 = Int64(n)
        return n64 * first + perContextToken * Int64(batch) * (n64 * (n64 - 1) / 2)
    }

    /// The smallest `k >= 1` with `S(k) >= offset`: the index of the first iteration boundary at or
    /// after `offset` nanoseconds into the run, capped at `limit`.
    /// - Complexity: O(1) (a quadratic's root, then an exact integer correction).
    func iterationsToReach(offset: Int64, batch: Int, contextTokens: Int64, limit: Int) -> Int {
        let a = Double(iteration(batch: batch, prefillTokens: 0, contextTokens: contextTokens))
        let b = Double(perContextToken * Int64(batch))
        let target = Double(max(0, offset))
        var k: Int
        if b == 0 {
            k = Int((target / a).rounded(.up))
        } else {
            let linear = a - b / 2
            k = Int(((-linear + (linear * linear + 2 * b * target).squareRoot()) / b).rounded(.up))
        }
        k = min(max(k, 1), limit)
        while k > 1 && decodeRun(batch: batch, contextTokens: contextTokens, iterations: k - 1) >= offset { k -= 1 }
        while k < limit && decodeRun(batch: batch, contextTokens: contextTokens, iterations: k) < offset { k += 1 }
        return k
    }
}

extension HardwareProfile {
    /// One iteration's length as the simulator computes it (whole-nanosecond coefficients).
    public func iterationTime(batch: Int, prefillTokens: Int, contextTokens: Int64) -> SimTime {
        SimTime(nanoseconds: StepTimeModel(self).iteration(batch: batch, prefillTokens: prefillTokens, contextTokens: contextTokens))
    }
}
