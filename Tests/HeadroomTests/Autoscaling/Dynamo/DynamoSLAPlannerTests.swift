import HeadroomEngine
import Testing

@testable import Headroom

/// A profile answering fixed figures, as upstream's tests mock the interpolators
/// (`tests/planner/test_replica_calculation.py`@002a7c3: 40,000 prefill tok/s/GPU, TTFT 80 ms,
/// ITL 10 ms, decode 10,000 tok/s/GPU).
struct FixedEngine: DynamoProfiledEngine {
    var ttft = 80.0, prefillPerGPU = 40_000.0, itl = 10.0, decodePerGPU = 10_000.0
    func prefillTTFT(isl: Double) -> Double { ttft }
    func prefillThroughputPerGPU(isl: Double) -> Double { prefillPerGPU }
    func decodeITL(concurrency: Double, context: Double) -> Double { itl }
    func decodeThroughputPerGPU(concurrency: Double, context: Double) -> Double { decodePerGPU }
    var islRange: ClosedRange<Double> { 100...8000 }
    var maxContextLength: Double { 9900 }
    var maxKVTokens: Double { 99_000 }
}

/// The classic SLA planner (`utils/planner_core.py`, `prefill_planner.py`, `decode_planner.py`).
struct DynamoSLAPlannerTests {
    static func spec(interval: Double = 60, budget: Int = 10, minEndpoint: Int = 1, itl: Double = 10, gpus: (Int, Int) = (1, 1))
        -> DynamoPlannerSpec
    {
        var spec = DynamoPlannerSpec()
        spec.generation = .sla2025
        spec.throughputAdjustmentInterval = interval
        spec.maxGPUBudget = budget
        spec.minEndpoint = minEndpoint
        spec.ttft = 80
        spec.itl = itl
        spec.loadPredictor = .constant
        (spec.prefillEngineNumGPU, spec.decodeEngineNumGPU) = gpus
        return spec
    }

    static func fixed(_ spec: DynamoPlannerSpec, _ engine: FixedEngine = FixedEngine()) -> DynamoSLAPlanner<FixedEngine> {
        DynamoSLAPlanner(spec: spec, prefillTables: DynamoProfileTables(engine: engine), decodeTables: DynamoProfileTables(engine: engine))
    }

    /// `Metrics(num_req, isl=3000, osl=150, ttft=80.0, itl=10.0, request_duration=100.0)`.
    static func window(_ requests: Double, isl: Double = 3000, osl: Double = 150, ttft: Double = 0.080, itl: Double = 0.010,
                       duration: Double = 100, seconds: Double = 60) -> DynamoTrafficWindow {
        DynamoTrafficWindow(requestCount: requests, ttft: ttft, itl: itl, isl: isl, osl: osl, requestDuration: duration, seconds: seconds)
    }

    static let oneEach = DynamoWorkerCounts(readyPrefill: 1, expectedPrefill: 1, readyDecode: 1, expectedDecode: 1)

    @Test("low and high load: (10 req, 10,000 tok/s/GPU) → 1P 1D, (500, 1,000) → 1P 2D (test_scaling_scenario_low_to_high_load)")
    func lowToHigh() {
        var low = Self.fixed(Self.spec())
        let a = low.plan(window: Self.window(10), workers: Self.oneEach)
        #expect(a.prefill == 1 && a.decode == 1)
        #expect(low.prefillCorrection == 1 && low.decodeCorrection == 1)
        var high = Self.fixed(Self.spec(), FixedEngine(decodePerGPU: 1000))
        // ⌈500·3000/60/40000⌉ = ⌈0.625⌉ = 1; ⌈500·150/60/1000⌉ = ⌈1.25⌉ = 2.
        let b = high.plan(window: Self.window(500), workers: Self.oneEach)
        #expect(b.prefill == 1 && b.decode == 2)
    }

    @Test("multi-GPU engines divide by GPUs per engine: 20 req → ⌈0.25/2⌉, ⌈1/4⌉ (test_multi_gpu_engines)")
    func multiGPU() {
        var p = Self.fixed(Self.spec(gpus: (2, 4)), FixedEngine(decodePerGPU: 5000))
        let d = p.plan(window: Self.window(20), workers: Self.oneEach)
        #expect(d.prefill == 1 && d.decode == 1)
        var heavy = Self.fixed(Self.spec(budget: -1, gpus: (2, 4)), FixedEngine(decodePerGPU: 5000))
        // ⌈4000·3000/60/40000/2⌉ = ⌈2.5⌉ = 3; ⌈4000·150/60/5000/4⌉ = ⌈0.5⌉ = 1.
        let e = heavy.plan(window: Self.window(4000), workers: Self.oneEach)
        #expect(e.prefill == 3 && e.decode == 1)
    }

