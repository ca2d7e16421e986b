import HeadroomEngine
import Histogram

/// Latency percentiles in fixed memory (HdrHistogram, 3 significant digits from 1 µs to ~11.5
/// days), plus an exact sum and maximum so that means and maxima carry no bucket error.
struct LatencyHistogram {
    private var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1_000, highestTrackableValue: 1_000_000_000_000_000, numberOfSignificantValueDigits: .three)
    private var sum = 0.0
    private var maximum: Int64 = 0
    private(set) var count = 0

    mutating func record(_ latency: SimTime) {
        let ns = max(0, latency.nanoseconds)
        _ = histogram.record(UInt64(min(ns, 1_000_000_000_000_000)))
        sum += Double(ns)
        maximum = max(maximum, ns)
        count += 1
    }

    var stats: LatencyStats {
        guard count > 0 else { return LatencyStats() }
        func seconds(_ percentile: Double) -> Double {
            min(Double(histogram.valueAtPercentile(percentile)), Double(maximum)) / 1e9
        }
        return LatencyStats(
            count: count, mean: sum / Double(count) / 1e9, p50: seconds(50), p90: seconds(90), p99: seconds(99),
            max: Double(maximum) / 1e9)
    }

    /// The whole distribution as quantiles (seconds) at `LatencyQuantiles.percentiles`, for CDF plots
    /// across runs; empty when nothing was recorded. One pass over the recorded buckets, giving
    /// exactly what `valueAtPercentile` gives for each (it scans every bucket per call).
    var quantiles: [Double] {
        guard count > 0 else { return [] }
        let percentiles = LatencyQuantiles.percentiles
        let total = Double(histogram.totalCount)
        var values = [UInt64](repeating: 0, count: percentiles.count)
        var next = 0
        // valueAtPercentile's special cases: 0 → the minimum, 100 → the maximum recorded.
        while next < percentiles.count && percentiles[next] == 0 { values[next] = histogram.min; next += 1 }
        var cumulative: UInt64 = 0
        for bucket in histogram.recordedValues() where next < percentiles.count && percentiles[next] < 100 {
            cumulative += UInt64(bucket.count)
            let value = Swift.max(Swift.min(histogram.highestEquivalentForValue(bucket.value), histogram.maxRecorded), histogram.min)
            while next < percentiles.count && percentiles[next] < 100 {
                let wanted = Swift.max(1, UInt64((Swift.min(Swift.max(percentiles[next].nextDown, 0), 100) * total / 100).rounded(.up)))
                guard cumulative >= wanted else { break }
                values[next] = value
                next += 1
            }
        }
        return zip(percentiles, values).map { percentile, value in
            percentile >= 100 ? Double(maximum) / 1e9 : Swift.min(Double(value), Double(maximum)) / 1e9
        }
    }

    /// The slow reference for `quantiles` (one bucket scan per percentile), for tests.
    var quantilesByScanning: [Double] {
        guard count > 0 else { return [] }
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
