extension Router {
    /// The ready replica with room scoring highest on llm-d's prefix, queue and session scorers
    /// (`CacheAwareRouting`), unless it is loaded more than `max_imbalance` above the least
    /// loaded candidate; records the request's leading blocks and session against the choice.
    /// - Complexity: O(ready replicas × matched blocks) dictionary lookups.
    mutating func pickCacheAware(from ready: [Int32], engines: some ReplicaLoads, request: Int32, requests: RequestTable) -> Int32? {
        let weights = spec.cacheAware
        let limit = spec.maxOutstandingPerReplica ?? .max
        let size = weights.blockSize
        let total = min(requests.hashedTokens(request) / size, weights.maxPrefixBlocks)
        let session = requests.session(request)
        let affine = session >= 0 ? sessionReplica[session] : nil
        var fewestWaiting = Int.max, mostWaiting = Int.min, leastLoaded: Int32 = -1
        for replica in ready where engines.outstanding(replica) < limit {
            let waiting = engines.waiting(replica)
            fewestWaiting = min(fewestWaiting, waiting)
            mostWaiting = max(mostWaiting, waiting)
            if leastLoaded < 0 || engines.outstanding(replica) < engines.outstanding(leastLoaded) { leastLoaded = replica }
        }
        guard leastLoaded >= 0 else { return nil }
        var best: Int32 = -1, bestScore = -Double.infinity
        for replica in ready where engines.outstanding(replica) < limit {
            let matched = total > 0 ? matchedBlocks(request, on: replica, upTo: total, requests: requests) : 0
            let waiting = engines.waiting(replica)
            let queueScore = mostWaiting == fewestWaiting ? 1 : Double(mostWaiting - waiting) / Double(mostWaiting - fewestWaiting)
            let prefixScore = total > 0 ? Double(matched) / Double(total) : 0
            let score = weights.prefixWeight * prefixScore + weights.queueWeight * queueScore
                + (replica == affine ? weights.sessionWeight : 0)
            if score > bestScore
                || (score == bestScore && engines.outstanding(replica) < engines.outstanding(best)) {
                best = replica
                bestScore = score
            }
        }
        if let cap = weights.maxImbalance,
           engines.outstanding(best) - engines.outstanding(leastLoaded) > cap {
            best = leastLoaded
        }
        record(request, on: best, blocks: total, requests: requests)
        if session >= 0 { remember(session, on: best, ending: requests.endsSession(request)) }
        return best
    }

    /// Leading blocks of `request` (of the router's block size) recorded for `replica`.
    func matchedBlocks(_ request: Int32, on replica: Int32, upTo total: Int, requests: RequestTable) -> Int {
        guard Int(replica) < prefixIndexes.count else { return 0 }
        let size = spec.cacheAware.blockSize
        let (ids, hashBlock) = (requests.chains[Int(request)].ids, Int(requests.chains[Int(request)].blockTokens))
        var matched = 0
        while matched < total,
              prefixIndexes[Int(replica)].contains(PrefixChain.key(ofBlock: matched, blockTokens: size, ids: ids, hashBlock: hashBlock)) {
            matched += 1
        }
        return matched
    }

    /// Records `request`'s first `blocks` blocks as sent to `replica`.
    private mutating func record(_ request: Int32, on replica: Int32, blocks: Int, requests: RequestTable) {
        guard blocks > 0 else { return }
        while prefixIndexes.count <= Int(replica) { prefixIndexes.append(RoutingPrefixIndex()) }
        let size = spec.cacheAware.blockSize
        let (ids, hashBlock) = (requests.chains[Int(request)].ids, Int(requests.chains[Int(request)].blockTokens))
        for index in 0..<blocks {
            prefixIndexes[Int(replica)].record(PrefixChain.key(ofBlock: index, blockTokens: size, ids: ids, hashBlock: hashBlock),
                                               capacity: spec.cacheAware.capacityPerReplica)
        }
    }
}