    @Test("min_endpoint 2 holds both at 2 under light load (test_min_endpoint_constraint)")
    func minEndpoint() {
        var p = Self.fixed(Self.spec(minEndpoint: 2))
        let d = p.plan(window: Self.window(1, isl: 100, osl: 10), workers: Self.oneEach)
        #expect(d.prefill == 2 && d.decode == 2)
    }

    @Test("a NaN window mean plans nothing, but the predictors still take the readings (test_planner_scaledown_nan)")
    func nanSkips() {
        var p = Self.fixed(Self.spec())
        let d = p.plan(window: Self.window(5, ttft: .nan), workers: Self.oneEach)
        #expect(!d.scales)
        #expect(p.requests.history == [5])
        let e = p.plan(window: Self.window(.nan, isl: .nan, osl: .nan, ttft: .nan, itl: .nan), workers: Self.oneEach)
        #expect(!e.scales && p.requests.history == [5, 0])
    }

    /// Linear profile: TTFT = 20 + 0.02·ISL ms, ITL = 5 + 0.001·(kv tokens) ms; max_kv 99,000 and
    /// max context 9,900 put grid column ix at 1,000·ix KV tokens (ITL 5 + ix ms) and row iy at
    /// context 100·iy. Window: 1,400 requests over 60 s, ISL 3,000, OSL 150, TTFT 64 ms, ITL 57.6 ms,
    /// 1.2 s per request, 2 decode workers.
    static let linear = DynamoLinearEngine(
        ttftBase: 20, ttftPerToken: 0.02, itlBase: 5, itlPerKVToken: 0.001, islRange: 100...8000, maxContextLength: 9900,
        maxKVTokens: 99_000)

    static func linearPlanner(_ spec: DynamoPlannerSpec) -> DynamoSLAPlanner<DynamoLinearEngine> {
        DynamoSLAPlanner(spec: spec, prefillTables: DynamoProfileTables(engine: linear), decodeTables: DynamoProfileTables(engine: linear))
    }

    @Test("worked example: p_corr = 64/80, d_corr = 57.6/48, ITL target 50/1.2 → column 36 → 2P + 13D")
    func workedExample() {
        var spec = Self.spec(budget: -1, itl: 50)
        spec.ttft = 500
        var p = Self.linearPlanner(spec)
        let workers = DynamoWorkerCounts(readyPrefill: 1, expectedPrefill: 1, readyDecode: 2, expectedDecode: 2)
        let d = p.plan(window: Self.window(1400, ttft: 0.064, itl: 0.0576, duration: 1.2), workers: workers)
        // Prefill: expected TTFT(3000) = 80 ms → p_corr 0.8; need 1400·3000/60·0.8 = 56,000 tok/s over
        // 3000/0.080 = 37,500 per GPU → ⌈1.493⌉ = 2.
        #expect(abs(p.prefillCorrection - 0.8) < 1e-12)
        // Decode: concurrency 1400/2·1.2/60 = 14 at context 3075 → usage 0.4348 → column 43, row 31 → 48 ms.
        #expect(abs(p.decodeCorrection - 1.2) < 1e-9)
        // 50/1.2 = 41.67 ms: the highest column with 5 + ix ≤ 41.67 is 36 (ITL 41 ms, concurrency
        // 36,000/3,100), so 11.61/0.041 = 283.2 tok/s/GPU; ⌈3500/283.2⌉ = 13.
        let best = p.decodeTables.bestThroughputPerGPU(itlTarget: 50 / 1.2, context: 3075)
        #expect(abs(best.kvUsage - 36.0 / 99) < 1e-12)
        #expect(abs(best.itl - 41) < 1e-9)
        #expect(abs(best.throughput - (36_000.0 / 3100) / 0.041) < 1e-6)
        #expect(d.prefill == 2 && d.decode == 13)
    }

    @Test("the prefill correction is capped at 1: TTFT 100 ms (p_corr 1.25) plans as 1 (test_prefill_correction_factor_clamping)")
    func prefillCap() {
        var spec = Self.spec(budget: -1, itl: 50)
        spec.ttft = 500
        var p = Self.linearPlanner(spec)
        let d = p.plan(window: Self.window(1400, ttft: 0.100, itl: 0.048, duration: 1.2), workers: DynamoWorkerCounts(
            readyPrefill: 1, expectedPrefill: 1, readyDecode: 2, expectedDecode: 2))
        #expect(abs(p.prefillCorrection - 1.25) < 1e-12)
        // ⌈70,000/37,500⌉ = 2; uncapped it would be ⌈87,500/37,500⌉ = 3.
        #expect(d.prefill == 2)
    }

