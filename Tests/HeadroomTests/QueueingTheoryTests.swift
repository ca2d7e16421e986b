import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// With one-sequence batches, a central queue and exponential service, a fleet of c replicas is an
/// M/M/c queue: its mean wait must match Erlang C.
@Suite("Queueing theory")
struct QueueingTheoryTests {
    /// Erlang C: probability of waiting in M/M/c with offered load a = λ/μ.
    static func erlangC(servers c: Int, load a: Double) -> Double {
        var term = 1.0, sum = 1.0
        for k in 1..<c {
            term *= a / Double(k)
            sum += term
        }
        let last = term * a / Double(c) * Double(c) / (Double(c) - a)
        return last / (sum + last)
    }

    /// Eight independent runs (seeds) per load: the mean of their ratios to Erlang C must be 1
    /// within 5 standard errors estimated from their spread (a false alarm about once in 600
    /// runs of the suite), and that error must be small enough for the check to mean something.
    /// One run's mean wait has a relative error of ~6 % at 60,000 requests (waits are rare and
    /// correlated), so a single seed against a fixed 5 % bound failed about half the time.
    @Test("mean queue wait of an M/M/c fleet matches Erlang C", arguments: [(0.5, 30_000), (0.8, 30_000), (0.9, 60_000)])
    func erlangCWait(utilization: Double, requestsPerSeed: Int) {
        let servers = 4
        // Every iteration costs 1 ms whatever it holds, so service = output tokens × 1 ms; output
        // tokens ~ round(Exp(100)) (at least 1) are geometric-like with mean ≈ 100: exponential
        // service with mean 0.1 s, within 0.5 %.
        let profile = HardwareProfile(name: "unit", source: "test", base: .milliseconds(1), perSequence: .zero,
                                      perPrefillToken: .zero, perContextToken: .zero)
        let m = 100.0
        let meanTokens = exp(-0.5 / m) / (1 - exp(-1 / m)) + (1 - exp(-0.5 / m))
        let meanService = meanTokens * 0.001
        let lambda = utilization * Double(servers) / meanService
        let a = lambda * meanService
        let expected = Self.erlangC(servers: servers, load: a) * meanService / (Double(servers) - a)
        let ratios = (1...8).map { seed in
            let scenario = TestScenario.make(
                duration: .seconds(Double(requestsPerSeed) / lambda), seed: UInt64(2024 + seed), arrivals: .poisson(rate: lambda),
                prompt: .constant(1), output: try! Distribution(.exponential(mean: m)), profile: profile,
                engine: EngineSpec(maxNumSeqs: 1, maxNumBatchedTokens: 1, kvCacheTokens: .unlimited), replicas: servers,
                router: RouterSpec(activatorCapacity: 10_000_000, activatorTimeout: .hours(1000), maxOutstandingPerReplica: 1))
            return Simulation.run(scenario).summary.queueWait.mean / expected
        }
        let mean = ratios.reduce(0, +) / Double(ratios.count)
        let standardError = (ratios.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(ratios.count - 1) / Double(ratios.count)).squareRoot()
        print("M/M/\(servers) at ρ=\(utilization): simulated / Erlang C wait = \(mean) ± \(standardError) over 8 seeds")
        #expect(standardError < 0.04, "ρ=\(utilization): standard error \(standardError) too large to judge")
        #expect(abs(mean - 1) < 5 * standardError + 0.005, "ρ=\(utilization): simulated / Erlang C = \(mean) ± \(standardError)")
    }
}
