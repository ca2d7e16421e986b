import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// A fleet of c one-request replicas behind one FCFS queue with Poisson arrivals is an M/G/c
/// queue (`QueueingPoint` gives the mapping): its mean wait must match Erlang C (M/M/c) and
/// Crommelin's series (M/D/c) closely enough that a 5 % bias fails, at c = 4 and 16 up to ρ = 0.95.
///
/// Two checks split the work, because resolving 5 % by running the simulator alone is out of reach
/// of a debug build. Near ρ = 0.95 waits are correlated over ~1/(1 − ρ)² service times: the mean
/// wait over n customers has a relative variance of ~1,000–2,200 / n (~470–1,440 / n after the
/// control variates), so refusing a 5 % bias, which needs a standard error under ~1 %, takes 5–14
/// million customers per point; the debug simulator serves ~30,000 a second.
/// 1. `servesFCFSExactly`: the simulator, run at every point (10,000 customers from an empty
///    fleet), admits and finishes every request at the very nanosecond the FCFS c-server recursion
///    gives for the same arrival and service times, and reports as its mean queue wait the mean of
///    those waits. Any bias in how the fleet queues, routes or serves shows here exactly, whatever
///    its size and the load.
/// 2. `meanWaitMatchesClosedForm`: that recursion fed the simulator's own request stream
///    (`WorkloadSpec.makeSource` with the run's seed: the arrivals and token counts a run reads),
///    ~45 times cheaper per customer than the event loop, for 64 seeds × 18,000–213,000 customers
///    per point. It holds the inputs (Poisson arrivals at rate λ, the service distribution) and
///    the closed forms against each other, within t·SE from the seeds' spread, and refuses the
///    same check with the closed form moved 5 % either way — at every point, ρ = 0.95 included.
@Suite("Queueing theory")
struct QueueingTheoryTests {
    /// c = 4 at ρ = 0.5, 0.8, 0.95; c = 16 at ρ = 0.8, 0.9, 0.95 (at ρ = 0.5 sixteen servers almost
    /// never queue: the wait is 0.1 % of a service, and resolving it to 5 % takes ~27 M customers).
    /// Sized from the relative variance per customer measured after the control variates (50–125
    /// for c = 4 below ρ = 0.95, 150–600 for c = 16 below 0.95, 470–1,440 at 0.95) for a standard
    /// error of 0.6–1.0 %: the tolerance is then 1.9–3.4 %, and a 5 % shift is refused with about two
    /// standard errors to spare (on these seeds the smallest bias refused is 2.6–3.9 %).
    static let points: [QueueingPoint] = [
        QueueingPoint(service: .exponential, servers: 4, utilization: 0.5, customers: 22_000),
        QueueingPoint(service: .exponential, servers: 4, utilization: 0.8, customers: 28_000),
        QueueingPoint(service: .exponential, servers: 4, utilization: 0.95, customers: 178_000),
        QueueingPoint(service: .exponential, servers: 16, utilization: 0.8, customers: 80_000),
        QueueingPoint(service: .exponential, servers: 16, utilization: 0.9, customers: 141_000),
        QueueingPoint(service: .exponential, servers: 16, utilization: 0.95, customers: 213_000),
        QueueingPoint(service: .deterministic, servers: 4, utilization: 0.5, customers: 25_000),
        QueueingPoint(service: .deterministic, servers: 4, utilization: 0.8, customers: 18_000),
        QueueingPoint(service: .deterministic, servers: 4, utilization: 0.95, customers: 84_000),
        QueueingPoint(service: .deterministic, servers: 16, utilization: 0.8, customers: 37_000),
        QueueingPoint(service: .deterministic, servers: 16, utilization: 0.9, customers: 67_000),
        QueueingPoint(service: .deterministic, servers: 16, utilization: 0.95, customers: 105_000),
    ]

    /// The relative bias of the mean wait every point must refuse.
    static let bias = 0.05
    /// The closed forms' own relative error: Crommelin's series and Erlang C are summed to ~1e-12;
    /// the 10 µs grid moves M/M/c's wait by ~1e-4.
    static let modelError = 0.001
    /// Two-sided false-alarm rate per point for an unbiased simulator. Seeds are fixed, so a run
    /// is deterministic: this is the chance that a change in how randomness is drawn trips it.
    static let alpha = 0.002

    /// Holds a run's requests against the FCFS recursion on their own arrival and service times:
    /// the first that departs from it (admitted or finished at another nanosecond, or unfinished
    /// when it should have finished by `duration`), the finished requests and their mean wait.
    static func departureFromFCFS(
        _ result: RunResult, servers count: Int, duration: Double
    ) -> (departure: String?, finished: Int, meanWait: Double) {
        let servers = FCFSServers(servers: count)
        var waits = 0.0, finished = 0
        func nanoseconds(_ seconds: Double) -> Int64 { Int64((seconds * 1e9).rounded()) }
        for record in result.requests {
            let arrival = nanoseconds(record.arrival)
            let service = QueueingPoint.serviceNanoseconds(outputTokens: record.outputTokens)
            let start = servers.start(arrival: arrival, service: service)
            guard let admitted = record.admitted, let done = record.finished else {
                let end = Double(start + service) / 1e9
                if end < duration { return ("request \(record.serial) unfinished; FCFS finishes it at \(end) s", finished, 0) }
                continue
            }
            guard nanoseconds(admitted) == start, nanoseconds(done) == start + service else {
                let departure = """
                    request \(record.serial) admitted at \(admitted) s, finished at \(done) s; \
                    FCFS with \(count) servers: \(Double(start) / 1e9) s, \(Double(start + service) / 1e9) s
                    """
                return (departure, finished, 0)
            }
            waits += admitted - record.arrival
            finished += 1
        }
        return (nil, finished, waits / Double(max(finished, 1)))
    }

