import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// The cold-start what-if family (scenarios/cold-start-whatif/, scenarios/sweeps/cold-start-whatif.yaml):
/// every variant's stage times are the arithmetic of the sizes and bandwidths its files write, and
/// the table in the sweep's comment — so the timeline cannot drift silently.
@Suite("Cold-start what-if family")
struct ColdStartWhatIfTests {
    static let sweepFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scenarios/sweeps/cold-start-whatif.yaml").standardized.path

    /// Stage seconds of a start on a fresh node (pending, pull, load, warm-up), as the sweep's
    /// comment tabulates them; pending is the constant 100 s provisioning.
    static let table: [String: (pull: Double, load: Double, warmup: Double)] = [
        "8b-0-baseline": (271.93, 93.87, 200), "8b-1-lazy-image": (17.40, 93.87, 200),
        "8b-2-streamed-weights": (17.40, 16.17, 200), "8b-3-node-cache": (0, 9.71, 200),
        "8b-4-warm-pool": (0, 9.71, 200), "8b-5-compile-cache": (0, 9.71, 64),
        "8b-6-serverlessllm": (0, 3.915, 64), "8b-7-blitzscale": (0, 0.325, 64),
        "70b-0-baseline": (271.93, 190.35, 200), "70b-1-lazy-image": (17.40, 190.35, 200),
        "70b-2-streamed-weights": (17.40, 112.94, 200), "70b-3-node-cache": (0, 70.51, 200),
        "70b-4-warm-pool": (0, 70.51, 200), "70b-5-compile-cache": (0, 70.51, 64),
        "70b-6-serverlessllm": (0, 8.61, 64), "70b-7-blitzscale": (0, 0.706, 64),
    ]

    static func variants() throws -> [(name: String, scenario: Scenario, document: ScenarioDocument)] {
        try SweepSpec.load(file: sweepFile).jobs().map { ($0.variant, try $0.document.scenario(), $0.document) }
    }

    /// The pull as the file writes it: the image's fetched part downloaded, then unpacked.
    static func pull(_ scenario: Scenario) -> Double {
        if scenario.nodePools[0].imageCached { return 0 }
        let image = scenario.replica.image, bytes = image.sizeBytes * image.lazyFraction
        return bytes / image.pullBandwidth + bytes / image.unpackRate
    }

    /// The load as the file writes it: sequential sums the hops; streamed pays the slowest hop for
    /// every byte and one chunk through each other hop. The remote hop only without a node cache.
    static func load(_ scenario: Scenario) -> Double {
        let w = scenario.replica.weights, bytes = scenario.model.weightsBytes
        let hops = (scenario.nodePools[0].weightsCached ? [] : [w.remoteBandwidth]) + [w.diskBandwidth, w.hostToGPUBandwidth]
        switch w.mode {
        case .sequential:
            return hops.map { bytes / $0 }.reduce(0, +)
        case .streamed:
            var others = hops
            others.remove(at: others.firstIndex(of: others.min()!)!)
            return bytes / hops.min()! + others.map { min(w.chunkBytes, bytes) / $0 }.reduce(0, +)
        }
    }

    static func warmup(_ scenario: Scenario) throws -> Double {
        guard case let .constant(seconds) = scenario.replica.warmup.shape else {
            throw ScenarioError(file: sweepFile, path: "replica.warmup", message: "the what-if family keeps warm-up constant")
        }
        return seconds
    }

    @Test("the family is 8 cumulative fixes for each of two models, on the same traffic and seed")
    func familyShape() throws {
        let variants = try Self.variants()
        #expect(variants.map(\.name).sorted() == Self.table.keys.sorted())
        let days = Set(variants.map { "\($0.scenario.workload.arrivals)|\($0.scenario.duration)|\($0.scenario.seed)" })
        #expect(days.count == 2, "one bursty day per model")
    }

    @Test("one start per variant: pending, pull, load and warm-up are the file's arithmetic and the table's")
    func oneStartIsTheArithmetic() throws {
        for (name, _, document) in try Self.variants() {
            // One replica started cold at time zero, a trickle of requests: only the start matters.
            var single = document
            try single.set("policy", to: "{kind: fixed, replicas: 1, warm: false}")
            try single.set("workload.arrivals", to: "{process: poisson, rate: 0.1/s}")
            try single.set("duration", to: "15m")
            let scenario = try single.scenario()
            let start = try #require(Simulation.run(scenario).coldStarts.first, "\(name)")
            let expected = try #require(Self.table[name])
            #expect(start.outcome == .ready, "\(name)")
            #expect(start.pendingSeconds == 100, "\(name): pending \(start.pendingSeconds)")
            #expect(abs(start.pullSeconds - Self.pull(scenario)) < 1e-6, "\(name): pull \(start.pullSeconds)")
            #expect(abs(start.loadSeconds - Self.load(scenario)) < 1e-6, "\(name): load \(start.loadSeconds)")
            #expect(start.warmupSeconds == (try Self.warmup(scenario)), "\(name): warm-up \(start.warmupSeconds)")
            #expect(abs(start.pullSeconds - expected.pull) < 0.01, "\(name): pull \(start.pullSeconds) vs the table's \(expected.pull)")
            #expect(abs(start.loadSeconds - expected.load) < 0.01, "\(name): load \(start.loadSeconds) vs the table's \(expected.load)")
            #expect(start.warmupSeconds == expected.warmup, "\(name)")
        }
    }

    @Test("on the bursty day every start's stages are the arithmetic; the warm pool skips provisioning")
    func burstyDayStages() throws {
        for (name, _, document) in try Self.variants() where name.hasSuffix("baseline") || name.hasSuffix("warm-pool") {
            var shortened = document
            try shortened.set("duration", to: "40m")   // the first burst and its scale-down
            let scenario = try shortened.scenario()
            // Starts that got as far as warm-up: pending, pull and load are complete (the 70B baseline's
            // first-burst starts are scaled away while warming up — they arrive after the burst).
            let starts = Simulation.run(scenario).coldStarts.filter { $0.outcome == .ready || $0.stoppedAt == .warmingUp }
            #expect(starts.count >= 2, "\(name): \(starts.count) starts")
            for start in starts {
                // A node that served before keeps its image: no pull, and with sequential loads its weights.
                #expect(abs(start.pullSeconds - (start.imageCached ? 0 : Self.pull(scenario))) < 1e-6, "\(name)")
                #expect(start.pendingSeconds <= 100 + 1e-9, "\(name): pending \(start.pendingSeconds)")
                if start.outcome == .ready { #expect(start.warmupSeconds == (try Self.warmup(scenario)), "\(name)") }
                if !start.weightsCached { #expect(abs(start.loadSeconds - Self.load(scenario)) < 1e-6, "\(name)") }
            }
            if name.hasSuffix("warm-pool") {
                #expect(starts.contains { $0.pendingSeconds == 0 }, "\(name): no start took the spare node")
            } else {
                #expect(starts.allSatisfy { $0.pendingSeconds == 100 || $0.waitedForNode == false }, "\(name)")
            }
        }
    }
}
