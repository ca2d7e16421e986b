import HeadroomEngine

/// AIBrix's `TimeWindow` (`pkg/controller/podautoscaler/types/metrics.go`): one value per
/// bucket of `granularity` (1 s in the controller: `NewMetricsClient(time.Second)`), a later
/// record in the same bucket replacing it; buckets before `floor((t - duration) / granularity)`
/// dropped on each record; the window's value the unweighted mean of what is left (0 when
/// empty). A fixed ring, so recording never allocates.
struct AIBrixTimeWindow: Sendable, Equatable {
    let duration: SimTime
    let granularity: Int64
    private var buckets: [Int64]
    private var values: [Double]
    private var head = 0
    private(set) var count = 0

    init(duration: SimTime, resync: SimTime, granularity: SimTime = .seconds(1)) {
        self.duration = duration
        self.granularity = max(1, granularity.nanoseconds)
        // One bucket per granule of the window plus the current one, or fewer when ticks are sparser.
        let capacity = Int(
            min(duration.nanoseconds / self.granularity + 2, duration.nanoseconds / max(1, resync.nanoseconds) + 3))
        buckets = Array(repeating: 0, count: max(2, capacity))
        values = Array(repeating: 0, count: max(2, capacity))
    }

    func bucket(_ time: SimTime) -> Int64 {
        let ns = time.nanoseconds
        return ns >= 0 ? ns / granularity : (ns - granularity + 1) / granularity
    }

    mutating func record(_ value: Double, at time: SimTime) {
        let bucket = self.bucket(time)
        let last = (head + count - 1) % buckets.count
        if count > 0 && buckets[last] == bucket {
            values[last] = value
        } else {
            if count == buckets.count {  // ticks denser than the capacity assumed: drop the oldest
                head = (head + 1) % buckets.count
                count -= 1
            }
            let slot = (head + count) % buckets.count
            buckets[slot] = bucket
            values[slot] = value
            count += 1
        }
        let cutoff = self.bucket(time - duration)
        while count > 0 && buckets[head] < cutoff {
            head = (head + 1) % buckets.count
            count -= 1
        }
    }

    /// The values in time order (tests).
    var recorded: [Double] { (0..<count).map { values[(head + $0) % values.count] } }

    var average: Double {
        guard count > 0 else { return 0 }
        var sum = 0.0
        for i in 0..<count { sum += values[(head + i) % values.count] }
        return sum / Double(count)
    }
}