    @Test("d_corr ≤ 0 falls back to the plain ITL target (test_decode_correction_factor_zero_handling)")
    func decodeCorrectionZero() {
        var p = Self.linearPlanner(Self.spec(budget: -1, itl: 50))
        let workers = DynamoWorkerCounts(readyPrefill: 1, expectedPrefill: 1, readyDecode: 2, expectedDecode: 2)
        let d = p.plan(window: Self.window(1400, itl: 0, duration: 1.2), workers: workers)
        #expect(p.decodeCorrection == 0)
        // Target 50 ms: column 45 (concurrency 45,000/3,100 at 50 ms) → 290.3 tok/s/GPU → ⌈12.06⌉ = 13.
        let best = p.decodeTables.bestThroughputPerGPU(itlTarget: 50, context: 3075)
        #expect(d.decode == Int((3500 / best.throughput).rounded(.up)))
        #expect(abs(best.kvUsage - 45.0 / 99) < 1e-12)
    }

    @Test("no_correction keeps both factors at 1")
    func noCorrection() {
        var spec = Self.spec(budget: -1, itl: 50)
        spec.noCorrection = true
        var p = Self.linearPlanner(spec)
        _ = p.plan(window: Self.window(1400, ttft: 0.5, itl: 0.5, duration: 1.2), workers: Self.oneEach)
        #expect(p.prefillCorrection == 1 && p.decodeCorrection == 1)
    }

    @Test("with no decode worker the decode correction keeps its last value")
    func noDecodeWorker() {
        var p = Self.linearPlanner(Self.spec(budget: -1, itl: 50))
        _ = p.plan(window: Self.window(1400, itl: 0.0576, duration: 1.2), workers: DynamoWorkerCounts(
            readyPrefill: 1, expectedPrefill: 1, readyDecode: 0, expectedDecode: 1))
        #expect(p.decodeCorrection == 1)
    }

    @Test("find_best_throughput_per_gpu: no cell meets the target → cell 0 of the row")
    func bestFallsToCellZero() {
        let tables = DynamoProfileTables(engine: Self.linear)
        let best = tables.bestThroughputPerGPU(itlTarget: 1, context: 3075)
        #expect(best.kvUsage == 0 && best.itl == 5)
    }

    @Test("ISL lookups clamp into the profiled range")
    func islClamp() {
        let tables = DynamoProfileTables(engine: Self.linear)
        #expect(tables.ttft(isl: 50_000) == 20 + 0.02 * 8000)
        #expect(tables.ttft(isl: 1) == 20 + 0.02 * 100)
    }
}

/// The GPU budget (`_apply_global_gpu_budget`, `_apply_component_gpu_budget`, planner_core.py@002a7c3).
struct DynamoGPUBudgetTests {
    @Test("within budget: unchanged; a negative budget disables the clamp")
    func within() {
        let b = DynamoGPUBudget(maxGPUBudget: 8, minEndpoint: 1, prefillGPUs: 1, decodeGPUs: 1)
        #expect(b.apply(prefill: 3, decode: 5) == (3, 5))
        let off = DynamoGPUBudget(maxGPUBudget: -1, minEndpoint: 1, prefillGPUs: 1, decodeGPUs: 1)
        #expect(off.apply(prefill: 100, decode: 200) == (100, 200))
        #expect(off.apply(500, gpusPerEngine: 8) == 500)
    }

    @Test("over budget: s = 8/16, P = ⌊6·0.5⌋ = 3, D = 8 − 3 = 5")
    func proportional() {
        let b = DynamoGPUBudget(maxGPUBudget: 8, minEndpoint: 1, prefillGPUs: 1, decodeGPUs: 1)
        #expect(b.apply(prefill: 6, decode: 10) == (3, 5))
    }

    @Test("multi-GPU: 4P·2 + 4D·4 = 24 > 16: P = ⌊4·⅔⌋ = 2, D = ⌊(16 − 4)/4⌋ = 3 (test_complex_gpu_budget_scaling)")
    func multiGPU() {
        let b = DynamoGPUBudget(maxGPUBudget: 16, minEndpoint: 1, prefillGPUs: 2, decodeGPUs: 4)
        #expect(b.apply(prefill: 4, decode: 4) == (2, 3))
        let (p, d) = DynamoGPUBudget(maxGPUBudget: 5, minEndpoint: 1, prefillGPUs: 2, decodeGPUs: 2).apply(prefill: 5, decode: 5)
        #expect(p * 2 + d * 2 <= 5 && p >= 1 && d >= 1)
    }

