/// A Prometheus client histogram's state: a count per bucket (not cumulative), the sum and the
/// count. The bounds array is shared by every replica's copy; observing never allocates.
struct EngineHistogram: Sendable {
    let bounds: [Double]
    private(set) var buckets: [Int64]
    private(set) var sum = 0.0
    private(set) var count: Int64 = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        buckets = Array(repeating: 0, count: bounds.count + 1)
    }

    /// Records `times` observations of `value` (`le` is inclusive, as in prometheus_client).
    mutating func observe(_ value: Double, times: Int64 = 1) {
        guard times > 0 else { return }
        var low = 0, high = bounds.count
        while low < high {
            let mid = (low + high) / 2
            if bounds[mid] >= value { high = mid } else { low = mid + 1 }
        }
        buckets[low] += times
        sum += value * Double(times)
        count += times
    }

    /// The cumulative count of bucket `index` (`index == bounds.count` is `+Inf`).
    func cumulative(through index: Int) -> Int64 { buckets[...index].reduce(0, +) }

    /// `le` as the Python client prints it: `0.5`, `1.0`, `+Inf`.
    static func le(_ bound: Double) -> String {
        guard bound.isFinite else { return "+Inf" }
        return bound == bound.rounded() && abs(bound) < 1e15 ? "\(Int64(bound)).0" : "\(bound)"
    }
}
