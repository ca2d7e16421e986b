import HeadroomEngine

/// Picks the ready replica a request goes to.
struct Router {
    let spec: RouterSpec
    private var random: RandomStream
    private var cursor = 0

    init(_ spec: RouterSpec, random: RandomStream) {
        self.spec = spec
        self.random = random
    }

    /// A replica among `ready` (ascending ids) with room under `max_outstanding_per_replica`, or
    /// `nil` when none has room and the request must wait in the activator.
    /// - Complexity: O(ready replicas) for least outstanding and round robin, O(1) expected for
    ///   power of two choices.
    mutating func pick(from ready: [Int32], engines: [ReplicaEngine]) -> Int32? {
        guard !ready.isEmpty else { return nil }
        let limit = spec.maxOutstandingPerReplica ?? .max
        switch spec.strategy {
        case .leastOutstanding:
            var best: Int32 = -1
            var bestLoad = Int.max
            for replica in ready {
                let load = engines[Int(replica)].outstanding
                if load < bestLoad { best = replica; bestLoad = load }
            }
            return bestLoad < limit ? best : nil
        case .roundRobin:
            for step in 0..<ready.count {
                let replica = ready[(cursor + step) % ready.count]
                if engines[Int(replica)].outstanding < limit {
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
                let (a, b) = (engines[Int(first)].outstanding, engines[Int(second)].outstanding)
                if b < a || (b == a && second < first) { first = second }
            }
            if engines[Int(first)].outstanding < limit { return first }
            // Both sampled replicas are full: fall back to any replica with room.
            return ready.first { engines[Int($0)].outstanding < limit }
        }
    }
}
