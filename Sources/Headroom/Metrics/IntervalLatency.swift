import HeadroomEngine

/// Percentiles of one series interval in small fixed memory, cleared at every sample: enough to
/// draw p50/p99 over time. Log-linear buckets (16 per power of two, at most 6.25 % wide) over plain
/// integers: the generic HdrHistogram costs far more to reset and query thousands of times a run.
/// A run's interval TTFT is counted by `RequestLatencies` beside the run-long histograms and read
/// back as one of these at each sample.
struct IntervalLatency {
    static let subBuckets = 16
    /// Buckets in all: 16 per power of two of a 64-bit value.
    static let bucketCount = 64 * 16
    private var counts = [UInt32](repeating: 0, count: IntervalLatency.bucketCount)
    private(set) var extent = Extent()
    var count: Int { extent.count }

    /// What an interval's counts span and hold beside them.
    struct Extent {
        var lowest = Int.max, highest = -1
        var maximum: Int64 = 0
        var count = 0

        /// Notes a value `ns` (≥ 0) counted in `bucket`.
        @inline(__always)
        mutating func add(_ ns: Int64, bucket: Int) {
            lowest = min(lowest, bucket)
            highest = max(highest, bucket)
            maximum = max(maximum, ns)
            count &+= 1
        }

        mutating func merge(_ other: Extent) {
            lowest = min(lowest, other.lowest)
            highest = max(highest, other.highest)
            maximum = max(maximum, other.maximum)
            count += other.count
        }
    }

    init() {}

    /// The interval whose `bucketCount` counts are `counts` (a copy of `RequestLatencies`' lane)
    /// and whose largest value is `maximum`.
    init(counts: [UInt32], maximum: Int64) {
        precondition(counts.count == Self.bucketCount)
        self.counts = counts
        for (bucket, count) in counts.enumerated() where count > 0 {
            extent.lowest = min(extent.lowest, bucket)
            extent.highest = bucket
            extent.count += Int(count)
        }
        if extent.count > 0 { extent.maximum = maximum }
    }

    /// The bucket of `ns` (≥ 0): values below 16 ns get one each, then 16 per doubling.
    @inline(__always)
    static func bucket(_ ns: Int64) -> Int {
        let v = UInt64(ns)
        guard v >= 16 else { return Int(v) }
        let exponent = 63 - v.leadingZeroBitCount            // ≥ 4
        return (exponent - 3) * subBuckets + Int((v >> (exponent - 4)) & 15)
    }

    /// The largest value in `bucket`.
    static func upperBound(_ bucket: Int) -> Int64 {
        guard bucket >= 16 else { return Int64(bucket) }
        let exponent = bucket / subBuckets + 3, sub = bucket % subBuckets
        return Int64((UInt64(16 + sub + 1) << (exponent - 4)) - 1)
    }

    mutating func record(_ latency: SimTime) {
        let ns = max(0, latency.nanoseconds)
        let b = Self.bucket(ns)
        counts[b] &+= 1
        extent.add(ns, bucket: b)
    }

    /// The value at `percentile`: the upper bound of the bucket holding that rank, at most the maximum.
    func value(atPercentile percentile: Double) -> Int64 {
        let rank = max(1, Int((percentile / 100 * Double(count)).rounded(.up)))
        var seen = 0
        for b in extent.lowest...extent.highest {
            seen += Int(counts[b])
            if seen >= rank { return min(Self.upperBound(b), extent.maximum) }
        }
        return extent.maximum
    }

    /// (p50, p99) in seconds, nil when nothing was recorded.
    var medianAndTail: (Double, Double)? {
        guard count > 0 else { return nil }
        return (Double(value(atPercentile: 50)) / 1e9, Double(value(atPercentile: 99)) / 1e9)
    }

    /// Adds what `other` recorded in the same interval.
    mutating func merge(_ other: IntervalLatency) {
        guard other.count > 0 else { return }
        for b in other.extent.lowest...other.extent.highest { counts[b] &+= other.counts[b] }
        extent.merge(other.extent)
    }

    mutating func clear() {
        guard count > 0 else { return }
        for b in extent.lowest...extent.highest { counts[b] = 0 }
        extent = Extent()
    }
}
