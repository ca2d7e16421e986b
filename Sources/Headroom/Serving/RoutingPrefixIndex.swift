import DequeModule

/// What the router believes one replica has cached: the block keys of the requests it sent
/// there, least recently sent evicted first past `capacity` blocks.
///
/// llm-d's approximate prefix cache (llm-d/llm-d-inference-scheduler at 520af47,
/// `pkg/epp/framework/plugins/requestcontrol/dataproducer/approximateprefix/`, `types.go`,
/// `indexer.go`): the scheduler never reads the servers' caches; it records the hashes of each
/// request it routes and scores servers by how many leading blocks of a new request it recorded
/// for them. Headroom does the same, which also keeps routing from reading an engine's cache
/// between iteration boundaries (where the fast and per-iteration engines may differ).
struct RoutingPrefixIndex {
    /// Each key's latest use.
    private var stamps: [BlockKey: UInt64] = [:]
    /// Uses in order; entries whose stamp is stale are skipped when evicting.
    private var order = Deque<(key: BlockKey, stamp: UInt64)>()
    private var clock: UInt64 = 0

    var count: Int { stamps.count }

    func contains(_ key: BlockKey) -> Bool { stamps[key] != nil }

    /// Records a use of `key`, evicting the least recently used past `capacity` keys.
    mutating func record(_ key: BlockKey, capacity: Int) {
        clock += 1
        stamps[key] = clock
        order.append((key, clock))
        while stamps.count > capacity, let oldest = order.popFirst() {
            if stamps[oldest.key] == oldest.stamp { stamps[oldest.key] = nil }
        }
        // Stale entries are dropped once they outnumber the live ones.
        if order.count > 2 * max(stamps.count, 64) {
            order = Deque(order.filter { stamps[$0.key] == $0.stamp })
        }
    }

    mutating func removeAll() {
        stamps = [:]
        order = Deque()
    }
}
