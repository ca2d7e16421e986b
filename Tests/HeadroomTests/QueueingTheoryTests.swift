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

    @Test("mean queue wait of an M/M/c fleet matches Erlang C", arguments: [(0.5, 60_000), (0.8, 120_000), (0.9, 240_000)])
    func erlangCWait(utilization: Double, requests: Int) {
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
        let scenario = TestScenario.make(
            duration: .seconds(Double(requests) / lambda), seed: 2024, arrivals: .poisson(rate: lambda), prompt: .constant(1),
            output: try! Distribution(.exponential(mean: m)), profile: profile,
            engine: EngineSpec(maxNumSeqs: 1, maxNumBatchedTokens: 1, kvCacheTokens: .unlimited), replicas: servers,
            router: RouterSpec(activatorCapacity: 10_000_000, activatorTimeout: .hours(1000), maxOutstandingPerReplica: 1))
        let result = Simulation.run(scenario)
        let a = lambda * meanService
        let expected = Self.erlangC(servers: servers, load: a) * meanService / (Double(servers) - a)
        let measured = result.summary.queueWait.mean
        print("M/M/\(servers) at ρ=\(utilization): Erlang C wait \(expected) s, simulated \(measured) s")
        #expect(abs(measured / expected - 1) < 0.05, "ρ=\(utilization): Erlang C \(expected) s, simulated \(measured) s")
    }
}
