import Foundation
import Testing
@testable import HeadroomEngine

@Suite("Ziggurat")
struct ZigguratTests {
    /// Kolmogorov–Smirnov distance between `samples` and `cdf`.
    static func ksDistance(_ samples: [Double], _ cdf: (Double) -> Double) -> Double {
        let sorted = samples.sorted()
        let n = Double(sorted.count)
        var distance = 0.0
        for (i, x) in sorted.enumerated() {
            let p = cdf(x)
            distance = max(distance, abs(p - Double(i) / n), abs(Double(i + 1) / n - p))
        }
        return distance
    }

    @Test("layers are decreasing, finite, of equal area, and close at the top", arguments: [true, false])
    func tables(normal: Bool) {
        let table = normal ? Ziggurat.normal : Ziggurat.exponential
        let area = normal ? Ziggurat.normalArea : Ziggurat.exponentialArea
        let r = normal ? Ziggurat.normalR : Ziggurat.exponentialR
        #expect(table[1] == r && table[256] == 0 && table[513] == 1)
        for i in 0..<256 { #expect(table[i].isFinite && table[i] > table[i + 1], "layer \(i)") }
        // Base layer: rectangle to x[0] at height f(r) has the area v; every other layer too.
        #expect(abs(table[0] * table[257 + 1] - area) < 1e-15)
        for i in 1..<256 {
            let layer = table[i] * (table[257 + i + 1] - table[257 + i])
            #expect(abs(layer - area) / area < 1e-6, "layer \(i) has area \(layer)")
        }
    }

    @Test("normal draws follow Φ (KS over 400,000) and reach the tail as often as they should")
    func normal() {
        var random = RandomStream(seed: 3, name: "ziggurat-normal")
        let samples = (0..<400_000).map { _ in random.nextStandardNormal() }
        let d = Self.ksDistance(samples) { 0.5 * erfc(-$0 / 2.0.squareRoot()) }
        #expect(d < 1.95 / Double(samples.count).squareRoot())  // the 0.1 % critical value
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)
        #expect(abs(mean) < 0.006 && abs(variance - 1) < 0.01)
        // P(|Z| > r) = erfc(r/√2) ≈ 2.58e-4: the tail branch, both signs.
        var tail = RandomStream(seed: 4, name: "ziggurat-normal-tail")
        var above = 0, below = 0
        let n = 4_000_000
        for _ in 0..<n {
            let z = tail.nextStandardNormal()
            if z > Ziggurat.normalR { above += 1 } else if z < -Ziggurat.normalR { below += 1 }
        }
        let expected = Double(n) * 0.5 * erfc(Ziggurat.normalR / 2.0.squareRoot())
        #expect(abs(Double(above) - expected) < 5 * expected.squareRoot())
        #expect(abs(Double(below) - expected) < 5 * expected.squareRoot())
    }

    /// χ² of 4 million draws in 200 equal bins over `range` against `cdf`.
    static func chiSquare(_ range: ClosedRange<Double>, _ cdf: (Double) -> Double, _ draw: () -> Double) -> Double {
        let n = 4_000_000, bins = 200, width = (range.upperBound - range.lowerBound) / Double(bins)
        var counts = [Int](repeating: 0, count: bins)
        for _ in 0..<n {
            let x = draw()
            if range.contains(x) { counts[min(bins - 1, Int((x - range.lowerBound) / width))] += 1 }
        }
        var chiSquare = 0.0
        for bin in 0..<bins {
            let low = range.lowerBound + Double(bin) * width
            let expected = Double(n) * (cdf(low + width) - cdf(low))
            chiSquare += (Double(counts[bin]) - expected) * (Double(counts[bin]) - expected) / expected
        }
        return chiSquare
    }

    // 267: the 0.1 % critical value of χ² with 199 degrees of freedom. Both catch a wedge test
    // that accepts everything (χ² in the hundreds).
    @Test("normal draws in 200 bins over [−4, 4]: χ² against Φ over 4 million")
    func normalBins() {
        var random = RandomStream(seed: 8, name: "ziggurat-normal-bins")
        let chiSquare = Self.chiSquare(-4...4, { 0.5 * erfc(-$0 / 2.0.squareRoot()) }) { random.nextStandardNormal() }
        #expect(chiSquare < 267, "χ² \(chiSquare)")
    }

    @Test("exponential draws in 200 bins over [0, 8]: χ² against 1 − e^−x over 4 million")
    func exponentialBins() {
        var random = RandomStream(seed: 10, name: "ziggurat-exponential-bins")
        let chiSquare = Self.chiSquare(0...8, { 1 - exp(-$0) }) { random.nextStandardExponential() }
        #expect(chiSquare < 267, "χ² \(chiSquare)")
    }

    @Test("the normal tail sampler follows Φ conditioned on exceeding r (KS over 200,000)")
    func normalTail() {
        var random = RandomStream(seed: 9, name: "ziggurat-normal-tail-sampler")
        let r = Ziggurat.normalR
        let samples = (0..<200_000).map { _ in random.nextNormalTail(beyond: r) }
        let above = 0.5 * erfc(r / 2.0.squareRoot())
        let d = Self.ksDistance(samples) { 1 - 0.5 * erfc($0 / 2.0.squareRoot()) / above }
        #expect(d < 1.95 / Double(samples.count).squareRoot())
    }

    @Test("exponential draws follow 1 − e^−x (KS over 400,000) and reach the tail as often as they should")
    func exponential() {
        var random = RandomStream(seed: 5, name: "ziggurat-exponential")
        let samples = (0..<400_000).map { _ in random.nextStandardExponential() }
        #expect(samples.allSatisfy { $0 >= 0 })
        let d = Self.ksDistance(samples) { 1 - exp(-$0) }
        #expect(d < 1.95 / Double(samples.count).squareRoot())
        let mean = samples.reduce(0, +) / Double(samples.count)
        #expect(abs(mean - 1) < 0.006)
        var tail = RandomStream(seed: 6, name: "ziggurat-exponential-tail")
        let n = 4_000_000
        var beyond = 0
        for _ in 0..<n where tail.nextStandardExponential() > Ziggurat.exponentialR { beyond += 1 }
        let expected = Double(n) * exp(-Ziggurat.exponentialR)
        #expect(abs(Double(beyond) - expected) < 5 * expected.squareRoot())
    }
}
