import Foundation
import Histogram
import HeadroomEngine
import Testing
@testable import Headroom

@Suite("Latency quantiles")
struct LatencyQuantilesTests {
    @Test("the one-pass quantiles equal HdrHistogram's valueAtPercentile at every percentile", arguments: [1, 2, 7, 1000, 20_000])
    func onePassMatchesScanning(count: Int) {
        var random = RandomStream(seed: UInt64(count), name: "latencies")
        var histogram = LatencyHistogram()
        for _ in 0..<count {
            // Log-uniform from 1 µs to 100 s, plus ties: the shapes latencies take.
            let exponent = random.nextUnit() * 8 - 6
            histogram.record(SimTime(nanoseconds: Int64(pow(10, exponent) * 1e9)))
            if random.nextUnit() < 0.1 { histogram.record(.milliseconds(5)) }
        }
        let quantiles = histogram.quantiles
        #expect(quantiles == histogram.quantilesByScanning)
        #expect(quantiles.count == LatencyQuantiles.percentiles.count)
        #expect(quantiles.last == histogram.stats.max)
        #expect(zip(quantiles, quantiles.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(LatencyHistogram().quantiles.isEmpty)
    }
}

extension LatencyQuantilesTests {
    @Test("interval percentiles: buckets at most 6.25 % wide, exact order statistics within a bucket, cleared between intervals")
    func intervalLatency() {
        for ns: Int64 in [0, 1, 15, 16, 17, 31, 32, 1_000, 999_999, 1_000_000_007, 86_400_000_000_000] {
            let b = IntervalLatency.bucket(ns)
            #expect(IntervalLatency.upperBound(b) >= ns, "\(ns)")
            #expect(b == 0 || IntervalLatency.upperBound(b - 1) < ns, "\(ns) belongs to the first bucket that holds it")
            if ns >= 16 { #expect(Double(IntervalLatency.upperBound(b) - ns) <= 0.0625 * Double(ns)) }
        }
        var interval = IntervalLatency()
        #expect(interval.medianAndTail == nil)
        for ms in 1...100 { interval.record(.milliseconds(Double(ms))) }
        let (p50, p99) = interval.medianAndTail!
        #expect(p50 >= 0.050 && p50 <= 0.050 * 1.0625)
        #expect(p99 >= 0.099 && p99 <= 0.100, "at most the maximum")
        interval.clear()
        #expect(interval.medianAndTail == nil && interval.count == 0)
        interval.record(.seconds(3))
        #expect(interval.medianAndTail!.0 == 3 && interval.medianAndTail!.1 == 3)
    }
}

extension LatencyQuantilesTests {
    @Test("counting into our own array gives HdrHistogram's counts, minimum, maximum and percentiles",
          arguments: [(0, true, UInt32.max), (1, false, .max), (2, false, .max), (50, true, .max), (50, false, .max),
                      (5_000, true, .max), (5_000, false, .max), (5_000, true, 3), (5_000, false, 1)])
    func ownCountsMatchTheLibrary(count: Int, withZeros: Bool, spillAt: UInt32) {
        var random = RandomStream(seed: UInt64(count) + 100, name: "latency-counts")
        var ours = LatencyHistogram(spillAt: spillAt)   // a low limit exercises the spill of full buckets
        var reference = Histogram<UInt64>(
            lowestDiscernibleValue: 1_000, highestTrackableValue: 1_000_000_000_000_000, numberOfSignificantValueDigits: .three)
        for _ in 0..<count {
            // Zeros, sub-microsecond values, bucket edges, latencies of every size, and values
            // past the top (clamped).
            var ns: Int64 = switch random.nextIndex(below: 6) {
            case 0: 0
            case 1: Int64(random.nextIndex(below: 600))
            case 2: Int64(1) << random.nextIndex(below: 50) + Int64(random.nextIndex(below: 3)) - 1
            case 3: 2_000_000_000_000_000
            default: Int64(pow(10, random.nextUnit() * 14))
            }
            if !withZeros { ns = max(ns, 1_000 + Int64(random.nextIndex(below: 100))) }
            ours.record(SimTime(nanoseconds: ns))
            reference.record(UInt64(min(ns, 1_000_000_000_000_000)))
        }
        let built = ours.histogram
        #expect(built.totalCount == reference.totalCount)
        #expect(built.min == reference.min && built.maxRecorded == reference.maxRecorded && built.max == reference.max)
        #expect(Array(built.recordedValues().map { [$0.value, UInt64($0.count)] }) == Array(reference.recordedValues().map { [$0.value, UInt64($0.count)] }))
        for percentile in [0, 0.1, 1, 25, 50, 90, 99, 99.9, 100.0] {
            #expect(built.valueAtPercentile(percentile) == reference.valueAtPercentile(percentile), "p\(percentile)")
        }
        // Our one-pass percentiles (what results use) read our counts as the library reads its own:
        // every 0.01 % step, ties between neighbouring percentiles, 0 and 100 included.
        let percentiles = stride(from: 0.0, through: 100.0, by: 0.01).map { $0 } + [100.0, 250.0]
        #expect(ours.valuesAtPercentiles(percentiles) == percentiles.map { reference.valueAtPercentile($0) })
        #expect(ours.stats == ours.statsFromLibrary)
        #expect(ours.quantiles == ours.quantilesByScanning)
    }
}
