import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

@Suite("Run invariants")
struct InvariantTests {
    @Test("every request is accounted for and counters stay sane on randomized scenarios", arguments: 0..<24)
    func conservation(seed: Int) {
        let scenario = BatchingEquivalenceTests.randomScenario(seed: seed + 100)
        let result = Simulation.run(scenario)
        #expect(result.brokenInvariant == nil, "\(result.brokenInvariant ?? "")")
        let arrivedInSeries = result.series.reduce(0) { $0 + $1.arrivals }
        #expect(arrivedInSeries <= result.summary.requests.arrived)
        // A fixed fleet never changes size once it is up.
        #expect(result.series.allSatisfy { $0.replicas.active == $0.desiredReplicas })
    }

    @Test("the same scenario and seed give byte-identical JSON")
    func determinism() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scenarios/quickstart.yaml")
        var scenario = try Scenario.load(file: file.standardized.path)
        scenario.duration = .minutes(5)
        let a = try Simulation.run(scenario, options: RunOptions(requestSample: 100)).jsonData()
        let b = try Simulation.run(scenario, options: RunOptions(requestSample: 100)).jsonData()
        #expect(a == b)
        scenario.seed += 1
        #expect(try Simulation.run(scenario, options: RunOptions(requestSample: 100)).jsonData() != a)
    }

    @Test("two fleets on the same seed see exactly the same requests (common random numbers)")
    func commonRandomNumbers() {
        let small = Simulation.run(TestScenario.make(replicas: 1), options: RunOptions(requestSample: 10_000))
        let large = Simulation.run(TestScenario.make(replicas: 4, warm: false, replica: TestScenario.quickStartReplica),
                                   options: RunOptions(requestSample: 10_000))
        #expect(small.requests.map(\.arrival) == large.requests.map(\.arrival))
        #expect(small.requests.map(\.outputTokens) == large.requests.map(\.outputTokens))
    }
}
