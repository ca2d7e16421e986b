import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Scenario B1 (`shared/peers/B1.md`) against its reference Python peer (`b1_heapq.py`): Headroom
/// replays the peer's own 600 s trace (Tests/Data/b1, with its origin) and must give every request
/// the peer's TTFT and E2E, and the peer's counts, iterations, busy fraction, means and percentiles.
///
/// Why not bit-identical: the peer keeps time as float64 seconds (`e = s + d_us / 1e6`, rounded at
/// every addition); Headroom keeps integer nanoseconds, reading each arrival rounded to the
/// nanosecond (≤ 0.5 ns off) and adding exact durations. So an instant (first token, finish) is off
/// by its busy period's first arrival's rounding, ≤ 0.5 ns, and a span (TTFT, E2E: two instants) by
/// ≤ 1 ns; the peer's float drift over a busy period adds up to ulp(600 s)/2 ≈ 57 fs an iteration,
/// a random walk that reaches 25 ps on this trace (50 ps allowed). Means and percentiles of spans move
/// by no more than the spans do (both are 1-Lipschitz in the largest difference).
@Suite("B1 against the Python peer")
struct PeerB1Tests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Data/b1").standardized
    /// The peer's float drift allowed, on top of Headroom's rounding of arrivals to the nanosecond.
    static let drift = 50e-12
    static let instantTolerance = 0.5e-9 + drift
    static let spanTolerance = 1e-9 + drift

    /// One row of the peer's `--dump-requests` file.
    struct PeerRequest {
        var replica: Int
        var arrival: Double, firstToken: Double, finish: Double
    }

    /// The peer's `--json` summary (the keys this test compares).
    struct PeerSummary: Decodable {
        struct Stats: Decodable { var mean: Double, p50: Double, p90: Double, p99: Double }
        var requests: Int, completed: Int, iterations: Int
        var busy_fraction: Double, end_time_s: Double, last_arrival_s: Double, itl_mean_s: Double
        var output_tokens_total: Int, prompt_tokens_total: Int
        var ttft_s: Stats, e2e_s: Stats
    }

    static func peerRequests() throws -> [PeerRequest] {
        let text = try String(contentsOf: folder.appendingPathComponent("requests.csv"), encoding: .utf8)
        var rows: [PeerRequest] = []
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",")
            if index == 0 {
                #expect(fields == ["id", "replica", "arrival", "first_token", "finish"])
                continue
            }
            guard fields.count == 5, Int(fields[0]) == index - 1, let replica = Int(fields[1]), let arrival = Double(fields[2]),
                  let first = Double(fields[3]), let finish = Double(fields[4]) else {
                Issue.record("requests.csv:\(index + 1): unreadable row `\(line)`")
                continue
            }
            rows.append(PeerRequest(replica: replica, arrival: arrival, firstToken: first, finish: finish))
        }
        return rows
    }

    static func peerSummary() throws -> PeerSummary {
        try JSONDecoder().decode(PeerSummary.self, from: Data(contentsOf: folder.appendingPathComponent("summary.json")))
    }

    static func scenario() throws -> Scenario {
        try Scenario.load(file: folder.appendingPathComponent("b1-trace.yaml").path)
    }

    /// The replay, run once for the suite (about 30,000 requests).
    static let replay: Result<RunResult, any Error> = Result {
        Simulation.run(try scenario(), options: RunOptions(requestSample: 1_000_000))
    }

    /// numpy's default `linear` percentile on sorted values (B1.md, "Metrics").
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p / 100
        let low = Int(h.rounded(.down))
        guard low + 1 < sorted.count else { return sorted[low] }
        return sorted[low] + (h - Double(low)) * (sorted[low + 1] - sorted[low])
    }

    static func close(_ a: Double, _ b: Double, relative: Double = 1e-9) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b))
    }

    @Test("every request's first token and finish within 0.55 ns of the peer's, its TTFT and E2E within 1.05 ns")
    func perRequest() throws {
        let result = try Self.replay.get()
        let peer = try Self.peerRequests()
        try #require(result.requests.count == peer.count)
        // Headroom's clock starts at the trace's first request; the peer's at zero.
        let origin = peer[0].arrival
        var worstArrival = 0.0, worstInstant = 0.0, worstTTFT = 0.0, worstE2E = 0.0
        for (ours, theirs) in zip(result.requests, peer) {
            guard let first = ours.firstToken, let finished = ours.finished else {
                Issue.record("request \(ours.serial) did not finish")
                continue
            }
            worstArrival = max(worstArrival, abs(ours.arrival + origin - theirs.arrival))
            worstInstant = max(worstInstant, abs(first + origin - theirs.firstToken), abs(finished + origin - theirs.finish))
            worstTTFT = max(worstTTFT, abs((first - ours.arrival) - (theirs.firstToken - theirs.arrival)))
            worstE2E = max(worstE2E, abs((finished - ours.arrival) - (theirs.finish - theirs.arrival)))
        }
        #expect(worstArrival <= 0.5e-9 + 1e-12, "arrivals differ by up to \(worstArrival) s")
        #expect(worstInstant <= Self.instantTolerance, "first-token or finish times differ by up to \(worstInstant) s")
        #expect(worstTTFT <= Self.spanTolerance, "TTFT differs by up to \(worstTTFT) s")
        #expect(worstE2E <= Self.spanTolerance, "E2E differs by up to \(worstE2E) s")
    }

    @Test("counts exact; means and percentiles within the span tolerance; end time and busy fraction within B1's 1e-9 relative")
    func summary() throws {
        let result = try Self.replay.get()
        let peer = try Self.peerSummary()
        let origin = try Self.peerRequests()[0].arrival
        #expect(result.summary.requests.arrived == peer.requests)
        #expect(result.summary.requests.finished == peer.completed)
        #expect(result.summary.requests.dropped == 0 && result.summary.requests.inFlight == 0)
        #expect(result.summary.tokens.prompt == peer.prompt_tokens_total)
        #expect(result.summary.tokens.output == peer.output_tokens_total)

        let requests = result.requests
        let ttft = requests.map { $0.firstToken! - $0.arrival }.sorted()
        let e2e = requests.map { $0.finished! - $0.arrival }.sorted()
        let itl = requests.filter { $0.outputTokens > 1 }.map { ($0.finished! - $0.firstToken!) / Double($0.outputTokens - 1) }
        let end = requests.map { $0.finished! }.max()! + origin
        #expect(Self.close(requests.map(\.arrival).max()! + origin, peer.last_arrival_s))
        #expect(Self.close(end, peer.end_time_s))
        for (name, ours, theirs) in [("ttft", ttft, peer.ttft_s), ("e2e", e2e, peer.e2e_s)] {
            let mean = ours.reduce(0, +) / Double(ours.count)
            #expect(abs(mean - theirs.mean) <= Self.spanTolerance, "\(name) mean \(mean) vs \(theirs.mean)")
            for (p, value) in [(50.0, theirs.p50), (90, theirs.p90), (99, theirs.p99)] {
                let percentile = Self.percentile(ours, p)
                #expect(abs(percentile - value) <= Self.spanTolerance, "\(name) p\(Int(p)) \(percentile) vs \(value)")
            }
        }
        // Finish − first token: both instants of one busy period, so the arrival's rounding cancels.
        #expect(Self.close(itl.reduce(0, +) / Double(itl.count), peer.itl_mean_s))
        // Busy: GPUs held by a replica with a non-empty batch, one GPU a replica.
        #expect(Self.close(result.summary.gpuSeconds.serving / (16 * end), peer.busy_fraction))
    }

    /// Iterations are not in the run's result: the replicas' exporter counters (kept when the
    /// policy reads signals) count them, and busy time in whole nanoseconds.
    @Test("iterations and busy time equal the peer's exactly")
    func iterations() throws {
        let scenario = try Self.scenario()
        let probe = SignalProbe(replicas: 16, signals: [.gpuUtilization], syncPeriod: .seconds(60))
        var world = Simulation(scenario, options: RunOptions(requestSample: 1_000_000, policy: probe))
        var queue = EventQueue<SimulationEvent>(reservingCapacity: 256)
        world.start(queue: &queue)
        EventLoop.run(&world, queue: &queue, until: scenario.duration)
        let counters = world.counters.map { $0.snapshot(at: scenario.duration) }
        #expect(counters.count == 16)
        let peer = try Self.peerSummary()
        #expect(counters.reduce(0) { $0 + $1.iterations } == peer.iterations)
        let busyNanoseconds = counters.reduce(Int64(0)) { $0 + $1.busyNanoseconds }
        // The peer's busy time is a whole number of microseconds: recover it from the fraction.
        let peerBusyMicroseconds = (peer.busy_fraction * 16 * peer.end_time_s * 1e6).rounded()
        #expect(Double(busyNanoseconds) == peerBusyMicroseconds * 1000)
        // The probe leaves every request as the fixed policy does.
        let result = world.finish(at: scenario.duration, events: 0)
        #expect(result.requests == (try Self.replay.get()).requests)
    }
}
