import Foundation
import Testing

/// `headroom bench --store-decisions`: the run keeps what a store with that setting would keep,
/// so memory can be measured without the decision log.
@Suite("Command line: bench --store-decisions")
struct CLIBenchStorageTests {
    @Test("bench accepts the store's thinning options and refuses an unknown setting by its allowed values")
    func thinning() throws {
        let run = try ProcessTests.capture(["bench", "scenarios/quickstart.yaml", "--duration", "2m", "--engine-events", "1000",
                                            "--store-decisions", "none", "--series-interval", "1m"])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("scenario quickstart (2m simulated)"))
        let bad = try ProcessTests.capture(["bench", "scenarios/quickstart.yaml", "--store-decisions", "some"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("'none', 'changes' or 'all'"))
    }
}
