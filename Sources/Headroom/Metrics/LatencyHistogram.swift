import HeadroomEngine
import Histogram

/// Latency percentiles in fixed memory (HdrHistogram, 3 significant digits from 1 µs to ~11.5
/// days), plus an exact sum and maximum so that means and maxima carry no bucket error.
///
/// Recording is on the hot path (four latencies per finished request), so it counts into a plain
/// array laid out exactly as HdrHistogram lays out its counts, with the index computed inline.
/// Percentiles are read from those counts as the library reads its own (`valuesAtPercentiles`),
/// and equal what recording every value into the library's histogram would give (tests check
/// both against the library).
struct LatencyHistogram {
    // HdrHistogram's layout for lowest discernible value 1,000 and 3 significant digits: values
    // below 2^9 share a unit; 2,048 sub-buckets (11 bits), the top half of each used from bucket 1 on.
    static let lowest: UInt64 = 1_000, highest: UInt64 = 1_000_000_000_000_000
    static let unitMagnitude: UInt64 = 9, subBucketHalfCountMagnitude = 10
    static let subBucketMask: UInt64 = (1 << 11 - 1) << unitMagnitude
    static let leadingZeroCountBase = 64 - 9 - 11

    /// 32-bit counts (half the cache footprint of the library's 64-bit ones: four of these are
    /// touched per finished request); a bucket that fills up spills into `overflow`.
    private var counts = [UInt32](repeating: 0, count: LatencyHistogram.countsIndex(LatencyHistogram.highest) + 1)
    private var overflow: [Int: UInt64] = [:]
    /// The count at which a bucket spills (lowered by tests to exercise the spill).
    private let spillAt: UInt32
    private var sum = 0.0
    private var maximum: Int64 = 0
    /// The smallest non-zero value recorded (after clamping), as the library tracks it.
    private var minimumNonZero = UInt64.max
    private(set) var count = 0

    init(spillAt: UInt32 = .max) { self.spillAt = spillAt }

