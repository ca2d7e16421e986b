import HeadroomEngine
import Histogram

/// Latency percentiles in fixed memory (HdrHistogram, 3 significant digits from 1 µs to ~11.5
/// days), plus an exact sum and maximum so that means and maxima carry no bucket error.
///
/// Recording is on the hot path, so it counts into a plain array laid out exactly as HdrHistogram
/// lays out its counts (`LatencyCounts`), with the index computed inline; a finished request's
/// four latencies are counted together (`RequestLatencies`) and read back as histograms.
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

    /// One lane of 32-bit counts (see `LatencyCounts`), and the exact figures beside them.
    private var counts: LatencyCounts
    private var tally = LatencyTally()
    private(set) var count = 0
    private var maximum: Int64 { tally.maximum }

    init(spillAt: UInt32 = .max) { counts = LatencyCounts(lanes: 1, spillAt: spillAt) }

    /// A histogram of what `counts` (one lane, `count` values) and `tally` hold: a lane of
    /// `RequestLatencies`.
    init(counts: LatencyCounts, count: Int, tally: LatencyTally) {
        self.counts = counts
        self.count = count
        self.tally = tally
    }

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

    /// A latency as counted: `ns` clamped at 0, and `value`, the same clamped to the range.
    @inline(__always)
    static func clamped(_ latency: SimTime) -> (ns: Int64, value: UInt64) {
        let ns = max(0, latency.nanoseconds)
        return (ns, UInt64(min(ns, Int64(highest))))
    }

    @inline(__always)
    mutating func record(_ latency: SimTime) {
        let (ns, value) = Self.clamped(latency)
        counts.count(Self.countsIndex(value))
        tally.add(ns, value: value)
        count += 1
    }

    /// Adds what `other` recorded, as if every value had been recorded here (the cluster's
    /// distribution from its deployments').
    mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        counts.merge(other.counts, lanes: 1)
        tally.merge(other.tally)
        count += other.count
    }

    /// The library's histogram of what was recorded. Each bucket's count is recorded at one value
    /// inside it — the true minimum and maximum in their buckets — so counts, minimum and maximum
    /// equal those of recording every value.
    var histogram: Histogram<UInt64> {
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: Self.lowest, highestTrackableValue: Self.highest, numberOfSignificantValueDigits: .three)
        guard count > 0 else { return histogram }
        let minimumNonZero = tally.minimumNonZero
        let largest = UInt64(min(maximum, Int64(Self.highest)))
        let (minIndex, maxIndex) = (minimumNonZero == .max ? -1 : Self.countsIndex(minimumNonZero), Self.countsIndex(largest))
        // Without spills, skip the empty buckets (most of them) in a tight scan.
        let spilled = !counts.overflow.isEmpty, end = counts.size
        var index = spilled ? 0 : counts.nextNonZero(from: 0, end: end)
        while index < end {
            if counts[index] > 0 || (spilled && counts.overflow[index] != nil) {
                var remaining = counts.total(index)
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
            index = spilled ? index + 1 : counts.nextNonZero(from: index + 1, end: end)
        }
        return histogram
    }

    var stats: LatencyStats {
        guard count > 0 else { return LatencyStats() }
        let values = valuesAtPercentiles([50, 90, 99])
        func seconds(_ value: UInt64) -> Double { min(Double(value), Double(maximum)) / 1e9 }
        return LatencyStats(
            count: count, mean: tally.sum / Double(count) / 1e9, p50: seconds(values[0]), p90: seconds(values[1]),
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
    /// (32,539 64-bit counts) twice for each and scanning it once per percentile through its
    /// iterators cost ~35 M instructions: nearly a tenth of a one-hour B1 run.
    func valuesAtPercentiles(_ percentiles: [Double]) -> [UInt64] {
        var values = [UInt64](repeating: 0, count: percentiles.count)
        guard count > 0 else { return values }
        let total = Double(count)
        let largest = UInt64(min(maximum, Int64(Self.highest)))  // the library's `maxRecorded`
        let minimumNonZero = tally.minimumNonZero
        let smallest = counts.total(0) > 0 ? 0 : minimumNonZero  // the library's `min`
        var cumulative: UInt64 = 0, index = 0
        for (k, percentile) in percentiles.enumerated() {
            if percentile == 0 { values[k] = smallest; continue }
            if percentile >= 100 { values[k] = largest; continue }
            // As the library: one ulp off the percentile, rounded up, at least the first value.
            let wanted = Swift.max(1, UInt64((Swift.min(Swift.max(percentile.nextDown, 0), 100) * total / 100).rounded(.up)))
            while cumulative < wanted && index < counts.size {
                cumulative += counts.total(index)
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
            count: count, mean: tally.sum / Double(count) / 1e9, p50: seconds(50), p90: seconds(90), p99: seconds(99),
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

/// Summary of one latency, in seconds.
public struct LatencyStats: Codable, Sendable, Equatable {
    public var count = 0
    public var mean = 0.0
    public var p50 = 0.0
    public var p90 = 0.0
    public var p99 = 0.0
    public var max = 0.0
}
