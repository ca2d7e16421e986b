import Foundation
import GRDB
import Headroom
import Testing
@testable import HeadroomStore

extension MigrationTests {

    @Test("v-spot: an older store opens (NULL spot drops); a run with spot drops stores its count")
    func spotColumn() throws {
        let path = try Self.oldStore("pre-spot", upTo: Self.queryValues)
        defer { Self.removeStore(path) }
        let store = try RunStore(path: path)
        #expect(try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") } == RunStore.migrator.migrations)
        #expect(try store.summaries(of: [1])[1]?["dropped_spot_interrupted"] == nil, "not counted then: NULL, not zero")

        var document = ScenarioDocument(yaml: RunStoreTests.yaml, file: "t.yaml")
        try document.set("router", to: "{activator_capacity: 0}")
        try document.set("node_pools[0].spot", to: "{interruptions: [20s], notice: 0s}")
        let scenario = try document.scenario()
        let result = Simulation.run(scenario)
        let dropped = result.summary.requests.droppedByReason["spot_interrupted"] ?? 0
        let id = try store.save(result, document: document, scenario: scenario, placement: .init(variant: "spot"), startedAt: Date(),
                                wallSeconds: 0.1).id
        let stored = try store.summaries(of: [id])[id]?["dropped_spot_interrupted"]
        #expect(dropped > 0 && stored == Double(dropped))
    }
}
