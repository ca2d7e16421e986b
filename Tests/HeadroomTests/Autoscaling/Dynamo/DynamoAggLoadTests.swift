import Testing

@testable import Headroom

/// The 2026 load loop in aggregated mode (`_advance_load_agg`, `_agg_prefill_scaling`,
/// `_agg_decode_scaling` in `core/load_scaling.py`@0c6da1e): one regression of wall time on
/// (prefill tokens, decode KV); up if either the TTFT or the ITL rule says up, down only if both
/// allow it. Wall = 10 ms + 20 µs/prefill token + 1 µs/KV token; means 2,000 prompt tokens, 2,000
/// KV tokens per request, 2,000 prefill tokens per iteration. TTFT SLA 200 ms, ITL SLA 100 ms.
struct DynamoAggLoadTests {
    static let caps = DynamoEngineCapabilities(maxNumBatchedTokens: 8192, maxKVTokens: 1_000_000, maxNumSeqs: 256, gpus: 1)

    static func planner() -> DynamoPlanner2026 {
        var spec = DynamoThroughputLoopTests.spec(load: true, ttft: 200, itl: 100)
        spec.mode = .agg
        spec.enableThroughputScaling = false
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
}
