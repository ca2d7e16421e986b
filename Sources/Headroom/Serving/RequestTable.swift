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
    var admittedAt: SimTime = .notYet
    var firstTokenAt: SimTime = .notYet
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

extension RequestSlot {
    /// The prompt and output tokens the replica that finished it served: a decode worker the
    /// output after the first token (its prefill worker made the prompt and that token, credited
    /// at the hand-off), any other replica all of it. What a deployment's cost per token is over.
    @inline(__always)
    var servedTokens: (prompt: Int, output: Int) {
        let decoded = stage == .decode
        return (decoded ? 0 : Int(promptTokens), Int(outputTokens) - (decoded ? 1 : 0))
    }
}

extension SimTime {
    /// `.never`, built in place: the library's constant is a global of another module, read
    /// through an accessor call on every use, and these are set and tested once per request.
    @inline(__always)
    static var notYet: SimTime { SimTime(nanoseconds: .max) }
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
///
/// The rows and the free ids are `StateTable`s (Run/StateTable.swift), written without a
/// copy-on-write check: the simulation owns its table alone, and a request's life writes it
/// about six times.
@usableFromInline
struct RequestTable {
    private(set) var slots = StateTable<RequestSlot>()
    private var free = StateTable<Int32>()
    /// Requests currently in the system.
    private(set) var live = 0
    /// Each slot's session and prefix hashes, apart from `slots` (they hold arrays, which the
    /// hot slot copies should not); empty until a request carries them. A slot's arrays keep
    /// their capacity when it is reused, so a steady run allocates none.
    var chains: ContiguousArray<PrefixChain> = []

    mutating func insert(_ slot: RequestSlot) -> Int32 {
        live += 1
        // `removeLast` is inlined where the generic `popLast` was a call per request.
        if !free.isEmpty {
            let id = free.removeLast()
            slots[Int(id)] = slot
            if Int(id) < chains.count { chains[Int(id)].clear() }
            return id
        }
        slots.append(slot)
        return Int32(slots.count - 1)
    }

    mutating func remove(_ id: Int32) {
        live -= 1
        free.append(id)
    }

    /// Gives request `id` its session (and whether it is the session's last) and prefix hashes.
    mutating func setChain(_ id: Int32, session: Int64, endsSession: Bool = false, prefix: PrefixSpan, hashes: ArraySlice<UInt64>) {
        guard session >= 0 || !prefix.isEmpty else { return }
        while chains.count <= Int(id) { chains.append(PrefixChain()) }
        chains[Int(id)].session = session
        chains[Int(id)].endsSession = endsSession
        chains[Int(id)].blockTokens = prefix.isEmpty ? 0 : prefix.blockTokens
        chains[Int(id)].tokens = prefix.isEmpty ? 0 : prefix.tokens
        chains[Int(id)].ids.append(contentsOf: hashes)
    }

    /// Tokens of request `id` its hashes name (0: none).
    @inline(__always)
    func hashedTokens(_ id: Int32) -> Int { Int(id) < chains.count ? Int(chains[Int(id)].tokens) : 0 }

    /// Prefix-cache blocks request `id` holds.
    func chainBlocks(_ id: Int32) -> Int { Int(id) < chains.count ? chains[Int(id)].blocks.count : 0 }

    /// Request `id`'s session (`-1`: none).
    func session(_ id: Int32) -> Int64 { Int(id) < chains.count ? chains[Int(id)].session : -1 }

    /// Whether request `id` is its session's last.
    func endsSession(_ id: Int32) -> Bool { Int(id) < chains.count && chains[Int(id)].endsSession }

    @inline(__always)
    subscript(id: Int32) -> RequestSlot {
        _read { yield slots[Int(id)] }
        _modify { yield &slots[Int(id)] }
    }
}

/// A request's session and prefix: its hashes, and the prefix-cache blocks it holds on the
/// replica it runs on (a leading run of its blocks).
struct PrefixChain {
    var session: Int64 = -1
    var endsSession = false
    /// Tokens per hash, and tokens the hashes name.
    var blockTokens: Int32 = 0
    var tokens: Int32 = 0
    var ids: [UInt64] = []
    var blocks: [Int32] = []

    mutating func clear() {
        session = -1
        endsSession = false
        blockTokens = 0
        tokens = 0
        ids.removeAll(keepingCapacity: true)
        blocks.removeAll(keepingCapacity: true)
    }

    /// The key of the `index`-th block of `blockTokens` tokens: the hash of the hash block
    /// holding its last token, and that token's place there.
    /// - Precondition: the block ends within `tokens`.
    @inline(__always)
    func key(ofBlock index: Int, blockTokens size: Int) -> BlockKey {
        Self.key(ofBlock: index, blockTokens: size, ids: ids, hashBlock: Int(blockTokens))
    }

    /// The same from a chain's `ids` and hash block size, read once before a loop (reading the
    /// chain per block would retain its arrays per block).
    @inline(__always)
    static func key(ofBlock index: Int, blockTokens size: Int, ids: [UInt64], hashBlock: Int) -> BlockKey {
        let last = (index + 1) * size - 1
        return BlockKey(hash: ids[last / hashBlock], offset: UInt32(last % hashBlock))
    }
}
