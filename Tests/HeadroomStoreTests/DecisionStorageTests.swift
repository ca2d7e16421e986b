import Foundation
import GRDB
@testable import Headroom
import Testing
@testable import HeadroomStore

/// `--store-decisions`: each setting stores what it says, counted against the run's own log.
@Suite("Decision storage")
struct DecisionStorageTests {
    /// A shipped KPA scenario, short: its desired scale moves and holds, so `changes` keeps some but not all.
    static func kpaRun() throws -> (ScenarioDocument, Scenario, RunResult) {
        var document = try ScenarioDocument.load(file: "scenarios/signals/kpa-concurrency.yaml")
        try document.set("duration", to: "10m")
        let scenario = try document.scenario()
        return (document, scenario, Simulation.run(scenario))
    }

    /// The decisions a store holds for run `id`, as (time, desired replicas).
    static func stored(_ store: RunStore, _ id: Int64) throws -> [(Double, Int)] {
        let table = try store.table("decisions", runs: [id])
        return zip(table.numbers("time"), table.numbers("desired_replicas")).map { ($0 ?? .nan, Int($1 ?? -1)) }
    }

    @Test("a run told to keep only changes (or none) holds exactly what the store would keep, and the same summary")
    func thinnedInMemory() throws {
        let (_, scenario, full) = try Self.kpaRun()
        for mode in [DecisionStorage.changes, .none] {
            let thinned = Simulation.run(scenario, options: RunOptions(decisions: mode))
            #expect(thinned.decisions.map(\.time) == mode.kept(full.decisions).map(\.time))
            #expect(thinned.decisions.map(\.desiredReplicas) == mode.kept(full.decisions).map(\.desiredReplicas))
            #expect(thinned.summary == full.summary && thinned.series == full.series)
        }
        #expect(Simulation.run(scenario, options: RunOptions(decisions: .changes)).decisions.count < full.decisions.count)
    }

    @Test("all keeps every decision, none keeps none, changes keeps the first and every change of desired replicas")
    func counts() throws {
        let (document, scenario, result) = try Self.kpaRun()
        let store = try RunStore(writer: DatabaseQueue())
        var ids: [DecisionStorage: Int64] = [:]
        for mode in DecisionStorage.allCases {
            ids[mode] = try store.save(result, document: document, scenario: scenario, placement: .init(variant: mode.rawValue),
                                       startedAt: Date(), wallSeconds: 0, decisions: mode).id
        }
        let all = try Self.stored(store, ids[.all]!), changes = try Self.stored(store, ids[.changes]!)
        #expect(all.count == result.decisions.count && all.count > 100)
        #expect(try Self.stored(store, ids[.none]!).isEmpty)
        // Counted independently of `kept`: 1 + the number of adjacent pairs whose desired differ.
        let desired = result.decisions.map(\.desiredReplicas)
        let steps = zip(desired, desired.dropFirst()).filter { $0 != $1 }.count
        #expect(changes.count == 1 + steps && steps > 0 && changes.count < all.count)
        #expect(changes.first?.0 == all.first?.0, "the first decision is kept")
        #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.1 != $1.1 }, "no kept decision repeats the previous desired scale")
        // Everything else is stored whole whatever the setting.
        let series = try DecisionStorage.allCases.map { try store.table("run_series", runs: [ids[$0]!]).rows.count }
        #expect(Set(series).count == 1 && series[0] == result.series.count)
    }

    @Test("changes is per deployment: each deployment's first decision is kept and compared only with its own")
    func perDeployment() {
        func decision(_ deployment: String, _ desired: Int) -> DecisionRecord {
            DecisionRecord(time: 0, replicas: ReplicaCounts(), activatorQueue: 0, signals: [], desiredReplicas: desired, reason: "",
                           excessBurstCapacity: nil, active: nil, queryValues: nil, deployment: deployment)
        }
        let log = [decision("a", 1), decision("b", 1), decision("a", 1), decision("b", 2), decision("a", 2), decision("b", 2)]
        #expect(DecisionStorage.changes.kept(log) == [log[0], log[1], log[3], log[4]])
        #expect(DecisionStorage.all.kept(log) == log && DecisionStorage.none.kept(log).isEmpty)
    }
}
