import HeadroomEngine
import Testing

@testable import Headroom

/// `DynamoPlanner`: either shape built on one hardware profile, and the on-tick merge rule.
struct DynamoPlannerTests {
    static let caps = DynamoEngineCapabilities(maxNumBatchedTokens: 8192, maxKVTokens: 400_000, maxNumSeqs: 256, gpus: 1)

    static func build(_ yaml: String) throws -> DynamoPlanner {
        let h100 = try #require(HardwareProfile.builtIn(named: "h100-llama3-8b"))
        return DynamoPlanner(
            spec: try DynamoPlannerSpec.parse(yaml: yaml), prefillProfile: h100, prefill: caps, decodeProfile: h100, decode: caps,
            maxContextLength: 16_384)
    }

    static let window = DynamoTrafficWindow(
        requestCount: 3600, ttft: 0.2, itl: 0.02, isl: 3000, osl: 150, requestDuration: 4, seconds: 180)
    static let workers = DynamoWorkerCounts(readyPrefill: 1, expectedPrefill: 1, readyDecode: 1, expectedDecode: 1)

    @Test("the classic shape: one tick per throughput interval, no load loop")
    func classic() throws {
        var planner = try Self.build("generation: sla-2025\nload_predictor: constant")
        #expect(planner.throughputInterval == 180 && planner.loadInterval == nil)
        let d = planner.throughputTick(Self.window, workers: Self.workers)
        #expect(d.scales)
        #expect(!planner.loadTick(prefill: [], decode: [], workers: Self.workers).scales)
    }

    @Test("the 2026 shape: a load decision wins over the throughput one on a shared tick")
    func merge() throws {
        var planner = try Self.build("generation: 2026\nload_predictor: constant\nenable_load_scaling: true\nmax_gpu_budget: -1")
        #expect(planner.loadInterval == 5)
        // Load scaling on: the throughput tick only sets floors, so the tick's answer is the load loop's.
        let hot = DynamoEngineLoad(workerID: 1, queuedPrefillTokens: 200_000)
        let d = planner.tick(window: Self.window, engines: ([hot], []), workers: Self.workers)
        #expect(d.prefill == 2)
        guard case let .y2026(inner) = planner else { Issue.record("expected the 2026 shape"); return }
        #expect(inner.prefillFloor >= 1 && inner.decodeFloor >= 1)
    }
}