    /// HdrHistogram's `countsIndexForValue`.
    @inline(__always)
    static func countsIndex(_ value: UInt64) -> Int {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> (UInt64(bucket) + unitMagnitude))
        return (bucket + 1) << subBucketHalfCountMagnitude + subBucket - (1 << subBucketHalfCountMagnitude)
    }

    /// The lowest value counted at `index` (HdrHistogram's `valueFromIndex`).
    static func value(atIndex index: Int) -> UInt64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (1 << subBucketHalfCountMagnitude - 1)) + 1 << subBucketHalfCountMagnitude
        if bucket < 0 {
            subBucket -= 1 << subBucketHalfCountMagnitude
            bucket = 0
        }
        return UInt64(subBucket) << (UInt64(bucket) + unitMagnitude)
    }

    @inline(__always)
    mutating func record(_ latency: SimTime) {
        let ns = max(0, latency.nanoseconds)
        let value = UInt64(min(ns, Int64(Self.highest)))
        let index = Self.countsIndex(value)
        if counts[index] == spillAt {
            overflow[index, default: 0] += UInt64(counts[index])
            counts[index] = 0
        }
        counts[index] &+= 1
        if value != 0 && value < minimumNonZero { minimumNonZero = value }
        sum += Double(ns)
        maximum = max(maximum, ns)
        count += 1
    }

    /// Adds what `other` recorded, as if every value had been recorded here (the cluster's
    /// distribution from its deployments').
    mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for index in other.counts.indices where other.counts[index] > 0 {
            let (sum, overflowed) = counts[index].addingReportingOverflow(other.counts[index])
            if overflowed || sum > spillAt {
                overflow[index, default: 0] += UInt64(counts[index]) + UInt64(other.counts[index])
                counts[index] = 0
            } else {
                counts[index] = sum
            }
        }
        for (index, spilled) in other.overflow { overflow[index, default: 0] += spilled }
        self.sum += other.sum
        maximum = max(maximum, other.maximum)
        minimumNonZero = min(minimumNonZero, other.minimumNonZero)
        count += other.count
    }

    /// The library's histogram of what was recorded. Each bucket's count is recorded at one value
    /// inside it — the true minimum and maximum in their buckets — so counts, minimum and maximum
    /// equal those of recording every value.
    var histogram: Histogram<UInt64> {
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: Self.lowest, highestTrackableValue: Self.highest, numberOfSignificantValueDigits: .three)
        guard count > 0 else { return histogram }
        let largest = UInt64(min(maximum, Int64(Self.highest)))
        let (minIndex, maxIndex) = (minimumNonZero == .max ? -1 : Self.countsIndex(minimumNonZero), Self.countsIndex(largest))
        for index in counts.indices where counts[index] > 0 || overflow[index] != nil {
            var remaining = UInt64(counts[index]) + overflow[index, default: 0]
            if index == maxIndex && largest != 0 {
                histogram.record(largest)
                remaining -= 1
            }
            if index == minIndex && remaining > 0 {
                histogram.record(minimumNonZero, count: remaining)
                remaining = 0
            }
            if remaining > 0 { histogram.record(index == maxIndex ? largest : Self.value(atIndex: index), count: remaining) }
        }
        return histogram
    }

    var stats: LatencyStats {
        guard count > 0 else { return LatencyStats() }
        let values = valuesAtPercentiles([50, 90, 99])
        func seconds(_ value: UInt64) -> Double { min(Double(value), Double(maximum)) / 1e9 }
        return LatencyStats(
            count: count, mean: sum / Double(count) / 1e9, p50: seconds(values[0]), p90: seconds(values[1]),
            p99: seconds(values[2]), max: Double(maximum) / 1e9)
    }

    /// The whole distribution as quantiles (seconds) at `LatencyQuantiles.percentiles`, for CDF plots
    /// across runs; empty when nothing was recorded.
    var quantiles: [Double] {
        guard count > 0 else { return [] }
        let percentiles = LatencyQuantiles.percentiles
        return zip(percentiles, valuesAtPercentiles(percentiles)).map { percentile, value in
            percentile >= 100 ? Double(maximum) / 1e9 : Swift.min(Double(value), Double(maximum)) / 1e9
        }
    }

    /// HdrHistogram's `valueAtPercentile` at each of `percentiles` (ascending), as the library's
    /// histogram of these counts (`histogram`) gives it, in one pass over our own counts.
    ///
    /// A run's results read four histograms per deployment. Building the library's histogram
    /// (~42,000 64-bit counts) twice for each and scanning it once per percentile through its
    /// iterators cost ~35 M instructions: nearly a tenth of a one-hour B1 run.
    func valuesAtPercentiles(_ percentiles: [Double]) -> [UInt64] {
        var values = [UInt64](repeating: 0, count: percentiles.count)
        guard count > 0 else { return values }
        let total = Double(count)
        let largest = UInt64(min(maximum, Int64(Self.highest)))  // the library's `maxRecorded`
        let spilled = !overflow.isEmpty
        func counted(_ index: Int) -> UInt64 { UInt64(counts[index]) + (spilled ? overflow[index, default: 0] : 0) }
        let smallest = counted(0) > 0 ? 0 : minimumNonZero  // the library's `min`
        var cumulative: UInt64 = 0, index = 0
        for (k, percentile) in percentiles.enumerated() {
            if percentile == 0 { values[k] = smallest; continue }
            if percentile >= 100 { values[k] = largest; continue }
            // As the library: one ulp off the percentile, rounded up, at least the first value.
            let wanted = Swift.max(1, UInt64((Swift.min(Swift.max(percentile.nextDown, 0), 100) * total / 100).rounded(.up)))
            while cumulative < wanted && index < counts.count {
                cumulative += counted(index)
                index += 1
            }
            guard cumulative >= wanted else { continue }
            // The highest value equivalent to bucket `index - 1`'s: one below the next bucket's lowest.
            values[k] = Swift.max(Swift.min(Self.value(atIndex: index) - 1, largest), smallest)
        }
        return values
    }

    /// `stats` as the library's histogram gives them (`valueAtPercentile` per percentile), for tests.
    var statsFromLibrary: LatencyStats {
        guard count > 0 else { return LatencyStats() }
        let histogram = self.histogram
        func seconds(_ percentile: Double) -> Double {
            min(Double(histogram.valueAtPercentile(percentile)), Double(maximum)) / 1e9
        }
        return LatencyStats(
            count: count, mean: sum / Double(count) / 1e9, p50: seconds(50), p90: seconds(90), p99: seconds(99),
            max: Double(maximum) / 1e9)
    }

    /// The slow reference for `quantiles` (one bucket scan per percentile), for tests.
    var quantilesByScanning: [Double] {
        guard count > 0 else { return [] }
        let histogram = self.histogram
        return LatencyQuantiles.percentiles.map { percentile in
            percentile >= 100 ? Double(maximum) / 1e9
                : Swift.min(Double(histogram.valueAtPercentile(percentile)), Double(maximum)) / 1e9
        }
    }
}

