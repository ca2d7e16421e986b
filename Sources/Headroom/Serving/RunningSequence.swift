/// When a decoding sequence will have produced its last token, in the engine's decode steps, and
/// where it sits. Ordered by step alone: sequences due together leave sorted by ticket.
struct FinishStep: Comparable {
    var step: Int64
    var slot: Int32
    /// The sequence's request (in the padding: still 16 bytes), so that its table row can be
    /// loaded before the slot's.
    var request: Int32 = -1
    /// None: no sequence decodes.
    static let none = FinishStep(step: .max, slot: -1)
    static func < (a: FinishStep, b: FinishStep) -> Bool { a.step < b.step }
}

/// A sequence in the batch: its request id and its token state. While it prefills the counts
/// are its own; once it decodes they are stored minus the engine's `decodeSteps`, so that one
/// shared counter advances every decoding sequence at once (no walk over the batch per run).
@usableFromInline
struct RunningSequence {
    var id: Int32
    var outputTokens: Int32
    /// Tokens still to prefill before the next token comes out.
    var prefillRemaining: Int32
    /// Prefill tokens scheduled in the iteration under way (0 when decoding).
    var chunk: Int32 = 0
    /// The admission's number in this engine: batch order, and tells this admission apart from
    /// earlier ones of the same request (after a preemption).
    var ticket: UInt64
    /// Output tokens produced so far.
    var generated: Int64
    /// Tokens whose keys and values are computed: what attention reads.
    var computed: Int64 = 0
    /// KV-cache tokens held privately: the reserved prefill plus one per decode iteration, less
    /// the prefix-cache blocks it shares (counted once in the engine's `kvUsed`).
    var kvHeld: Int64

    /// The ticket of a free decoding slot.
    static let freeTicket = UInt64.max
}
