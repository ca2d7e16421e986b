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
