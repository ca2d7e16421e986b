import HeadroomEngine

/// Picks the ready replica a request goes to.
struct Router {
    let spec: RouterSpec
    private var random: RandomStream
    private var cursor = 0
    /// Ready replicas by load, kept for least-outstanding and session-affinity routing.
    private var leastOutstanding = LeastOutstandingIndex()
    /// What each replica (by id) was sent, for cache-aware routing.
    var prefixIndexes: [RoutingPrefixIndex] = []
    /// Where each open session's latest request went (a session's last request removes it).
    var sessionReplica: [Int64: Int32] = [:]
    /// Whether the strategy keeps `leastOutstanding` (stored: it is read on every engine step).
    private let keepsLoadIndex: Bool
    /// Whether the strategy is least outstanding: `leastLoaded()` then picks as `pick` does.
    let picksLeastLoaded: Bool

    init(_ spec: RouterSpec, random: RandomStream) {
        self.spec = spec
        self.random = random
        keepsLoadIndex = spec.strategy == .leastOutstanding || spec.strategy == .sessionAffinity
        picksLeastLoaded = spec.strategy == .leastOutstanding
    }

    /// `pick` for least-outstanding routing, which reads neither the engines nor the request:
    /// the least loaded ready replica if it has room under `max_outstanding_per_replica`. (The
    /// index holds exactly the ready replicas, so an empty one means none is ready.) An arrival
    /// calls this instead of `pick` when `picksLeastLoaded`, sparing the engines' view and the
    /// request table it would pass (reference counting on every request).
    @inline(__always)
    func leastLoaded() -> Int32? {
        guard let least = leastOutstanding.least else { return nil }
        return least.outstanding < (spec.maxOutstandingPerReplica ?? .max) ? least.replica : nil
    }

    /// Notes that `session`'s latest request went to `replica`, or forgets the session when that
    /// request was its last (no later request can read the entry).
    mutating func remember(_ session: Int64, on replica: Int32, ending: Bool) {
        if ending { sessionReplica[session] = nil } else { sessionReplica[session] = replica }
    }

    /// A replica among `ready` (ascending ids) with room under `max_outstanding_per_replica`, or
    /// `nil` when none has room and the request must wait in the activator.
    /// - Complexity: O(1) for least outstanding (its index is kept up to date by the calls
    ///   below), O(ready replicas) for round robin, O(1) expected for power of two choices.
    /// `request` (in `requests`) supplies the session and prefix the last two strategies read.
    mutating func pick(from ready: [Int32], engines: some ReplicaLoads, request: Int32, requests: RequestTable) -> Int32? {
        guard !ready.isEmpty else { return nil }
        let limit = spec.maxOutstandingPerReplica ?? .max
        switch spec.strategy {
        case .cacheAware:
            return pickCacheAware(from: ready, engines: engines, request: request, requests: requests)
        case .sessionAffinity:
            let session = requests.session(request)
            if session >= 0, let last = sessionReplica[session], leastOutstanding.contains(last),
               engines.outstanding(last) < limit {
                if requests.endsSession(request) { sessionReplica[session] = nil }
                return last
            }
            guard let least = leastOutstanding.least, least.outstanding < limit else { return nil }
            if session >= 0 { remember(session, on: least.replica, ending: requests.endsSession(request)) }
            return least.replica
        case .leastOutstanding:
            #if HEADROOM_INVARIANTS
            let scanned = ready.min { (engines.outstanding($0), $0) < (engines.outstanding($1), $1) }
            precondition(leastOutstanding.count == ready.count && leastOutstanding.least?.replica == scanned,
                         "routing index out of step with the ready replicas")
            #endif
            guard let least = leastOutstanding.least else { return nil }
            return least.outstanding < limit ? least.replica : nil
        case .roundRobin:
            for step in 0..<ready.count {
                let replica = ready[(cursor + step) % ready.count]
                if engines.outstanding(replica) < limit {
                    cursor = (cursor + step + 1) % ready.count
                    return replica
                }
            }
            return nil
        case .powerOfTwo:
            let i = random.nextIndex(below: ready.count)
            var first = ready[i]
            if ready.count > 1 {
                var j = random.nextIndex(below: ready.count - 1)
                if j >= i { j += 1 }
                let second = ready[j]
                let (a, b) = (engines.outstanding(first), engines.outstanding(second))
                if b < a || (b == a && second < first) { first = second }
            }
            if engines.outstanding(first) < limit { return first }
            // Both sampled replicas are full: fall back to any replica with room.
            return ready.first { engines.outstanding($0) < limit }
        }
    }

    /// A replica joined the ready set with `outstanding` requests.
    mutating func replicaReady(_ replica: Int32, outstanding: Int) {
        if keepsLoadIndex { leastOutstanding.insert(replica, outstanding: outstanding) }
    }

    /// A replica left the ready set (it drains or is gone): what it was sent is forgotten.
    mutating func replicaLeft(_ replica: Int32) {
        if keepsLoadIndex { leastOutstanding.remove(replica) }
        if Int(replica) < prefixIndexes.count { prefixIndexes[Int(replica)].removeAll() }
    }

    /// A replica's outstanding requests changed (ignored unless it is ready).
    @inline(__always)
    mutating func loadChanged(_ replica: Int32, outstanding: Int) {
        if keepsLoadIndex { leastOutstanding.update(replica, outstanding: outstanding) }
    }
}
