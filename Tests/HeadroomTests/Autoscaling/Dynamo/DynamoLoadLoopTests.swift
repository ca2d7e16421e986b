import Testing

@testable import Headroom

/// The 2026 planner's load loop (`core/load_scaling.py`@0c6da1e), SLA mode, disaggregated. The
/// regressions are those of `DynamoThroughputLoopTests`. Engine snapshots carry only what the
/// estimates read and leave the models' means unchanged (wall time 0: dropped from the regression).
struct DynamoLoadLoopTests {
    static func spec(ttft: Double = 150, itl: Double = 40, throughputFloor: Bool = false) -> DynamoPlannerSpec {
        var spec = DynamoThroughputLoopTests.spec(load: true, ttft: ttft, itl: itl)
        spec.enableThroughputScaling = throughputFloor
        return spec
    }

    static func planner(_ spec: DynamoPlannerSpec) -> DynamoPlanner2026 {
        var p = DynamoThroughputLoopTests.planner(spec)
        p.observe(prefill: [], decode: [])
        return p
    }

    /// A decode engine with 2 requests of 2,000 tokens scheduled (the means) and `queued` KV waiting:
    /// estimated ITL = wall(2 + 1, 4,000 + queued + 2,000) = 12.5 ms + queued/1,000 ms.
    static func decode(_ id: Int, queued: Int) -> DynamoEngineLoad {
        DynamoEngineLoad(workerID: id, scheduledDecodeRequests: 2, scheduledDecodeKVTokens: 4000, queuedDecodeKVTokens: queued)
    }

    /// A prefill engine with `queued` prompt tokens waiting: TTFT = wall(queued + 3,000) = 70 ms + queued/50 ms.
    static func prefill(_ id: Int, queued: Int) -> DynamoEngineLoad {
        DynamoEngineLoad(workerID: id, queuedPrefillTokens: queued)
    }

    static func workers(p: Int, d: Int, expectedP: Int? = nil, expectedD: Int? = nil) -> DynamoWorkerCounts {
        DynamoWorkerCounts(readyPrefill: p, expectedPrefill: expectedP ?? p, readyDecode: d, expectedDecode: expectedD ?? d)
    }

    @Test("decode up: every engine over 40 ms (42.5, 40.5) → N+1")
    func decodeUp() {
        var p = Self.planner(Self.spec())
        let d = p.loadTick(prefill: [], decode: [Self.decode(1, queued: 30000), Self.decode(2, queued: 28000)], workers: Self.workers(p: 1, d: 2))
        #expect(d.decode == 3)
        #expect(d.prefill == 1)
    }

    @Test("decode hold: one engine under the SLA blocks the scale-up, and its neighbour blocks the scale-down")
    func decodeHold() {
        var p = Self.planner(Self.spec())
        let d = p.loadTick(prefill: [], decode: [Self.decode(1, queued: 30000), Self.decode(2, queued: 20000)], workers: Self.workers(p: 1, d: 2))
        #expect(!d.scales)
    }

    /// PR #9294: two engines at 26.5 ms each are well under 40 ms, and a flat rule (26.5 < 0.8·40)
    /// would drop one; the survivor would then hold 2·18,000 − 4,000 = 32,000 queued tokens, estimate
    /// 44.5 ms > 40 and scale straight back up — the 2↔1 oscillation. The consolidation check
    /// predicts the survivor at (4,000 + 14,000)·2 = 36,000 KV → 8.5 + 36 = 44.5 ms ≥ 32 and refuses.
    @Test("decode: the N/(N−1) check refuses the scale-down that would oscillate 2↔1 (PR #9294)")
    func oscillation() {
        var p = Self.planner(Self.spec())
        let two = p.loadTick(prefill: [], decode: [Self.decode(1, queued: 14000), Self.decode(2, queued: 14000)], workers: Self.workers(p: 1, d: 2))
        #expect(!two.scales)
        #expect(two.reason.contains("refused by the N/(N−1) check"))
        var q = Self.planner(Self.spec())
        let one = q.loadTick(prefill: [], decode: [Self.decode(1, queued: 32000)], workers: Self.workers(p: 1, d: 1))
        #expect(one.decode == 2)
    }

    @Test("decode down: (4,000 + 5,000)·2 = 18,000 KV → 8.5 + 18 = 26.5 ms < 32 on every engine → N−1")
    func decodeDown() {
        var p = Self.planner(Self.spec())
        let d = p.loadTick(prefill: [], decode: [Self.decode(1, queued: 5000), Self.decode(2, queued: 5000)], workers: Self.workers(p: 1, d: 2))
        #expect(d.decode == 1)
    }

