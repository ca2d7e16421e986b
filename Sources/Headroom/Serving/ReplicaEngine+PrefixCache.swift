/// The engine's side of automatic prefix caching: what an admission finds cached, the blocks a
/// sequence registers as it computes them, and what it gives back when it leaves the batch.
/// Every entry point is a no-op without a cache (`prefix_caching` off), so the engine's results
/// are then exactly those it had before caching existed.
extension ReplicaEngine {
    /// Tokens of request `id`'s prompt cached here as leading full blocks, and how many of those
    /// blocks are free (admitting it takes their memory back from the free blocks). At most
    /// `need − 1` tokens, as vLLM's `get_computed_blocks` leaves the last token to compute.
    ///
    /// Inlined, with the lookup in the cache's own method: calling an out-of-line method of the
    /// engine from a mutating one copied the whole engine (504 bytes) twice per request.
    @inline(__always)
    func cachedPrefix(of id: Int32, need: Int, requests: RequestTable) -> (tokens: Int, revived: Int) {
        guard cachesPrefixes else { return (0, 0) }
        let hashed = requests.hashedTokens(id)
        guard hashed > 0 else { return (0, 0) }
        return prefixCache!.cachedPrefix(of: id, hashed: hashed, need: need, requests: requests)
    }

    /// Takes a reference to each of request `id`'s first `tokens / block size` cached blocks
    /// (found by `cachedPrefix`), and counts the lookup in the hit rate. (The test for a cache is
    /// inlined: a call per admission without one.)
    @inline(__always)
    mutating func acquirePrefix(of id: Int32, tokens: Int, need: Int, requests: inout RequestTable) {
        if cachesPrefixes { acquireCachedPrefix(of: id, tokens: tokens, need: need, requests: &requests) }
    }

    private mutating func acquireCachedPrefix(of id: Int32, tokens: Int, need: Int, requests: inout RequestTable) {
        prefixQueriedTokens += Int64(need)
        prefixHitTokens += Int64(tokens)
        guard requests.hashedTokens(id) > 0 else { return }
        // Blocks still listed were held on a replica that crashed: its cache is gone.
        requests.chains[Int(id)].blocks.removeAll(keepingCapacity: true)
        let size = prefixCache!.blockTokens
        let (ids, hashBlock) = (requests.chains[Int(id)].ids, Int(requests.chains[Int(id)].blockTokens))
        for index in 0..<tokens / size {
            let block = prefixCache!.block(PrefixChain.key(ofBlock: index, blockTokens: size, ids: ids, hashBlock: hashBlock))!
            if prefixCache!.acquire(block) { kvUsed += Int64(size) }
            requests.chains[Int(id)].blocks.append(block)
        }
    }

    /// Registers the full blocks of `sequence` computed so far (up to `computed` tokens, within
    /// what its hashes name) beyond those it holds: their private tokens become shared blocks. A
    /// block another sequence registered meanwhile is shared and the private copy dropped.
    mutating func registerComputedBlocks(_ sequence: inout RunningSequence, computed: Int64, requests: inout RequestTable) {
        let id = sequence.id
        let size = prefixCache!.blockTokens
        let full = min(Int(computed), requests.hashedTokens(id)) / size
        var held = requests.chains[Int(id)].blocks.count
        guard held < full else { return }
        let (ids, hashBlock) = (requests.chains[Int(id)].ids, Int(requests.chains[Int(id)].blockTokens))
        while held < full {
            let key = PrefixChain.key(ofBlock: held, blockTokens: size, ids: ids, hashBlock: hashBlock)
            if let block = prefixCache!.block(key) {
                if prefixCache!.acquire(block) { kvUsed += Int64(size) }
                kvUsed -= Int64(size)
                requests.chains[Int(id)].blocks.append(block)
            } else {
                requests.chains[Int(id)].blocks.append(prefixCache!.insert(key))
            }
            sequence.kvHeld -= Int64(size)
            held += 1
        }
    }

    /// A sequence (counts absolute) leaves the batch, finished or preempted: its computed full
    /// blocks are registered, then all its blocks released, last first (vLLM's `free` order, so
    /// that its tail is evicted before its head). Its private tokens are the caller's to free.
    @inline(__always)
    mutating func releasePrefix(_ sequence: inout RunningSequence, requests: inout RequestTable) {
        if cachesPrefixes { releaseCachedPrefix(&sequence, requests: &requests) }
    }

    private mutating func releaseCachedPrefix(_ sequence: inout RunningSequence, requests: inout RequestTable) {
        guard requests.hashedTokens(sequence.id) > 0 else { return }
        registerComputedBlocks(&sequence, computed: sequence.computed, requests: &requests)
        let size = Int64(prefixCache!.blockTokens)
        let chain = Int(sequence.id)
        // By index: a copy of the list would make the `removeAll` below copy its buffer.
        for index in requests.chains[chain].blocks.indices.reversed() where prefixCache!.release(requests.chains[chain].blocks[index]) {
            kvUsed -= size
        }
        requests.chains[chain].blocks.removeAll(keepingCapacity: true)
    }

    /// Evicts free cached blocks until the sequences' tokens and the cache fit the capacity.
    @inline(__always)
    mutating func trimPrefixCache() {
        if cachesPrefixes { prefixCache!.trim(used: kvUsed, capacity: kvCapacity) }
    }

    /// Blocks in use times the block size: the part of `kvUsed` the prefix cache holds.
    var sharedTokens: Int64 { prefixCache.map { Int64($0.usedBlocks) * Int64($0.blockTokens) } ?? 0 }
}

extension PrefixCache {
    /// `ReplicaEngine.cachedPrefix` for a request whose hashes name `hashed` (> 0) tokens.
    func cachedPrefix(of id: Int32, hashed: Int, need: Int, requests: RequestTable) -> (tokens: Int, revived: Int) {
        let size = blockTokens
        let limit = min(hashed, need - 1) / size
        let (ids, hashBlock) = (requests.chains[Int(id)].ids, Int(requests.chains[Int(id)].blockTokens))
        var blocks = 0, revived = 0
        while blocks < limit, let found = block(PrefixChain.key(ofBlock: blocks, blockTokens: size, ids: ids, hashBlock: hashBlock)) {
            if isFree(found) { revived += 1 }
            blocks += 1
        }
        return (blocks * size, revived)
    }
}