    @Test("the fleet admits every request when the FCFS c-server recursion says", arguments: points)
    func servesFCFSExactly(point: QueueingPoint) {
        let customers = 10_000.0
        let duration = customers / point.arrivalRate
        let result = Simulation.run(point.scenario(seed: 1, duration: duration), options: RunOptions(requestSample: 100_000))
        let check = Self.departureFromFCFS(result, servers: point.servers, duration: duration)
        #expect(check.departure == nil, "\(point.testDescription): \(check.departure ?? "")")
        #expect(result.requests.count < 100_000 && check.finished > Int(0.95 * customers))
        #expect(result.summary.requests.finished == check.finished)
        #expect(abs(result.summary.queueWait.mean - check.meanWait) <= 1e-9 * max(check.meanWait, 1e-3),
                "reported mean queue wait \(result.summary.queueWait.mean) s, the requests' \(check.meanWait) s")
    }

    /// The path check has teeth: let each replica hold two requests (one queued behind the one it
    /// serves) and the fleet is no longer one FCFS queue — a request can wait behind a long
    /// service while another replica frees up — which it must notice.
    @Test("a fleet that queues at each replica is not one FCFS queue, and the path check says so")
    func pathCheckNoticesPerReplicaQueues() {
        let point = QueueingPoint(service: .exponential, servers: 4, utilization: 0.8, customers: 0)
        let duration = 2_000 / point.arrivalRate
        let result = Simulation.run(point.scenario(seed: 1, duration: duration, outstandingPerReplica: 2),
                                    options: RunOptions(requestSample: 100_000))
        #expect(Self.departureFromFCFS(result, servers: point.servers, duration: duration).departure != nil)
    }

    /// One replication of the recursion on the simulator's request stream for `seed`: the
    /// measured customers' mean wait, and their mean interarrival and service times off the known
    /// means (the control variates of `WaitEstimate`).
    static func replicate(_ point: QueueingPoint, seed: UInt64) -> WaitEstimate.Replication {
        var source = point.scenario(seed: seed, duration: 1).workload.makeSource(seed: seed)
        let servers = FCFSServers(servers: point.servers)
        var buffer: [IncomingRequest] = []
        buffer.reserveCapacity(256)
        // Hoisted: this loop is the suite's hot spot (a debug build calls every accessor).
        let warmup = point.warmup, total = warmup + point.customers, tokenNanoseconds = QueueingPoint.tokenTime.nanoseconds
        var index = 0, waits: Int64 = 0, tokens = 0, measuredFrom: Int64 = 0, lastArrival: Int64 = 0
        while index < total {
            buffer.removeAll(keepingCapacity: true)
            source.next(256, into: &buffer)
            for request in buffer {
                if index == total { break }
                let arrival = request.arrival.nanoseconds
                let start = servers.start(arrival: arrival, service: Int64(request.outputTokens) * tokenNanoseconds)
                if index >= warmup {
                    waits += start - arrival
                    tokens += request.outputTokens
                } else if index == warmup - 1 {
                    measuredFrom = arrival
                }
                lastArrival = arrival
                index += 1
            }
        }
        let n = Double(point.customers)
        var controls = [Double(lastArrival - measuredFrom) / 1e9 / n - 1 / point.arrivalRate]
        if point.service == .exponential {
            controls.append(Double(tokens) / n * QueueingPoint.tokenTime.seconds - point.meanService)
        }
        return WaitEstimate.Replication(meanWait: Double(waits) / 1e9 / n, controls: controls)
    }

    @Test("the mean queue wait matches the closed form within a tolerance that rejects a 5 % bias", arguments: points)
    func meanWaitMatchesClosedForm(point: QueueingPoint) {
        let clock = ContinuousClock.now
        let estimate = WaitEstimate((1...point.seeds).map { Self.replicate(point, seed: UInt64(7_000 + $0)) })
        let expected = point.expectedWait
        let critical = estimate.critical(alpha: Self.alpha)
        let resolution = estimate.resolution(expected: expected, critical: critical, modelError: Self.modelError)
        print("""
            \(point.testDescription): simulated / closed form − 1 = \(estimate.mean / expected - 1), \
            SE \(estimate.standardError / expected), t \(critical); rejects biases ≥ \(resolution); \
            \(ContinuousClock.now - clock)
            """)
        #expect(estimate.agrees(with: expected, critical: critical, modelError: Self.modelError),
                "\(point.testDescription): simulated \(estimate.mean) s ± \(estimate.standardError), closed form \(expected) s")
        // The same check, handed a closed form 5 % off either way, must refuse it.
        for shifted in [expected * (1 + Self.bias), expected * (1 - Self.bias)] {
            #expect(!estimate.agrees(with: shifted, critical: critical, modelError: Self.modelError),
                    "\(point.testDescription): a bias of \(Self.bias) passes (the runs resolve only \(resolution))")
        }
    }
}
