import HeadroomEngine

/// One iteration as the profile prices it, split the way measurements are reported (`headroom
/// profile show --tokens`): so a user can hold each part against their own timings.
public struct IterationBreakdown: Sendable, Equatable {
    /// The linear operators (GEMMs, norms, activations, embedding and LM head) and every
    /// per-iteration overhead; in the knee form also the all-reduces, which it folds in per token.
    public var linear: SimTime
    /// Prefill attention and the decoding sequences' K/V reads (the linear form's context term).
    public var attention: SimTime
    /// The tensor-parallel all-reduces where the profile holds them apart (the table form).
    public var communication: SimTime
    /// Exactly what the simulator charges: `linear` is the rest once the other two are taken out.
    public var total: SimTime
}

extension HardwareProfile {
    /// `decodes` sequences decoding over `decodeContext` cached tokens in all, and prefill chunks
    /// each with the tokens cached before it.
    public func breakdown(decodes: Int, prefills: [(chunk: Int, cached: Int)], decodeContext: Int64) -> IterationBreakdown {
        let total = iterationTime(decodes: decodes, prefills: prefills, decodeContext: decodeContext)
        let model = StepTimeModel(self)
        var attention: Int64
        if model.chargesCachedPrefix {
            attention = perContextToken.nanoseconds * (decodeContext + prefills.reduce(Int64(0)) { $0 + Int64($1.cached) })
        } else {
            let prefill = prefills.reduce(Int64(0)) { min(Int64.max / 4, $0 + model.prefillAttention(chunk: $1.chunk, cached: Int64($1.cached))) }
            attention = perContextToken.nanoseconds * decodeContext + prefill / 1000
        }
        attention = min(attention, total.nanoseconds)
        var communication = Int64(0)
        if form == .table, let table = tokenTable {
            communication = table.split(tokens: decodes + prefills.reduce(0) { $0 + $1.chunk }).communication.nanoseconds
        }
        communication = min(communication, total.nanoseconds - attention)
        return IterationBreakdown(
            linear: SimTime(nanoseconds: total.nanoseconds - attention - communication), attention: SimTime(nanoseconds: attention),
            communication: SimTime(nanoseconds: communication), total: total)
    }
}
