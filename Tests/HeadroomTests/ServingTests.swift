import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

@Suite("Serving: iteration-level continuous batching")
struct ServingTests {
    /// Requests that ran alone (the previous one had left, the next came after they finished)
    /// are hand-computable.
    func isolated(_ result: RunResult) -> [RequestRecord] {
        let records = result.requests
        return records.indices.filter { i in
            guard let finished = records[i].finished else { return false }
            let afterPrevious = records[..<i].allSatisfy { ($0.finished ?? .infinity) < records[i].arrival }
            let beforeNext = i + 1 == records.count || records[i + 1].arrival > finished
            return afterPrevious && beforeNext
        }.map { records[$0] }
    }

    @Test("a request alone: TTFT = base + per_seq + per_prefill_token × prompt; each further token base + per_seq")
    func aloneOnIdleReplica() {
        let scenario = TestScenario.make(duration: .seconds(2000), arrivals: .poisson(rate: 0.1), prompt: .constant(100), output: .constant(20))
        let result = Simulation.run(scenario, options: RunOptions(requestSample: 1000))
        let alone = isolated(result)
        #expect(alone.count > 100)
        for record in alone {
            // 10 ms + 1 ms + 0.1 ms × 100 = 21 ms; then 19 tokens × 11 ms.
            #expect(abs(record.firstToken! - record.arrival - 0.021) < 1e-9)
            #expect(abs(record.finished! - record.firstToken! - 19 * 0.011) < 1e-9)
            #expect(record.admitted == record.arrival)
        }
    }

    @Test("context cost: decode iteration j reads prompt + j − 1 cached tokens")
    func contextCost() {
        var profile = TestScenario.simpleProfile
        profile.perContextToken = .microseconds(1)
        let scenario = TestScenario.make(
            duration: .seconds(2000), arrivals: .poisson(rate: 0.1), prompt: .constant(100), output: .constant(20), profile: profile)
        let result = Simulation.run(scenario, options: RunOptions(requestSample: 1000))
        for record in isolated(result) {
            #expect(abs(record.firstToken! - record.arrival - 0.021) < 1e-9)
            // 19 × 11 ms + Σ_{j=0}^{18} (100 + j) µs = 209 ms + 2.071 ms
            #expect(abs(record.finished! - record.firstToken! - 0.211071) < 1e-9)
        }
    }