    @Test("P is capped so min_endpoint decode engines still fit: ⌊(8 − 1·4)/1⌋ = 4")
    func prefillCap() {
        let b = DynamoGPUBudget(maxGPUBudget: 8, minEndpoint: 1, prefillGPUs: 1, decodeGPUs: 4)
        // total 20·1 + 1·4 = 24, s = ⅓, ⌊20/3⌋ = 6 > 4 → P = 4, D = ⌊(8 − 4)/4⌋ = 1.
        #expect(b.apply(prefill: 20, decode: 1) == (4, 1))
    }

    @Test("a budget below min_endpoint of each gives (0, 0); one component gives 0")
    func zero() {
        let b = DynamoGPUBudget(maxGPUBudget: 1, minEndpoint: 1, prefillGPUs: 1, decodeGPUs: 1)
        #expect(b.apply(prefill: 1, decode: 1) == (0, 0))
        #expect(DynamoGPUBudget(maxGPUBudget: 3, minEndpoint: 1, prefillGPUs: 4, decodeGPUs: 1).apply(2, gpusPerEngine: 4) == 0)
    }

    @Test("one component: max(desired, min_endpoint), over budget ⌊budget/g⌋")
    func single() {
        let b = DynamoGPUBudget(maxGPUBudget: 8, minEndpoint: 1, prefillGPUs: 1, decodeGPUs: 1)
        #expect(b.apply(10, gpusPerEngine: 2) == 4)
        #expect(b.apply(0, gpusPerEngine: 2) == 1)
        #expect(b.apply(3, gpusPerEngine: 2) == 3)
    }
}

/// The profiler run against Headroom's step-time model.
struct DynamoStepTimeEngineTests {
    /// Linear form: base 10 ms, 10 µs per prefill token, 100 ns per cached context token.
    static let profile = HardwareProfile(
        name: "t", source: "test", base: .milliseconds(10), perSequence: .zero, perPrefillToken: .microseconds(10),
        perContextToken: SimTime(nanoseconds: 100))
    static let engine = DynamoStepTimeEngine(
        profile: profile, capabilities: DynamoEngineCapabilities(maxNumBatchedTokens: 512, maxKVTokens: 100_000, maxNumSeqs: 256, gpus: 2),
        islRange: 100...8000, maxContextLength: 8000)

    @Test("prefill TTFT: 1,000 tokens in chunks of 512 and 488 = (10 + 5.12) + (10 + 4.88 + 0.0512) ms")
    func prefill() {
        #expect(abs(Self.engine.prefillTTFT(isl: 1000) - 30.0512) < 1e-9)
        #expect(abs(Self.engine.prefillThroughputPerGPU(isl: 1000) - 1000 / 0.0300512 / 2) < 1e-6)
    }

    @Test("decode ITL: 8 sequences of 1,000 tokens = 10 + 0.1·8 ms; throughput 8/ITL/GPUs")
    func decode() {
        #expect(abs(Self.engine.decodeITL(concurrency: 8, context: 1000) - 10.8) < 1e-9)
        #expect(abs(Self.engine.decodeThroughputPerGPU(concurrency: 8, context: 1000) - 8 / 0.0108 / 2) < 1e-6)
        #expect(Self.engine.decodeITL(concurrency: 0, context: 1000) == Self.engine.decodeITL(concurrency: 1, context: 1000))
    }

    @Test("a classic planner on the built-in H100 profile plans within the budget and is deterministic")
    func builtIn() throws {
        let h100 = try #require(HardwareProfile.builtIn(named: "h100-llama3-8b"))
        let engine = DynamoStepTimeEngine(
            profile: h100, capabilities: DynamoEngineCapabilities(maxNumBatchedTokens: 8192, maxKVTokens: 400_000, maxNumSeqs: 256, gpus: 1),
            islRange: 128...16_384, maxContextLength: 16_384)
        var spec = DynamoPlannerSpec()
        spec.generation = .sla2025
        var a = DynamoSLAPlanner(spec: spec, prefillTables: DynamoProfileTables(engine: engine), decodeTables: DynamoProfileTables(engine: engine))
        var b = a
        let workers = DynamoWorkerCounts(readyPrefill: 1, expectedPrefill: 1, readyDecode: 1, expectedDecode: 1)
        let w = DynamoSLAPlannerTests.window(3000, isl: 3000, osl: 150, ttft: 0.3, itl: 0.02, duration: 4, seconds: 180)
        let x = a.plan(window: w, workers: workers), y = b.plan(window: w, workers: workers)
        #expect(x == y)
        let p = try #require(x.prefill), d = try #require(x.decode)
        #expect(p >= 1 && d >= 1 && p + d <= 8)
    }
}
