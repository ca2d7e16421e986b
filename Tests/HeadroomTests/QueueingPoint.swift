import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// One load point of the queueing tests — M/M/c or M/D/c, c servers at utilization ρ — the
/// scenario that realises it, and the effort spent estimating its mean wait.
///
/// **The mapping.** `max_num_seqs` 1 and `max_outstanding_per_replica` 1: a replica holds one
/// request, the others wait in the activator, one central FCFS queue that a finishing replica
/// drains at the same instant (least-outstanding routing hands the head to a free replica). Every
/// iteration costs 10 µs whatever it holds (`base` only) and a request has a 1-token prompt, so
/// its service is `output tokens × 10 µs` exactly (the prefill iteration makes the first token,
/// each decode iteration one more). Exponential service: output tokens drawn Exp(10,000), rounded
/// and at least 1 — an exponential of mean ≈ 0.1 s on a 10 µs grid, whose mean is known exactly
/// (`QueueingFormulas.exponentialTokenMean`) and whose other moments differ from the continuous
/// one's by ~1e-4 of their size. Constant service: 10,000 tokens, 0.1 s. The wait is the
/// simulator's queue wait: arrival to first admission into a batch (`RequestRecord.admitted`).
struct QueueingPoint: Sendable, CustomTestStringConvertible {
    enum Service: String, Sendable { case exponential = "M/M", deterministic = "M/D" }
    static let tokenTime = SimTime.microseconds(10)
    static let meanTokens = 10_000.0

    let service: Service
    let servers: Int
    let utilization: Double
    /// Customers measured in each of `seeds` independent replications, after `warmup`.
    let customers: Int
    var seeds: Int { 64 }

    var testDescription: String { "\(service.rawValue)/\(servers) at ρ=\(utilization)" }

    /// Customers deleted at the start of each replication, which starts empty: five relaxation
    /// times of ρ/(1 − √ρ)² arrivals each (M/M/c's heavy-traffic relaxation time 1/(cμ(1 − √ρ)²)),
    /// plus 50. What is left of the empty start is far inside the standard error: 1,500 such
    /// replications of M/M/4 at ρ = 0.95 (C model of the queue) came out −0.01 % ± 0.27 % off.
    var warmup: Int {
        let root = utilization.squareRoot()
        return Int(5 * utilization / ((1 - root) * (1 - root))) + 50
    }

    var meanService: Double {
        let tokens = service == .exponential ? QueueingFormulas.exponentialTokenMean(Self.meanTokens) : Self.meanTokens
        return tokens * Self.tokenTime.seconds
    }

    var arrivalRate: Double { utilization * Double(servers) / meanService }

    /// The closed form: Erlang C or Crommelin's series.
    var expectedWait: Double {
        switch service {
        case .exponential: QueueingFormulas.mmcWait(servers: servers, utilization: utilization, meanService: meanService)
        case .deterministic: QueueingFormulas.mdcWait(servers: servers, utilization: utilization, service: meanService)
        }
    }

    /// The fleet as a scenario, `duration` seconds long (`outstandingPerReplica` above 1 breaks the
    /// single FCFS queue, for the test that checks the check).
    func scenario(seed: UInt64, duration: Double, outstandingPerReplica: Int = 1) -> Scenario {
        let profile = HardwareProfile(name: "unit", source: "test", base: Self.tokenTime, perSequence: .zero,
                                      perPrefillToken: .zero, perContextToken: .zero)
        let output = service == .exponential ? try! Distribution(.exponential(mean: Self.meanTokens)) : .constant(Self.meanTokens)
        return TestScenario.make(
            duration: .seconds(duration), seed: seed, arrivals: .poisson(rate: arrivalRate),
            prompt: .constant(1), output: output, profile: profile,
            engine: EngineSpec(maxNumSeqs: 1, maxNumBatchedTokens: 1, kvCacheTokens: .unlimited), replicas: servers,
            router: RouterSpec(
                activatorCapacity: 10_000_000, activatorTimeout: .hours(1000), maxOutstandingPerReplica: outstandingPerReplica))
    }

    /// Service time of a request with `outputTokens` tokens, in nanoseconds.
    static func serviceNanoseconds(outputTokens: Int) -> Int64 { Int64(outputTokens) * tokenTime.nanoseconds }
}
