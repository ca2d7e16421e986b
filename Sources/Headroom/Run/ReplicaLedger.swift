/// What the results still need from replicas whose slots went to others (`ReplicaSlots`): their
/// engines' counts, summed, and the few per-replica rows a result lists. Cold starts, GPU time,
/// requests and decisions are recorded as they happen and need nothing here.
struct ReplicaLedger {
    /// Preemptions of requests on its replicas, by deployment.
    private(set) var preemptions: [Int]
    /// Handed-off requests its decode workers admitted, and their time queued since their KV arrived.
    private(set) var handoffWaits = 0
    private(set) var handoffWaitNanoseconds: Int64 = 0
    /// Prefix-cache lookups (`prefix_cache_queries`, `prefix_cache_hits`), summed.
    private(set) var prefixQueriedTokens: Int64 = 0
    private(set) var prefixHitTokens: Int64 = 0
    /// Each replica whose prefix cache was queried (the result lists them), in the order retired.
    private(set) var prefixCaches: [PrefixCacheRow] = []
    /// With llm-d's variant autoscaler: each gone replica's KV capacity (its collector reads pods
    /// Prometheus still holds, up to a minute after they are gone). Empty otherwise.
    private(set) var kvCapacity: [Int32: Int64] = [:]
    let keepsKVCapacity: Bool

    /// One replica's prefix-cache lookups.
    struct PrefixCacheRow {
        let replica: Int32
        let deployment: Int32
        let queriedTokens: Int64
        let hitTokens: Int64
    }

    init(deployments: Int, keepsKVCapacity: Bool) {
        preemptions = Array(repeating: 0, count: deployments)
        self.keepsKVCapacity = keepsKVCapacity
    }

    /// Replica `id` of deployment `d` leaves its slot with `engine` as it ended.
    mutating func fold(_ id: Int32, of d: Int, engine: ReplicaEngine) {
        preemptions[d] += engine.preemptions
        handoffWaits += engine.handoffWaits
        handoffWaitNanoseconds += engine.handoffWaitNanoseconds
        prefixQueriedTokens += engine.prefixQueriedTokens
        prefixHitTokens += engine.prefixHitTokens
        if engine.prefixCache != nil && engine.prefixQueriedTokens > 0 {
            prefixCaches.append(PrefixCacheRow(
                replica: id, deployment: Int32(d), queriedTokens: engine.prefixQueriedTokens, hitTokens: engine.prefixHitTokens))
        }
        if keepsKVCapacity { kvCapacity[id] = engine.kvCapacity }
    }
}
