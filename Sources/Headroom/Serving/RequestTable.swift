import HeadroomEngine

/// One request in the system, from arrival until it finishes or is dropped.
@usableFromInline
struct RequestSlot {
    var arrival: SimTime
    var promptTokens: Int32
    var outputTokens: Int32
    /// Output tokens produced before the request last left a batch (finished or preempted); while
    /// it runs, its engine's `RunningSequence` holds the live count.
    var generated: Int32 = 0
    /// Tokens to prefill when next admitted (the prompt, or after a preemption the prompt plus the
    /// output so far, recomputed).
    var prefillRemaining: Int32
    var admittedAt: SimTime = .never
    var firstTokenAt: SimTime = .never
    /// Sent back to the queue by a KV preemption; exempt from the queue timeout.
    var preempted = false
    /// Serial number in arrival order (the request's identity in samples and logs).
    var serial: Int64
    /// KV tokens it arrived with from a prefill worker: computed elsewhere, held from admission.
    var transferred: Int32 = 0
    /// Where it is in prefill/decode disaggregation.
    var stage: DisaggregationStage = .whole
    /// On a prefill worker: the output tokens it makes in all (there `outputTokens` is 1, the
    /// first token, made by the prefill).
    var fullOutputTokens: Int32 = 0
}

/// A request's part in prefill/decode disaggregation.
enum DisaggregationStage: UInt8 {
    /// Served whole by one replica.
    case whole
    /// On a prefill worker, to hand its KV cache to a decode worker after its first token.
    case prefill
    /// Handed off: its KV cache travels to (or sits on) a decode worker.
    case decode
}

/// In-flight requests addressed by `Int32` slot ids; slots are reused, so memory follows the
/// number of requests in the system, not the number that ever arrived.
@usableFromInline
struct RequestTable {
    private(set) var slots: ContiguousArray<RequestSlot> = []
    private var free: [Int32] = []
    /// Requests currently in the system.
    private(set) var live = 0

    mutating func insert(_ slot: RequestSlot) -> Int32 {
        live += 1
        if let id = free.popLast() {
            slots[Int(id)] = slot
            return id
        }
        slots.append(slot)
        return Int32(slots.count - 1)
    }

    mutating func remove(_ id: Int32) {
        live -= 1
        free.append(id)
    }

    @inline(__always)
    subscript(id: Int32) -> RequestSlot {
        _read { yield slots[Int(id)] }
        _modify { yield &slots[Int(id)] }
    }
}