    @Test("a one-token output finishes at the end of its prefill iteration")
    func singleToken() {
        let scenario = TestScenario.make(duration: .seconds(500), arrivals: .poisson(rate: 0.1), prompt: .constant(50), output: .constant(1))
        let result = Simulation.run(scenario, options: RunOptions(requestSample: 100))
        for record in isolated(result) { #expect(record.finished == record.firstToken) }
        #expect(result.summary.itl.count == 0)
    }

    @Test("chunked prefill splits a long prompt over iterations of max_num_batched_tokens")
    func chunkedPrefill() {
        let engine = EngineSpec(maxNumSeqs: 8, maxNumBatchedTokens: 256, chunkedPrefill: true, kvCacheTokens: .unlimited)
        let scenario = TestScenario.make(
            duration: .seconds(1000), arrivals: .poisson(rate: 0.1), prompt: .constant(1000), output: .constant(2), engine: engine)
        let result = Simulation.run(scenario, options: RunOptions(requestSample: 200))
        for record in isolated(result) {
            // Chunks 256, 256, 256, 232: 4 × (10 + 1) ms + 0.1 ms × 1000.
            #expect(abs(record.firstToken! - record.arrival - (0.044 + 0.1)) < 1e-9)
        }
    }

    @Test("KV pressure preempts the youngest sequence; everything still finishes or is accounted for")
    func kvPreemption() {
        let engine = EngineSpec(maxNumSeqs: 16, maxNumBatchedTokens: 2048, kvCacheTokens: .tokens(3000))
        let scenario = TestScenario.make(
            duration: .seconds(120), arrivals: .poisson(rate: 1), prompt: .constant(400), output: .constant(600), engine: engine)
        let result = Simulation.run(scenario)
        #expect(result.summary.preemptions > 0)
        #expect(result.brokenInvariant == nil, "\(result.brokenInvariant ?? "")")
        // ~120 arrive; the 3,000-token cache holds ~3 at a time, so ~45 finish in the 2 minutes.
        let counts = result.summary.requests
        #expect(counts.finished > 30)
        #expect(counts.finished + counts.dropped + counts.inFlight == counts.arrived)
    }

    @Test("preemptions on a replica that has since been scaled away still count")
    func preemptionsOfGoneReplicas() {
        /// One warm replica until `until`, none after.
        struct OneThenNone: ScalingPolicy {
            let until: SimTime
            var syncPeriod: SimTime? { .seconds(1) }
            var startsWarm: Bool { true }
            func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
                ScalingDecision(desiredReplicas: now < until ? 1 : 0, reason: "test")
            }
        }
        let engine = EngineSpec(maxNumSeqs: 16, maxNumBatchedTokens: 2048, kvCacheTokens: .tokens(3000))
        var scenario = TestScenario.make(
            duration: .seconds(60), arrivals: .poisson(rate: 1), prompt: .constant(400), output: .constant(600), engine: engine)
        let whileServing = Simulation.run(scenario, options: RunOptions(policy: OneThenNone(until: .seconds(1_000))))
        scenario.duration = .seconds(600)
        let scaledAway = Simulation.run(scenario, options: RunOptions(policy: OneThenNone(until: .seconds(60))))
        #expect(whileServing.summary.preemptions > 0)
        #expect(scaledAway.series.last.map { $0.replicas.ready + $0.replicas.draining } == 0, "the replica must be gone by the end")
        #expect(scaledAway.summary.preemptions >= whileServing.summary.preemptions)
    }

    @Test("requests that can never fit the KV cache are dropped on arrival with a reason")
    func tooLongForCache() {
        let engine = EngineSpec(kvCacheTokens: .tokens(500))
        let scenario = TestScenario.make(arrivals: .poisson(rate: 2), prompt: .constant(400), output: .constant(200), engine: engine)
        let result = Simulation.run(scenario)
        #expect(result.summary.requests.dropped == result.summary.requests.arrived)
        #expect(result.summary.requests.droppedByReason["exceeds_kv_cache"] == result.summary.requests.arrived)
    }

    @Test("the closed-form decode run equals the sum of its iterations; the boundary search is exact",
          arguments: HardwareProfile.Form.allCases)
    func stepTimeClosedForm(form: HardwareProfile.Form) {
        var profile = [.linear: TestScenario.simpleProfile, .knee: TestScenario.kneeProfile, .table: TestScenario.tableProfile][form]!
        profile.perContextToken = SimTime(nanoseconds: 37)
        let model = StepTimeModel(profile)
        var random = RandomStream(seed: 5, name: "step-time")
        for _ in 0..<200 {
            let batch = 1 + random.nextIndex(below: 64), context = Int64(random.nextIndex(below: 100_000))
            let n = 1 + random.nextIndex(below: 300)
            var sum: Int64 = 0
            var prefix: [Int64] = [0]
            for k in 0..<n {
                sum += model.iteration(batch: batch, decodes: batch, prefillTokens: 0, contextTokens: context + Int64(k * batch),
                                       prefillAttention: 0)
                prefix.append(sum)
            }
            #expect(model.decodeRun(batch: batch, contextTokens: context, iterations: n) == sum)
            let offset = Int64(random.nextIndex(below: Int(sum)))
            let k = model.iterationsToReach(offset: offset, batch: batch, contextTokens: context, limit: n)
            #expect(prefix[k] >= offset && (k == 1 || prefix[k - 1] < offset))
        }
    }
}

