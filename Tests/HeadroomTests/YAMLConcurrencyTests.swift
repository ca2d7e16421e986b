import Foundation
import Testing
@testable import Headroom

@Suite("YAML parsing under concurrency")
struct YAMLConcurrencyTests {
    @Test("parsing the same scenario on many threads at once gives the same scenario every time")
    func concurrentParsing() throws {
        let reference = try Scenario.parse(yaml: ScenarioLoadingTests.valid)
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 400) { _ in
            var document = ScenarioDocument(yaml: ScenarioLoadingTests.valid, file: "s.yaml")
            let parsed: Scenario? = (try? document.set("replica.engine.max_num_seqs", to: "64")).flatMap { try? document.scenario() }
            results.add(parsed.map { $0.replica.engine.maxNumSeqs == reference.replica.engine.maxNumSeqs && $0.policy == reference.policy
                && $0.workload == reference.workload && $0.nodePools == reference.nodePools } ?? false)
        }
        #expect(results.failures == 0, "\(results.failures) of 400 concurrent parses differed")
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var failures = 0
    func add(_ ok: Bool) {
        lock.lock(); defer { lock.unlock() }
        if !ok { failures += 1 }
    }
}
