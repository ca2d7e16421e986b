import HeadroomEngine
import Testing

@testable import Headroom

/// The 2026 planner's throughput loop (`core/throughput_scaling.py`@0c9050c) and the perf models
/// behind it (`core/perf_model/{prefill,decode}.py`), on regressions fitted to exact linear data.
struct DynamoThroughputLoopTests {
    static let prefillCaps = DynamoEngineCapabilities(maxNumBatchedTokens: 8192, maxKVTokens: 1_000_000, maxNumSeqs: 256, gpus: 1)
    static let decodeCaps = DynamoEngineCapabilities(maxNumBatchedTokens: 8192, maxKVTokens: 1_000_000, maxNumSeqs: 256, gpus: 1)

    static func spec(load: Bool = false, ttft: Double = 500, itl: Double = 50) -> DynamoPlannerSpec {
        var spec = DynamoPlannerSpec()
        spec.loadPredictor = .constant
        spec.enableLoadScaling = load
        spec.maxGPUBudget = -1
        spec.ttft = ttft
        spec.itl = itl
        return spec
    }

    /// Prefill wall = 10 ms + 20 µs/token at 1,000…5,000 tokens (mean ISL 3,000); decode wall =
    /// 5 ms + 0.5 ms/request + 1 µs/KV token at (1, 1000), (1, 3000), (3, 3000), (3, 9000), (2, 4000)
    /// (mean 2 requests of 2,000 tokens).
    static func planner(_ spec: DynamoPlannerSpec, prefill: DynamoEngineCapabilities = prefillCaps,
                        decode: DynamoEngineCapabilities = decodeCaps) -> DynamoPlanner2026 {
        var p = DynamoPlanner2026(spec: spec, prefill: prefill, decode: decode)
        p.observe(prefill: prefillSamples, decode: decodeSamples)
        return p
    }

    static let prefillSamples = [1000, 2000, 3000, 4000, 5000].map {
        DynamoEngineLoad(workerID: 0, wallTime: 0.01 + 2e-5 * Double($0), scheduledPrefillTokens: $0, scheduledPrefillRequests: 1)
    }
    static let decodeSamples = [(1, 1000), (1, 3000), (3, 3000), (3, 9000), (2, 4000)].map { (r, kv) in
        DynamoEngineLoad(
            workerID: 0, wallTime: 0.005 + 0.0005 * Double(r) + 1e-6 * Double(kv), scheduledDecodeRequests: r,
            scheduledDecodeKVTokens: kv)
    }

    static func window(_ requests: Double, isl: Double, osl: Double, hit: Double? = nil) -> DynamoTrafficWindow {
        DynamoTrafficWindow(requestCount: requests, ttft: 0.1, itl: 0.01, isl: isl, osl: osl, requestDuration: 5, seconds: 60,
                            kvHitRate: hit)
    }

    @Test("the regressions recover exact linear data; averages are the samples' means")
    func fits() throws {
        let p = Self.planner(Self.spec())
        let c = try #require(p.prefillModel.regression.coefficients)
        #expect(abs(c.intercept - 0.01) < 1e-12 && abs(c.c0 - 2e-5) < 1e-15)
        let d = try #require(p.decodeModel.regression.coefficients)
        #expect(abs(d.intercept - 0.005) < 1e-12 && abs(d.c0 - 0.0005) < 1e-12 && abs(d.c1 - 1e-6) < 1e-15)
        #expect(abs(p.prefillModel.averageISL.value - 3000) < 1e-9)
        #expect(abs(p.decodeModel.averageDecodeLength.value - 2000) < 1e-9)
        #expect(abs(p.decodeModel.averageDecodeRequests.value - 2) < 1e-12)
    }

    @Test("prefill: 90 req/s at ISL 3,000 → wall 70 ms → ⌈90·0.07⌉ = 7; a 50 % hit rate halves the ISL → ⌈90·0.04⌉ = 4")
    func prefillFloorFromDemand() {
        var p = Self.planner(Self.spec())
        let d = p.throughputTick(Self.window(5400, isl: 3000, osl: 200))
        #expect(d.prefill == 7)
        var q = Self.planner(Self.spec())
        let e = q.throughputTick(Self.window(5400, isl: 3000, osl: 200, hit: 0.5))
        #expect(e.prefill == 4)
    }

    @Test("prefill: a 3,000-token prompt over 1,024-token chunks takes 2·wall(1024) + wall(952) = 90 ms > 50 ms → latency floor 2")
    func prefillChunkedLatencyFloor() {
        let caps = DynamoEngineCapabilities(maxNumBatchedTokens: 1024, maxKVTokens: 1_000_000, maxNumSeqs: 256, gpus: 1)
        let p = Self.planner(Self.spec(ttft: 50), prefill: caps)
        let rate = p.prefillModel.bestEngineRate(isl: 3000, maxNumBatchedTokens: 1024)
        #expect(abs(rate.ttftMilliseconds - 90) < 1e-9)
        #expect(p.prefillReplicas(demand: 1, isl: 3000, hitRate: nil) == 2)
    }

