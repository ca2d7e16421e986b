import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Valid scenarios at the edges: nothing, one request, a million at once, capacity that never
/// comes, weeks of simulated time. None may crash, hang or lose a request; a model too big for its
/// GPU is refused before anything runs.
@Suite("Extreme but valid scenarios")
struct ExtremeScenarioTests {
    static func yaml(duration: String = "10m", arrivals: String = "{process: poisson, rate: 1/s}",
                     pool: String = "", policy: String = "{kind: fixed, replicas: 1}", weights: String = "16GB", router: String = "{}",
                     prompt: String = "200") -> String {
        """
        name: extreme
        duration: \(duration)
        seed: 1
        workload:
          arrivals: \(arrivals)
          prompt_tokens: \(prompt)
          output_tokens: 20
        model: {name: m, weights: \(weights), kv_bytes_per_token: 128KiB}
        profile: {base: 8ms, per_seq: 1ms, per_prefill_token: 50us}
        router: \(router)
        node_pools: [{name: p, gpu: H100-80GB, gpus_per_node: 1, price_per_hour: 10\(pool)}]
        policy: \(policy)
        """
    }

    static func run(_ yaml: String) throws -> RunResult {
        let result = Simulation.run(try ScenarioDocument(yaml: yaml, file: "extreme.yaml").scenario())
        #expect(result.brokenInvariant == nil, "\(result.brokenInvariant ?? "")")
        return result
    }

    static let scaleToZero = #"{kind: kpa, annotations: {autoscaling.knative.dev/initial-scale: "0", autoscaling.knative.dev/max-scale: "4"}}"#

    @Test("a token distribution with no cap and a tail beyond Int: lengths clamp to 2^20, those requests are refused")
    func unboundedTokenTail() throws {
        // Pareto with shape 0.05 draws values past 2^63 now and then (this crashed, found while
        // replacing the rounding of token counts).
        let result = try Self.run(Self.yaml(duration: "2m", arrivals: "{process: poisson, rate: 200/s}",
                                            prompt: "{dist: pareto, scale: 100, shape: 0.05}"))
        let counts = result.summary.requests
        #expect(counts.arrived > 10_000)
        #expect(counts.droppedByReason["exceeds_kv_cache"]! > 1_000)
        #expect(counts.finished + counts.dropped + counts.inFlight == counts.arrived)
    }

    @Test("zero traffic: nothing arrives, a fixed fleet is billed for the whole run, scale to zero costs nothing")
    func zeroTraffic() throws {
        let fixed = try Self.run(Self.yaml(arrivals: "{process: poisson, rate: 0/s}"))
        #expect(fixed.summary.requests.arrived == 0 && fixed.summary.ttft.count == 0)
        #expect(fixed.summary.cost.nodeSeconds == 600 && fixed.summary.cost.dollars > 0)
        #expect(fixed.summary.slo.both == 1, "no request missed a target")
        let idle = try Self.run(Self.yaml(arrivals: "{process: poisson, rate: 0/s}", policy: Self.scaleToZero))
        #expect(idle.summary.coldStarts.started == 0 && idle.summary.cost.dollars == 0 && idle.nodes.isEmpty)
    }

    @Test("one request: it arrives, waits for a cold start from zero, and finishes")
    func oneRequest() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-one-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try "t,in,out\n5,100,10\n".write(to: file, atomically: true, encoding: .utf8)
        let arrivals = "{process: trace}"
        var yaml = Self.yaml(arrivals: arrivals, policy: Self.scaleToZero)
        yaml = yaml.replacingOccurrences(of: "  arrivals: {process: trace}\n  prompt_tokens: 200\n  output_tokens: 20",
                                         with: "  trace: {file: \(file.path), format: csv, columns: {time: t, prompt: in, output: out}}")
        let result = try Self.run(yaml)
        #expect(result.summary.requests.arrived == 1 && result.summary.requests.finished == 1)
        #expect(result.summary.coldStarts.started == 1)
        #expect(result.summary.ttft.max > 5, "the request waited for the cold start")
    }

    @Test("a million requests in one second: every one accounted for")
    func millionInOneSecond() throws {
        let result = try Self.run(Self.yaml(duration: "1s", arrivals: "{process: poisson, rate: 1000000/s}"))
        let r = result.summary.requests
        #expect(abs(r.arrived - 1_000_000) < 5_000, "Poisson count within 5 standard deviations")
        #expect(r.finished + r.dropped + r.inFlight == r.arrived)
        #expect(r.inFlight > 900_000, "one replica cannot serve them in a second")
    }

    @Test("a pool that never provisions: no replica is ever ready, requests wait or drop, nothing is billed")
    func neverProvisions() throws {
        let result = try Self.run(Self.yaml(pool: ", stockout_probability: 0.999999, stockout_retry: 30s", policy: Self.scaleToZero,
                                            router: "{activator_timeout: 2m}"))
        let r = result.summary.requests
        #expect(r.arrived > 400 && r.finished == 0)
        #expect(r.dropped > 0 && r.droppedByReason[DropReason.activatorTimeout.rawValue] == r.dropped)
        #expect(result.nodes.allSatisfy { $0.ready == nil })
        #expect(result.summary.cost.dollars == 0 && result.summary.gpuSeconds.serving == 0)
        #expect(result.decisions.contains { $0.desiredReplicas > 0 }, "the autoscaler kept asking")
    }

    @Test("a model that does not fit its GPU is refused before simulating, naming the numbers")
    func modelTooBig() {
        #expect {
            try ScenarioDocument(yaml: Self.yaml(weights: "200GB"), file: "big.yaml").scenario()
        } throws: { error in
            let text = "\(error)"
            return text.contains("big.yaml") && text.contains("does not fit") && text.contains("200 GB")
        }
    }

    @Test("two weeks of simulated time, and durations too long for the clock are refused")
    func weeks() throws {
        let result = try Self.run(Self.yaml(duration: "2w", arrivals: "{process: poisson, rate: 0.01/s}"))
        #expect(result.summary.durationSeconds == 14 * 86400)
        #expect(result.summary.requests.arrived > 11_000 && result.summary.requests.finished > 11_000)
        #expect(result.series.count == 14 * 8640)
        let last = try #require(result.series.last)
        #expect(last.time == 1_209_600, "the last sample falls on the horizon")
        #expect { try ScenarioDocument(yaml: Self.yaml(duration: "20000w"), file: "long.yaml").scenario() } throws: { error in
            "\(error)".contains("duration")
        }
    }
}