/// The table form's iteration time, term by term.
@Suite("Table-form iteration times")
struct TableStepTimeTests {
    @Test("the table interpolates between knots, holds below the first, extends the last segment; attention is the walk or the work")
    func shape() throws {
        let p = TestScenario.tableProfile
        // At a knot (512 tokens): 17 ms + 120 µs, and attention max(walk 0.4 µs × 512 = 204.8 µs, work 1.6 ps × 512 × 256 =
        // 209.7152 µs): the work.
        #expect(p.iterationTime(decodes: 0, prefills: [(512, 0)], decodeContext: 0)
                == SimTime(nanoseconds: 17_000_000 + 120_000 + 209_715))
        // Between knots (1,280 tokens: halfway from 512 to 2,048): (17 + 75) / 2 ms + (120 + 500) / 2 µs.
        let halfway = TokenCostTable.interpolate(p.tokenTable!.total, at: 1280, knots: p.tokenTable!.tokens)
        #expect(halfway == 46_000_000 + 310_000)
        // Below the first knot there is none (a batch has at least 1 token); beyond the last, the last slope:
        // 75.5 ms + (75.5 − 17.12) ms × 1,536 / 1,536.
        #expect(TokenCostTable.interpolate(p.tokenTable!.total, at: 3584, knots: p.tokenTable!.tokens) == 75_500_000 + 58_380_000)
        // A 64-token chunk after 100,000 cached: the walk (0.4 µs × 100,064 = 40.0256 ms) beats the work
        // (1.6 ps × 64 × 100,032 = 10.243 ms).
        #expect(p.iterationTime(decodes: 0, prefills: [(64, 100_000)], decodeContext: 0)
                == SimTime(nanoseconds: 8_100_000 + 20_000 + 40_025_600))
        // 16 decodes at 1,000 cached each and the per-context term: the cached prefix of a prefill is not
        // priced per context token in this form, the decoding sequences' context is.
        var q = p
        q.perContextToken = SimTime(nanoseconds: 10)
        let mixed = q.iterationTime(decodes: 16, prefills: [(48, 5000)], decodeContext: 16_000)
        let table = TokenCostTable.interpolate(p.tokenTable!.total, at: 64, knots: p.tokenTable!.tokens)
        #expect(mixed == SimTime(nanoseconds: table + 16 * 8000 + 16_000 * 10 + 400 * 5048))
    }

    @Test("the breakdown splits an iteration into linear operators, attention and communication that add up to it")
    func breakdown() {
        let p = TestScenario.tableProfile
        let prefill = p.breakdown(decodes: 0, prefills: [(512, 0)], decodeContext: 0)
        #expect(prefill.attention == SimTime(nanoseconds: 209_715) && prefill.communication == .microseconds(120))
        #expect(prefill.linear == .milliseconds(17) && prefill.total == p.iterationTime(decodes: 0, prefills: [(512, 0)], decodeContext: 0))
        var q = p
        q.perContextToken = SimTime(nanoseconds: 10)
        let decode = q.breakdown(decodes: 64, prefills: [], decodeContext: 64_000)
        #expect(decode.attention == .microseconds(640) && decode.communication == .microseconds(20))
        #expect(decode.linear == SimTime(nanoseconds: 8_100_000 + 64 * 8000) && decode.total == decode.linear + decode.attention + decode.communication)
        // The linear form: its context term is the attention, nothing is communication.
        var linear = TestScenario.simpleProfile
        linear.perContextToken = SimTime(nanoseconds: 100)
        let old = linear.breakdown(decodes: 2, prefills: [(100, 1000)], decodeContext: 500)
        #expect(old.attention == .microseconds(150) && old.communication == .zero && old.linear == .milliseconds(10 + 3 + 10))
    }

    @Test("a table is refused when it has too few knots, tokens out of order, ragged lists or a negative cost")
    func refused() {
        #expect(throws: TokenCostTable.Problem.tooFewKnots(1)) { try TokenCostTable(tokens: [1], linear: [.milliseconds(1)]) }
        #expect(throws: TokenCostTable.Problem.tokensNotIncreasing(index: 1)) {
            try TokenCostTable(tokens: [8, 8], linear: [.milliseconds(1), .milliseconds(2)])
        }
        #expect(throws: TokenCostTable.Problem.tokensNotIncreasing(index: 0)) {
            try TokenCostTable(tokens: [0, 8], linear: [.milliseconds(1), .milliseconds(2)])
        }
        #expect(throws: TokenCostTable.Problem.lengths(tokens: 2, linear: 2, communication: 1)) {
            try TokenCostTable(tokens: [1, 8], linear: [.milliseconds(1), .milliseconds(2)], communication: [.zero])
        }
        #expect(throws: TokenCostTable.Problem.negativeCost(index: 1)) {
            try TokenCostTable(tokens: [1, 8], linear: [.milliseconds(1), SimTime(nanoseconds: -1)])
        }
    }
}

