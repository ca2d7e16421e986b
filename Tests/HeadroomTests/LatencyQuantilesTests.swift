import Foundation
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
