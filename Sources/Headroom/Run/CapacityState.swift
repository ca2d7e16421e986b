import HeadroomEngine

/// What the provider does to the cluster's capacity while it runs: spot interruptions, refused
/// node requests, and replicas left waiting for a node. Plain values, one per simulation.
struct CapacityState {
    /// Per pool: draws its nodes' spot interruption times (a stream of its own per pool, so no
    /// other draw moves when a pool turns spot).
    var spotRandom: [RandomStream]
    /// Per pool: node requests refused (`stockout_probability` or `availability`).
    var stockouts: [Int]
    /// Per pool: spot interruption notices.
    var interruptions: [Int]
    var replicasInterrupted = 0
    var requestsRetried = 0
    /// Replica-seconds spent in `unplaced` up to `waitingSince`.
    var waitingSeconds = 0.0
    var waitingSince = SimTime.zero

    init(pools: [NodePoolSpec], seed: UInt64) {
        spotRandom = pools.map { RandomStream(seed: seed, name: "spot/\($0.name)") }
        stockouts = Array(repeating: 0, count: pools.count)
        interruptions = stockouts
    }

    /// Adds the time `waiting` replicas waited since the last change; called before `unplaced` changes.
    mutating func accrueWaiting(_ waiting: Int, to now: SimTime) {
        waitingSeconds += Double(waiting) * (now - waitingSince).seconds
        waitingSince = now
    }
}