/// The knee form's iteration time, term by term.
@Suite("Knee-form iteration times")
struct KneeStepTimeTests {
    @Test("flat below the knee, linear above, decoding sequences and prefill attention on top")
    func shape() {
        let p = TestScenario.kneeProfile
        // 100 prefill tokens: 2 ms + max(6 ms, 3 ms) + 100 µs + 1.6 ps × 100 × 50 = 8.108 ms.
        #expect(p.iterationTime(decodes: 0, prefills: [(100, 0)], decodeContext: 0) == SimTime(nanoseconds: 8_108_000))
        // 1,000 tokens past the knee: 2 ms + 30 ms + 1 ms + 1.6 ps × 1,000 × 500 = 33.8 ms.
        #expect(p.iterationTime(decodes: 0, prefills: [(1000, 0)], decodeContext: 0) == SimTime(nanoseconds: 33_800_000))
        // The same chunk after 10,000 cached tokens: + 1.6 ps × 1,000 × 10,000 = 16 ms more attention.
        #expect(p.iterationTime(decodes: 0, prefills: [(1000, 10_000)], decodeContext: 0) == SimTime(nanoseconds: 49_800_000))
        // 64 decodes: 2 ms + 6 ms + 64 µs + 512 µs.
        #expect(p.iterationTime(decodes: 64, prefills: [], decodeContext: 64 * 1000) == SimTime(nanoseconds: 8_576_000))
        // A mixed batch: 64 decodes and a 500-token chunk share the linear operators (564 tokens).
        #expect(p.iterationTime(decodes: 64, prefills: [(500, 0)], decodeContext: 0)
                == SimTime(nanoseconds: 2_000_000 + 564 * 30_000 + 564 * 1000 + 64 * 8000 + 1600 * 500 * 500 / 2000))
    }

    @Test("the linear form is untouched by the knee's terms")
    func linearUnchanged() {
        var p = TestScenario.simpleProfile
        p.weightRead = .seconds(1)
        p.perAttentionUnitPicoseconds = 1_000_000
        #expect(p.iterationTime(batch: 3, prefillTokens: 100, contextTokens: 500) == SimTime(nanoseconds: 10_000_000 + 3_000_000 + 10_000_000))
    }

    @Test("a huge prefill attention saturates instead of trapping")
    func saturates() {
        var p = TestScenario.kneeProfile
        p.perAttentionUnitPicoseconds = 1_000_000_000
        p.perAttentionKeyPicoseconds = 1_000_000_000
        let model = StepTimeModel(p)
        #expect(model.iteration(batch: 1, decodes: 0, prefillTokens: 1, contextTokens: 0, prefillAttention: .max / 2) > 0)
        #expect(model.prefillAttention(chunk: 1 << 24, cached: 1 << 40) == .max / 4)
        #expect(p.iterationTime(decodes: 0, prefills: [(1 << 24, 1 << 40)], decodeContext: 0) > .zero)
    }
}
