import Foundation
import Testing
@testable import HeadroomEngine

@Suite("Distribution")
struct DistributionTests {
    static func moments(_ distribution: Distribution, count: Int = 200_000, seed: UInt64 = 3) -> (mean: Double, cv: Double) {
        var random = RandomStream(seed: seed, name: "distribution-test")
        var sum = 0.0, squares = 0.0
        for _ in 0..<count {
            let x = distribution.sample(&random)
            sum += x
            squares += x * x
        }
        let mean = sum / Double(count)
        return (mean, (squares / Double(count) - mean * mean).squareRoot() / mean)
    }

    @Test("sample means and CVs match the closed forms")
    func moments() throws {
        let cases: [(Distribution, mean: Double, cv: Double)] = [
            (try Distribution(.uniform(low: 2, high: 4)), 3, (1 / 12.0).squareRoot() * 2 / 3),
            (try Distribution(.exponential(mean: 5)), 5, 1),
            (try Distribution(.normal(mean: 10, standardDeviation: 2)), 10, 0.2),
            (try Distribution(.lognormal(median: 100, sigma: 0.5)), 100 * exp(0.125), (exp(0.25) - 1).squareRoot()),
            (try Distribution(.gamma(mean: 3, cv: 2)), 3, 2),
            (try Distribution(.gamma(mean: 3, cv: 0.5)), 3, 0.5),
            (try Distribution(.weibull(shape: 2, scale: 1)), tgamma(1.5), (tgamma(2) / pow(tgamma(1.5), 2) - 1).squareRoot()),
            (try Distribution(.pareto(scale: 1, shape: 5)), 1.25, (5.0 / (3 * 16)).squareRoot() / 1.25),
        ]
        for (distribution, mean, cv) in cases {
            let measured = Self.moments(distribution)
            #expect(abs(measured.mean - mean) / mean < 0.02, "\(distribution.shape): mean \(measured.mean) vs \(mean)")
            #expect(abs(measured.cv - cv) / cv < 0.05, "\(distribution.shape): cv \(measured.cv) vs \(cv)")
            #expect(abs((distribution.unclippedMean ?? .nan) - mean) / mean < 1e-9)
        }
    }

    @Test("empirical draws follow the weights")
    func empirical() throws {
        let distribution = try Distribution(.empirical(values: [1, 10, 100], weights: [1, 2, 7]))
        var random = RandomStream(seed: 1, name: "empirical")
        var counts = [Double: Int]()
        for _ in 0..<100_000 { counts[distribution.sample(&random), default: 0] += 1 }
        #expect(abs(Double(counts[1]!) / 100_000 - 0.1) < 0.005)
        #expect(abs(Double(counts[100]!) / 100_000 - 0.7) < 0.005)
    }

    @Test("min and max clip; the normal is truncated, keeping its shape inside")
    func clipping() throws {
        let clipped = try Distribution(.exponential(mean: 10), min: 2, max: 5)
        let truncated = try Distribution(.normal(mean: 0, standardDeviation: 1), min: 0, max: 1)
        var random = RandomStream(seed: 2, name: "clip")
        var atMax = 0, sum = 0.0
        for _ in 0..<10_000 {
            let x = clipped.sample(&random)
            #expect(x >= 2 && x <= 5)
            if x == 5 { atMax += 1 }
            let y = truncated.sample(&random)
            #expect(y >= 0 && y <= 1)
            sum += y
        }
        #expect(atMax > 5_000)  // P(X > 5) = e^-0.5 ≈ 0.61
        // Mean of a standard normal truncated to [0, 1]: (φ(0) − φ(1)) / (Φ(1) − Φ(0)) ≈ 0.4599.
        #expect(abs(sum / 10_000 - 0.4599) < 0.01)
    }

    @Test("bad parameters are refused with the parameter named")
    func validation() {
        func message(_ make: () throws -> Distribution) -> String {
            do { _ = try make(); return "" } catch { return "\(error)" }
        }
        #expect(message { try Distribution(.exponential(mean: -1)) }.contains("mean must be > 0"))
        #expect(message { try Distribution(.uniform(low: 5, high: 1)) }.contains("low (5.0) must not exceed high"))
        #expect(message { try Distribution(.lognormal(median: .nan, sigma: 1)) }.contains("median"))
        #expect(message { try Distribution(.empirical(values: [1, 2], weights: [1])) }.contains("same length"))
        #expect(message { try Distribution(.empirical(values: [1], weights: [0])) }.contains("all be zero"))
        #expect(message { try Distribution(.constant(1), min: 3, max: 2) }.contains("must not exceed max"))
        #expect(message { try Distribution(.gamma(mean: 1, cv: 0)) }.contains("cv must be > 0"))
    }
}