    @Test("decode: binary search finds B = 28 (5 + 1.6·28 = 49.8 ms ≤ 50), Little's law 28/(200·0.0498) → ⌈32.01⌉ = 33")
    func decodeBinarySearch() {
        let p = Self.planner(Self.spec())
        let rate = p.decodeModel.bestEngineRate(itlMilliseconds: 50, context: 1100, osl: 200, maxKVTokens: 1_000_000, maxNumSeqs: 256)
        #expect(rate.batch == 28)
        #expect(abs(rate.rps - 28 / (200 * 0.0498)) < 1e-9)
        #expect(p.decodeReplicas(demand: 90, isl: 1000, osl: 200) == 33)
    }

    @Test("decode: max_num_seqs 16 caps the batch (16/(200·0.0306) → ⌈34.4⌉ = 35); batch 1 over the SLA still gives batch 1's rate")
    func decodeCaps() {
        let caps = DynamoEngineCapabilities(maxNumBatchedTokens: 8192, maxKVTokens: 1_000_000, maxNumSeqs: 16, gpus: 1)
        let p = Self.planner(Self.spec(), decode: caps)
        #expect(p.decodeReplicas(demand: 90, isl: 1000, osl: 200) == 35)
        let tight = p.decodeModel.bestEngineRate(itlMilliseconds: 5, context: 1100, osl: 200, maxKVTokens: 1_000_000, maxNumSeqs: 16)
        #expect(tight.batch == 1 && abs(tight.rps - 1 / (200 * 0.0066)) < 1e-9)
        // The KV cap: 20,000 tokens hold ⌊20000/1100⌋ = 18 sequences.
        let small = p.decodeModel.bestEngineRate(itlMilliseconds: 50, context: 1100, osl: 200, maxKVTokens: 20_000, maxNumSeqs: 256)
        #expect(small.batch == 18)
    }

    @Test("disagg without load scaling scales to (P, D); with it only the floors move")
    func floorsOnly() {
        var p = Self.planner(Self.spec())
        let d = p.throughputTick(Self.window(5400, isl: 1000, osl: 200))
        // Prefill wall(1000) = 30 ms → ⌈90·0.03⌉ = 3 (2.7); decode as above, 33.
        #expect(d.prefill == 3 && d.decode == 33)
        var q = Self.planner(Self.spec(load: true))
        let e = q.throughputTick(Self.window(5400, isl: 1000, osl: 200))
        #expect(!e.scales && q.prefillFloor == 3 && q.decodeFloor == 33)
    }

    @Test("no decision before the regressions have load_min_observations (5) samples")
    func notReady() {
        var p = DynamoPlanner2026(spec: Self.spec(), prefill: Self.prefillCaps, decode: Self.decodeCaps)
        p.observe(prefill: Array(Self.prefillSamples.prefix(4)), decode: Self.decodeSamples)
        #expect(!p.throughputTick(Self.window(5400, isl: 1000, osl: 200)).scales)
    }

    @Test("the budget applies when throughput scaling acts alone")
    func budget() {
        var spec = Self.spec()
        spec.maxGPUBudget = 8
        var p = Self.planner(spec)
        let d = p.throughputTick(Self.window(5400, isl: 1000, osl: 200))
        // (3, 33): s = 8/36, P = ⌊0.67⌋ → 1, D = 7.
        #expect(d.prefill == 1 && d.decode == 7)
    }

    @Test("bootstrapped from the H100 profile, the regressions are ready and plans are deterministic")
    func bootstrapped() throws {
        let h100 = try #require(HardwareProfile.builtIn(named: "h100-llama3-8b"))
        let caps = DynamoEngineCapabilities(maxNumBatchedTokens: 8192, maxKVTokens: 400_000, maxNumSeqs: 256, gpus: 1)
        var a = DynamoPlanner2026.bootstrapped(
            spec: Self.spec(), prefillProfile: h100, prefill: caps, decodeProfile: h100, decode: caps)
        var b = a
        #expect(a.prefillModel.regression.coefficients != nil && a.decodeModel.regression.coefficients != nil)
        let w = Self.window(3600, isl: 3000, osl: 150)
        let x = a.throughputTick(w)
        #expect(x == b.throughputTick(w))
        #expect((x.prefill ?? 0) >= 1 && (x.decode ?? 0) >= 1)
        var spec = Self.spec()
        spec.mode = .agg
        var agg = DynamoPlanner2026.bootstrapped(spec: spec, prefillProfile: h100, prefill: caps, decodeProfile: h100, decode: caps)
        #expect(agg.aggModel.regression.coefficients != nil)
        #expect((agg.throughputTick(w).decode ?? 0) >= 1)
    }
}
