import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// The fast engine (one event per change of a batch) against the naive one (one event per
/// iteration) on randomized scenarios: every request must get identical times.
@Suite("Batching equivalence")
struct BatchingEquivalenceTests {
    /// `form`: the profile's form, its terms drawn too.
    static func randomScenario(seed: Int, form: HardwareProfile.Form = .linear) -> Scenario {
        var random = RandomStream(seed: UInt64(seed), name: "equivalence-scenario")
        func pick<T>(_ options: [T]) -> T { options[random.nextIndex(below: options.count)] }
        let maxSeqs = pick([1, 2, 4, 16, 64])
        let engine = EngineSpec(
            maxNumSeqs: maxSeqs, maxNumBatchedTokens: max(maxSeqs, pick([64, 512, 2048])), chunkedPrefill: pick([true, true, false]),
            kvCacheTokens: pick([.unlimited, .tokens(3000), .tokens(20_000)]))
        var profile = TestScenario.simpleProfile
        profile.perContextToken = SimTime(nanoseconds: Int64(pick([0, 50, 2000])))
        if form == .table {
            profile = TestScenario.tableProfile
            profile.perContextToken = SimTime(nanoseconds: Int64(pick([0, 50, 2000])))
            profile.perDecodeSequence = .microseconds(Double(pick([0, 8, 300])))
            profile.perAttentionUnitPicoseconds = Int64(pick([0, 1600, 2_000_000]))
            profile.perAttentionKeyPicoseconds = Int64(pick([0, 400_000, 20_000_000]))
        }
        if form == .knee {
            profile = TestScenario.kneeProfile
            profile.perContextToken = SimTime(nanoseconds: Int64(pick([0, 50, 2000])))
            profile.weightRead = .microseconds(Double(pick([0, 6000, 40_000])))
            profile.perDecodeSequence = .microseconds(Double(pick([0, 8, 300])))
            profile.perAttentionUnitPicoseconds = Int64(pick([0, 1600, 2_000_000]))
            profile.perAttentionKeyPicoseconds = Int64(pick([0, 0, 400_000]))
        }
        let router = RouterSpec(
            strategy: pick(RouterSpec.Strategy.allCases), activatorCapacity: pick([5, 1000]),
            queueTimeout: pick([nil, .seconds(2), .milliseconds(300)]), maxOutstandingPerReplica: pick([nil, nil, 4]))
        return TestScenario.make(
            duration: .seconds(40), seed: UInt64(seed),
            arrivals: pick([.poisson(rate: 8), .gamma(rate: 6, cv: 3), .mmpp(states: [MMPPState(rate: 2, meanDwell: .seconds(5)), MMPPState(rate: 30, meanDwell: .seconds(2))])]),
            prompt: try! Distribution(.lognormal(median: 200, sigma: 1), max: 2000),
            output: try! Distribution(.lognormal(median: 60, sigma: 1), max: 800),
            profile: profile, engine: engine, replicas: pick([1, 2, 3]), warm: pick([true, true, false]),
            pool: NodePoolSpec(name: "fast", gpu: "H100-80GB", gpusPerNode: 2, pricePerHour: 10, provisioning: .constant(5)),
            replica: TestScenario.quickStartReplica, router: router)
    }

    @Test("fast and naive engines give identical per-request times", arguments: 0..<24)
    func identical(seed: Int) throws {
        Self.expectSameResults(Self.randomScenario(seed: seed))
    }

    /// The fast engine and the per-iteration one give the same requests and summary (events aside:
    /// the fast one needs no more), with no broken invariant.
    static func expectSameResults(_ scenario: Scenario) {
        let fast = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: true, requestSample: 1_000_000))
        let naive = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: false, requestSample: 1_000_000))
        #expect(fast.requests.count > 50)
        #expect(fast.requests == naive.requests)
        var a = fast.summary, b = naive.summary
        #expect(a.events <= b.events)
        a.events = 0
        b.events = 0
        #expect(a == b)
        #expect(fast.brokenInvariant == nil, "\(fast.brokenInvariant ?? "")")
    }

    @Test("the knee form: fast and naive engines give identical per-request times", arguments: 0..<16)
    func identicalKnee(seed: Int) throws {
        let scenario = Self.randomScenario(seed: 100 + seed, form: .knee)
        #expect(scenario.profile.form == .knee)
        Self.expectSameResults(scenario)
    }

    @Test("the table form: fast and naive engines give identical per-request times", arguments: 0..<16)
    func identicalTable(seed: Int) throws {
        let scenario = Self.randomScenario(seed: 200 + seed, form: .table)
        #expect(scenario.profile.form == .table)
        Self.expectSameResults(scenario)
    }

    @Test("collapsing decode runs saves most events")
    func fewerEvents() {
        let scenario = TestScenario.make(arrivals: .poisson(rate: 1), output: .constant(200))
        let fast = Simulation.run(scenario)
        let naive = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: false))
        #expect(fast.summary.events * 5 < naive.summary.events)
    }

    @Test("a prefill iteration and the decode run after it take one event")
    func prefillLeadsIntoDecodeRun() {
        // Requests ten seconds apart, each alone on the replica: a 20-token one needs no more
        // events than a one-token one (arrival, then one end of run that finishes it).
        func events(output: Int) -> Int {
            let scenario = TestScenario.make(
                // The last request (~590 s) finishes well before the horizon either way.
                duration: .seconds(595), arrivals: .gamma(rate: 0.1, cv: 0.01), prompt: .constant(100), output: .constant(Double(output)))
            return Simulation.run(scenario).summary.events
        }
        #expect(events(output: 20) == events(output: 1))
    }

    @Test("every scaling signal reads the same with either engine", arguments: ["hpa-cpu", "hpa-gpu", "hpa-qps", "kpa-concurrency"])
    func signalsIdentical(name: String) throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scenarios/signals/\(name).yaml").standardized.path
        var scenario = try Scenario.load(file: file)
        scenario.duration = .minutes(6)
        let fast = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: true))
        let naive = Simulation.run(scenario, options: RunOptions(collapsesDecodeRuns: false))
        #expect(fast.decisions.count > 20)
        #expect(fast.decisions == naive.decisions)
        #expect(fast.series == naive.series)
    }
}

extension BatchingEquivalenceTests {
    @Test("the randomized scenarios reach preemption, timeouts, activator drops and cold starts")
    func coverage() {
        var preemptions = 0, queueTimeouts = 0, activatorDrops = 0, coldStarts = 0
        for seed in 0..<24 {
            let summary = Simulation.run(Self.randomScenario(seed: seed)).summary
            preemptions += summary.preemptions
            queueTimeouts += summary.requests.droppedByReason["queue_timeout"]!
            activatorDrops += summary.requests.droppedByReason["activator_full"]! + summary.requests.droppedByReason["activator_timeout"]!
            coldStarts += summary.coldStarts.completed
        }
        #expect(preemptions > 0)
        #expect(queueTimeouts > 0)
        #expect(activatorDrops > 0)
        #expect(coldStarts > 0)
    }
}