/// Latency distributions of a run, each as quantiles at `percentiles` (seconds).
public struct LatencyQuantiles: Codable, Sendable, Equatable {
    /// 0.5 % steps, then the tail at 99.5, 99.9, 99.99 and the maximum (100).
    public static let percentiles: [Double] = stride(from: 0.0, through: 99.0, by: 0.5).map { $0 } + [99.5, 99.9, 99.99, 100]

    public var ttft: [Double] = []
    public var itl: [Double] = []
    public var e2e: [Double] = []
    public var queueWait: [Double] = []
}

/// Percentiles of one series interval in small fixed memory, cleared at every sample: enough to
/// draw p50/p99 over time. Log-linear buckets (16 per power of two, at most 6.25 % wide) over plain
/// integers: the generic HdrHistogram costs far more to reset and query thousands of times a run.
struct IntervalLatency {
    static let subBuckets = 16
    private var counts = [UInt32](repeating: 0, count: 64 * 16)
    private var lowest = Int.max, highest = -1
    private var maximum: Int64 = 0
    private(set) var count = 0

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

    @inline(__always)  // once per finished request
    mutating func record(_ latency: SimTime) {
        let ns = max(0, latency.nanoseconds)
        let b = Self.bucket(ns)
        counts[b] &+= 1
        lowest = min(lowest, b)
        highest = max(highest, b)
        maximum = max(maximum, ns)
        count += 1
    }

    /// The value at `percentile`: the upper bound of the bucket holding that rank, at most the maximum.
    func value(atPercentile percentile: Double) -> Int64 {
        let rank = max(1, Int((percentile / 100 * Double(count)).rounded(.up)))
        var seen = 0
        for b in lowest...highest {
            seen += Int(counts[b])
            if seen >= rank { return min(Self.upperBound(b), maximum) }
        }
        return maximum
    }

    /// (p50, p99) in seconds, nil when nothing was recorded.
    var medianAndTail: (Double, Double)? {
        guard count > 0 else { return nil }
        return (Double(value(atPercentile: 50)) / 1e9, Double(value(atPercentile: 99)) / 1e9)
    }

    /// Adds what `other` recorded in the same interval.
    mutating func merge(_ other: IntervalLatency) {
        guard other.count > 0 else { return }
        for b in other.lowest...other.highest { counts[b] &+= other.counts[b] }
        lowest = min(lowest, other.lowest)
        highest = max(highest, other.highest)
        maximum = max(maximum, other.maximum)
        count += other.count
    }

    mutating func clear() {
        guard count > 0 else { return }
        for b in lowest...highest { counts[b] = 0 }
        lowest = .max
        highest = -1
        maximum = 0
        count = 0
    }
}

/// Summary of one latency, in seconds.
public struct LatencyStats: Codable, Sendable, Equatable {
    public var count = 0
    public var mean = 0.0
    public var p50 = 0.0
    public var p90 = 0.0
    public var p99 = 0.0
    public var max = 0.0
}
