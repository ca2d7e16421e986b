/// One replica's automatic prefix cache, as vLLM's block pool keeps it: KV blocks of
/// `blockTokens` tokens named by the hash of the prefix they end, shared by reference count
/// while sequences use them, and kept after their last user leaves until the room is needed,
/// the least recently freed first.
///
/// Modelled on vLLM v1's `vllm/v1/core/kv_cache_manager.py` (vllm-project/vllm at ace980e, read
/// for behaviour): a request's cache hit is the longest run of leading full blocks found by hash
/// (`get_computed_blocks`, capped at `num_tokens − 1` so that the last token is computed); a
/// freed block keeps its hash and stays findable until an allocation takes it from the free
/// queue's head; `free` releases a request's blocks last first, "so that the tail blocks are
/// evicted first". Unlike vLLM, which caches a block when it is scheduled, a block joins the
/// cache when its prefill chunk ends, and output blocks when the request leaves.
///
/// **Accounting.** Tokens are counted as the engine counts them: a sequence's private tokens
/// plus `blockTokens` per block in use make the engine's `kvUsed`; free cached blocks are
/// memory the engine may take at any time (`trim` evicts them when `kvUsed` plus the free
/// blocks exceed the capacity). So admission, preemption and decode-run planning read `kvUsed`
/// exactly as without the cache. Unlike vLLM, a sequence that computes a block another sequence
/// registered meanwhile shares that block and drops its own copy (vLLM keeps the duplicate
/// until the request ends); this keeps a sequence's shared blocks a leading run.
struct PrefixCache {
    /// Tokens per block (vLLM's `block_size`).
    let blockTokens: Int
    private var blockOf = BlockMap()
    private var keys: [BlockKey] = []
    private var refs: [Int32] = []
    /// The free queue: a doubly linked list through `previous`/`following`, least recently freed at `head`.
    private var previous: [Int32] = []
    private var following: [Int32] = []
    private var head: Int32 = -1
    private var tail: Int32 = -1
    /// Block slots not holding a prefix (evicted), for reuse.
    private var vacant: [Int32] = []
    /// Blocks whose reference count is zero (in the free queue, still findable).
    private(set) var freeBlocks = 0
    /// Blocks with at least one user.
    private(set) var usedBlocks = 0
    /// Blocks evicted so far.
    private(set) var evictions = 0

    init(blockTokens: Int) {
        precondition(blockTokens > 0, "a block holds at least one token")
        self.blockTokens = blockTokens
    }

    /// Tokens held by free cached blocks.
    var freeTokens: Int64 { Int64(freeBlocks) * Int64(blockTokens) }

    /// The block holding `key`, if it is cached.
    @inline(__always)
    func block(_ key: BlockKey) -> Int32? { blockOf[key] }

    /// Whether `block` has no user (it sits in the free queue).
    func isFree(_ block: Int32) -> Bool { refs[Int(block)] == 0 }

    /// Takes one more reference to a cached block; returns whether it was free (its tokens move
    /// from the free blocks to the used ones).
    mutating func acquire(_ block: Int32) -> Bool {
        let b = Int(block)
        refs[b] += 1
        references += 1
        guard refs[b] == 1 else { return false }
        unlink(block)
        freeBlocks -= 1
        usedBlocks += 1
        return true
    }

    /// Registers a newly computed block under `key`, held by its computing sequence.
    /// - Precondition: `key` is not cached.
    mutating func insert(_ key: BlockKey) -> Int32 {
        let block: Int32
        if let slot = vacant.popLast() {
            block = slot
            keys[Int(block)] = key
            refs[Int(block)] = 1
        } else {
            block = Int32(keys.count)
            keys.append(key)
            refs.append(1)
            previous.append(-1)
            following.append(-1)
        }
        blockOf[key] = block
        usedBlocks += 1
        references += 1
        return block
    }

    /// Drops one reference; a block left without users joins the free queue's tail. Returns
    /// whether it did.
    mutating func release(_ block: Int32) -> Bool {
        let b = Int(block)
        precondition(refs[b] > 0, "released a block nobody holds")
        refs[b] -= 1
        references -= 1
        guard refs[b] == 0 else { return false }
        previous[b] = tail
        following[b] = -1
        if tail >= 0 { following[Int(tail)] = block } else { head = block }
        tail = block
        freeBlocks += 1
        usedBlocks -= 1
        return true
    }

    /// Evicts free blocks, least recently freed first, until `used` tokens plus the free
    /// blocks fit `capacity` (or none is left).
    mutating func trim(used: Int64, capacity: Int64) {
        while freeBlocks > 0 && used + freeTokens > capacity {
            let block = head
            unlink(block)
            blockOf[keys[Int(block)]] = nil
            vacant.append(block)
            freeBlocks -= 1
            evictions += 1
        }
    }

    /// The free queue, least recently freed first (for tests and invariant checks).
    var freeQueue: [BlockKey] {
        var result: [BlockKey] = []
        var block = head
        while block >= 0 {
            result.append(keys[Int(block)])
            block = following[Int(block)]
        }
        return result
    }

    /// Σ reference counts: each sequence's shared blocks, once per sequence.
    private(set) var references = 0

    private mutating func unlink(_ block: Int32) {
        let b = Int(block)
        let (before, after) = (previous[b], following[b])
        if before >= 0 { following[Int(before)] = after } else { head = after }
        if after >= 0 { previous[Int(after)] = before } else { tail = before }
        previous[b] = -1
        following[b] = -1
    }
}

/// The name of a KV block: the prefix it ends, as the trace's hash of the hash block holding its
/// last token and that token's place in it. Two requests whose blocks have equal keys share the
/// whole prefix up to the block's end.
struct BlockKey: Hashable {
    var hash: UInt64
    var offset: UInt32

    /// One word fed to the hasher, not two: keys are hashed several times per block per request.
    func hash(into hasher: inout Hasher) {
        hasher.combine(hash &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(offset))
    }
}
