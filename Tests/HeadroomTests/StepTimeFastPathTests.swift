import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// The shortcuts the engine's hot path takes give exactly what the general code gives.
@Suite("Step-time and arrival fast paths")
struct StepTimeFastPathTests {
    @Test("with no context cost the boundary search is the exact ceiling, capped at the limit",
          arguments: HardwareProfile.Form.allCases)
    func equalIterations(form: HardwareProfile.Form) {
        var profile = [.linear: TestScenario.simpleProfile, .knee: TestScenario.kneeProfile, .table: TestScenario.tableProfile][form]!
        profile.perContextToken = .zero
        let model = StepTimeModel(profile)
        var random = RandomStream(seed: 9, name: "equal-iterations")
        for _ in 0..<300 {
            let batch = 1 + random.nextIndex(below: 64), context = Int64(random.nextIndex(below: 100_000))
            let n = random.nextIndex(below: 200)
            let first = model.decodeIteration(batch: batch, contextTokens: context)
            // Offsets before the run, on and between boundaries, and past its end.
            let total = first * Int64(max(n, 1))
            for offset in [-5, 0, 1, first - 1, first, first + 1, total - 1, total, total + 1,
                           Int64(random.nextIndex(below: Int(total) + 1))] {
                // The reference: the smallest k >= 1 with k iterations reaching the offset, at most n.
                var k = 1
                while k < n && model.decodeRun(batch: batch, contextTokens: context, iterations: k) < offset { k += 1 }
                if n < 1 { k = n }
                #expect(model.iterationsToReach(offset: offset, batch: batch, contextTokens: context, limit: n) == k)
            }
        }
    }

    @Test("the boundary search also gives the boundary's time into the run, S(k), as the closed form does",
          arguments: HardwareProfile.Form.allCases, [0, 37])
    func boundaryLength(form: HardwareProfile.Form, perContextToken: Int64) {
        var profile = [.linear: TestScenario.simpleProfile, .knee: TestScenario.kneeProfile, .table: TestScenario.tableProfile][form]!
        profile.perContextToken = SimTime(nanoseconds: perContextToken)
        let model = StepTimeModel(profile)
        var random = RandomStream(seed: 11, name: "boundary-length")
        for _ in 0..<300 {
            let batch = 1 + random.nextIndex(below: 128), context = Int64(random.nextIndex(below: 200_000))
            let n = 1 + random.nextIndex(below: 400)
            let total = model.decodeRun(batch: batch, contextTokens: context, iterations: n)
            let first = model.decodeIteration(batch: batch, contextTokens: context)
            for offset in [-5, 0, 1, first - 1, first, first + 1, total - 1, total, total + 1,
                           Int64(random.nextIndex(below: Int(total) + 1)), Int64(random.nextIndex(below: Int(total) + 1))] {
                // The reference: the smallest k >= 1 whose k iterations reach the offset, at most n.
                var k = 1
                while k < n && model.decodeRun(batch: batch, contextTokens: context, iterations: k) < offset { k += 1 }
                let found = model.boundary(reaching: offset, batch: batch, contextTokens: context, limit: n)
                #expect(found.iterations == k && found.length == model.decodeRun(batch: batch, contextTokens: context, iterations: k))
                #expect(model.iterationsToReach(offset: offset, batch: batch, contextTokens: context, limit: n) == k)
            }
        }
    }

    @Test("a tabulated table-form model prices every iteration as the interpolation does, inside and past the table")
    func tabulatedTable() {
        var profile = TestScenario.tableProfile
        profile.perContextToken = SimTime(nanoseconds: 3)
        let plain = StepTimeModel(profile), tabulated = StepTimeModel(profile, tabulatingUpTo: 2048)
        #expect(plain.tabulated.isEmpty && tabulated.tabulated.count == 2049)
        for tokens in 0...3000 {
            let decodes = tokens % 97
            let run = (batch: decodes + 1, decodes: decodes, prefill: tokens - decodes, context: Int64(tokens) * 11)
            #expect(tabulated.iteration(batch: run.batch, decodes: run.decodes, prefillTokens: run.prefill,
                                        contextTokens: run.context, prefillAttention: 7_000)
                    == plain.iteration(batch: run.batch, decodes: run.decodes, prefillTokens: run.prefill,
                                       contextTokens: run.context, prefillAttention: 7_000))
        }
        // The other forms tabulate nothing.
        #expect(StepTimeModel(TestScenario.kneeProfile, tabulatingUpTo: 2048).tabulated.isEmpty)
    }

    @Test("an engine holds its step-time model as one reference its copies share, in a hot part of five cache lines")
    func sharedModel() {
        // The coefficients are one object (8 bytes in each engine), not 112 bytes per replica:
        // in a fleet of thousands every line of an engine's hot part is a cache miss per step.
        #expect(MemoryLayout<StepTimeModel>.size == MemoryLayout<UnsafeRawPointer>.size)
        #expect(MemoryLayout<ReplicaEngine>.offset(of: \.prefixCache)! <= 5 * 64)
        let model = StepTimeModel(TestScenario.tableProfile, tabulatingUpTo: 64), copy = model
        #expect(copy.tabulated.withUnsafeBufferPointer { $0.baseAddress } == model.tabulated.withUnsafeBufferPointer { $0.baseAddress })
        #expect(copy.iteration(batch: 3, decodes: 2, prefillTokens: 40, contextTokens: 900, prefillAttention: 0)
                == StepTimeModel(TestScenario.tableProfile).iteration(batch: 3, decodes: 2, prefillTokens: 40, contextTokens: 900, prefillAttention: 0))
    }

    @Test("an arrival's instant rounds as SimTime.seconds does, ties away from zero, beyond 2^52 ns too")
    func arrivalInstant() {
        var random = RandomStream(seed: 3, name: "arrival-instants")
        var seconds: [Double] = [0, 1e-9, 0.5e-9, 1.5e-9, 2.5e-9, 4503599.627370495, 4503599.6273704955, 4503599.627370497, 1e7, 3e9]
        for _ in 0..<10_000 { seconds.append(random.nextUnit() * 86_400 * 7) }
        for _ in 0..<1_000 { seconds.append(Double(random.nextIndex(below: 1 << 40)) / 1e9 + 0.5e-9) }
        for value in seconds {
            #expect(SyntheticWorkload.instant(value) == SimTime.seconds(value), "\(value) s")
        }
    }
}