    @Test("decode down refused when the consolidated KV would not fit in max_kv_tokens")
    func decodeCacheFeasibility() {
        let caps = DynamoEngineCapabilities(maxNumBatchedTokens: 8192, maxKVTokens: 18_000, maxNumSeqs: 256, gpus: 1)
        var p = DynamoThroughputLoopTests.planner(Self.spec(), decode: caps)
        let d = p.loadTick(prefill: [], decode: [Self.decode(1, queued: 5000), Self.decode(2, queued: 5000)], workers: Self.workers(p: 1, d: 2))
        #expect(!d.scales)
    }

    @Test("the throughput floor lifts a scale-down: final = max(desired, floor, min_endpoint)")
    func floor() {
        var p = Self.planner(Self.spec(throughputFloor: true))
        p.decodeFloor = 3
        let d = p.loadTick(prefill: [], decode: [Self.decode(1, queued: 5000), Self.decode(2, queued: 5000)], workers: Self.workers(p: 1, d: 2))
        #expect(d.decode == 3)
    }

    @Test("nothing is decided for a component while expected ≠ ready")
    func inProgress() {
        var p = Self.planner(Self.spec())
        let hot = [Self.decode(1, queued: 30000), Self.decode(2, queued: 28000)]
        let d = p.loadTick(prefill: [], decode: hot, workers: Self.workers(p: 1, d: 2, expectedD: 3))
        #expect(d.decode == nil && !d.scales)
        #expect(d.reason.contains("scaling in progress"))
        // The other component still decides.
        let e = p.loadTick(
            prefill: [Self.prefill(1, queued: 5000)], decode: hot, workers: Self.workers(p: 1, d: 2, expectedD: 3))
        #expect(e.prefill == 2 && e.decode == nil)
    }

    @Test("engines reporting ≠ ready engines: no decision (worker count mismatch)")
    func mismatch() {
        var p = Self.planner(Self.spec())
        let hot = [Self.decode(1, queued: 30000), Self.decode(2, queued: 28000), Self.decode(3, queued: 30000)]
        let d = p.loadTick(prefill: [], decode: hot, workers: Self.workers(p: 1, d: 2))
        #expect(!d.scales && d.reason.contains("mismatch"))
    }

    @Test("prefill up: 170 and 160 ms > 150 → N+1")
    func prefillUp() {
        var p = Self.planner(Self.spec())
        let d = p.loadTick(prefill: [Self.prefill(1, queued: 5000), Self.prefill(2, queued: 4500)], decode: [], workers: Self.workers(p: 2, d: 1))
        #expect(d.prefill == 3)
    }

    @Test("prefill down: queue-induced 2·1,000/50 = 40 ms < (150 − 70)·0.8 = 64 → N−1; at 2,000 tokens 80 ≥ 64 → hold")
    func prefillDown() {
        var p = Self.planner(Self.spec())
        let d = p.loadTick(prefill: [Self.prefill(1, queued: 1000), Self.prefill(2, queued: 1000)], decode: [], workers: Self.workers(p: 2, d: 1))
        #expect(d.prefill == 1)
        let e = p.loadTick(prefill: [Self.prefill(1, queued: 1000), Self.prefill(2, queued: 2000)], decode: [], workers: Self.workers(p: 2, d: 1))
        #expect(!e.scales)
    }

    @Test("prefill: own compute over the SLA (70 > 60 ms) never scales down")
    func prefillOwnComputeOverSLA() {
        var p = Self.planner(Self.spec(ttft: 60))
        let d = p.loadTick(prefill: [Self.prefill(1, queued: 0), Self.prefill(2, queued: 0)], decode: [], workers: Self.workers(p: 2, d: 1))
        #expect(d.prefill == 3)
        var q = Self.planner(Self.spec(ttft: 71))
        let e = q.loadTick(prefill: [Self.prefill(1, queued: 0), Self.prefill(2, queued: 100)], decode: [], workers: Self.workers(p: 2, d: 1))
        #expect(!e.scales)  // (71 − 70)·0.8 = 0.8 ms budget; the 100-token queue grown to 200 adds 4 ms
    }

    @Test("prefill: the last KV hit rate discounts the simulated work ((1,000 + 3,000)·0.5 → 50 ms)")
    func prefillHitRate() {
        var p = Self.planner(Self.spec())
        p.lastKVHitRate = 0.5
        let est = p.prefillModel.estimateTTFT(queuedPrefillTokens: 1000, maxNumBatchedTokens: 8192, kvHitRate: p.lastKVHitRate)
        #expect(abs((est ?? 0) - 0.05) < 1e-12)
    }

    @Test("load scaling off: observe only")
    func disabled() {
        var spec = Self.spec()
        spec.enableLoadScaling = false
        var p = Self.planner(spec)
        let d = p.loadTick(prefill: [], decode: [Self.decode(1, queued: 30000)], workers: Self.workers(p: 1, d: 1))
        #expect(!d.scales)
    }
}
