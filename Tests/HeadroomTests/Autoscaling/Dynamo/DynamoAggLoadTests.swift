import Testing

@testable import Headroom

/// The 2026 load loop in aggregated mode (`_advance_load_agg`, `_agg_prefill_scaling`,
/// `_agg_decode_scaling` in `core/load_scaling.py`@0c6da1e): one regression of wall time on
/// (prefill tokens, decode KV); up if either the TTFT or the ITL rule says up, down only if both
/// allow it. Wall = 10 ms + 20 µs/prefill token + 1 µs/KV token; means 2,000 prompt tokens, 2,000
/// KV tokens per request, 2,000 prefill tokens per iteration. TTFT SLA 200 ms, ITL SLA 100 ms.
struct DynamoAggLoadTests {
    static let caps = DynamoEngineCapabilities(maxNumBatchedTokens: 8192, maxKVTokens: 1_000_000, maxNumSeqs: 256, gpus: 1)

    static func planner(ttft: Double = 200, itl: Double = 100, load: Bool = true) -> DynamoPlanner2026 {
        var spec = DynamoThroughputLoopTests.spec(load: load, ttft: ttft, itl: itl)
        spec.mode = .agg
        spec.enableThroughputScaling = !load
        var p = DynamoPlanner2026(spec: spec, prefill: caps, decode: caps)
        let samples = [(1000, 1000), (3000, 1000), (1000, 3000), (3000, 3000), (2000, 2000)].map { (prefill, kv) in
            DynamoEngineLoad(
                workerID: 0, wallTime: 0.01 + 2e-5 * Double(prefill) + 1e-6 * Double(kv), scheduledPrefillTokens: prefill,
                scheduledPrefillRequests: 1, scheduledDecodeRequests: 1, scheduledDecodeKVTokens: kv)
        }
        p.observe(prefill: [], decode: samples)
        return p
    }

    /// TTFT estimate: (queued + 2,000) prompt tokens in 8,192-token chunks, each over 2,000 KV:
    /// 52 ms + queued/50 ms up to one chunk. ITL estimate: 54 ms + queued KV/1,000 ms.
    static func engine(_ id: Int, queuedPrefill: Int = 0, queuedKV: Int = 0) -> DynamoEngineLoad {
        DynamoEngineLoad(
            workerID: id, scheduledPrefillTokens: 2000, scheduledPrefillRequests: 1, scheduledDecodeRequests: 1,
            scheduledDecodeKVTokens: 2000, queuedPrefillTokens: queuedPrefill, queuedDecodeKVTokens: queuedKV)
    }

    static func tick(_ engines: [DynamoEngineLoad], expected: Int? = nil) -> DynamoDecision {
        var p = planner()
        return p.loadTick(
            prefill: [], decode: engines, workers: DynamoWorkerCounts(readyDecode: engines.count, expectedDecode: expected ?? engines.count))
    }

    @Test("the TTFT rule alone says up (10,000 tokens: 175.84 + 48.16 = 224 ms > 200) → N+1")
    func ttftUp() {
        #expect(Self.tick([Self.engine(1, queuedPrefill: 8000), Self.engine(2, queuedPrefill: 8000)]).decode == 3)
    }

    @Test("the ITL rule alone says up (104 ms > 100) while TTFT would allow down → N+1")
    func itlUp() {
        #expect(Self.tick([Self.engine(1, queuedKV: 50000), Self.engine(2, queuedKV: 50000)]).decode == 3)
    }

    @Test("both allow down (TTFT: 0 queue-induced; ITL at 4,000 KV: 56 < 80 ms) → N−1")
    func bothDown() {
        #expect(Self.tick([Self.engine(1), Self.engine(2)]).decode == 1)
    }

    @Test("TTFT refuses (queue-induced 120 ≥ (200 − 54)·0.8 = 116.8), ITL allows (62 < 80) → hold")
    func ttftRefuses() {
        let d = Self.tick([Self.engine(1, queuedPrefill: 3000), Self.engine(2, queuedPrefill: 3000)])
        #expect(!d.scales)
    }

    @Test("ITL refuses ((2,000 + 30,000)·2 → 116 ≥ 80 ms), TTFT allows → hold")
    func itlRefuses() {
        let d = Self.tick([Self.engine(1, queuedKV: 30000), Self.engine(2, queuedKV: 30000)])
        #expect(!d.scales)
    }

    @Test("queued prefill counts as future KV in the ITL check: (2,000 + 11,000 + 2,000)·2 → 82 ≥ 80 ms holds; without it 78 ms → N−1")
    func queuedPrefillIsFutureKV() {
        let withPrefill = Self.tick([Self.engine(1, queuedPrefill: 2000, queuedKV: 11000), Self.engine(2, queuedPrefill: 2000, queuedKV: 11000)])
        #expect(!withPrefill.scales)
        let without = Self.tick([Self.engine(1, queuedKV: 11000), Self.engine(2, queuedKV: 11000)])
        #expect(without.decode == 1)
    }

    @Test("observe only while expected ≠ ready")
    func inProgress() {
        let d = Self.tick([Self.engine(1, queuedPrefill: 8000), Self.engine(2, queuedPrefill: 8000)], expected: 3)
        #expect(!d.scales && d.reason.contains("scaling in progress"))
    }

    /// `find_best_engine_agg_rps` at ISL 1,000, OSL 100: a batch of B carries min(10·B, 8,192) prefill
    /// tokens and 1,050·B KV, so an iteration is 10 + 1.25·B ms and the TTFT estimate (10·B + 2,000
    /// tokens in one chunk) 50 + 1.25·B ms. ITL 101 ms binds at B = 72 (7.2 req/s); TTFT 121 ms binds
    /// at B = 56 (56/(100·0.08) = 7 req/s). 50 req/s → ⌈6.94⌉ = 7 and ⌈7.14⌉ = 8 engines.
    @Test("agg throughput: the batch sweep stops at the first batch over either SLA; Little's law gives the engines")
    func aggThroughput() {
        func engines(ttft: Double, itl: Double) -> (Int?, Double) {
            var p = Self.planner(ttft: ttft, itl: itl, load: false)
            let rate = p.aggModel.bestEngineRate(
                isl: 1000, osl: 100, maxNumBatchedTokens: 8192, ttftMilliseconds: ttft, itlMilliseconds: itl, maxKVTokens: 1_000_000,
                maxNumSeqs: 256, kvHitRate: nil)
            let d = p.throughputTick(DynamoTrafficWindow(
                requestCount: 3000, ttft: 0.1, itl: 0.05, isl: 1000, osl: 100, requestDuration: 5, seconds: 60))
            return (d.decode, rate.rps)
        }
        let itlBound = engines(ttft: 500, itl: 101)
        #expect(abs(itlBound.1 - 7.2) < 1e-9 && itlBound.0 == 7)
        let ttftBound = engines(ttft: 121, itl: 500)
        #expect(abs(ttftBound.1 - 7.0) < 1e-9 && ttftBound.0 == 8)
    }
}

