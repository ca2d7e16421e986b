import Foundation
import GRDB
import Headroom
import Testing

@testable import HeadroomStore

extension MigrationTests {
    // `upstreamExact` (the migration before the newer ones) is declared in MigrationTests+QueryValues.swift.

    @Test("v-billing: an older store opens with no pool costs (nil, not zero); new runs store cost by pool and pricing kind")
    func billingTable() throws {
        let path = try Self.oldStore("pre-billing", upTo: Self.upstreamExact)
        defer { Self.removeStore(path) }
        // Read-only, the old file is migrated in memory and left as it was.
        let reader = try RunStore(path: path, access: .readOnly)
        #expect(try reader.storedSummary(ofRun: 1)?.cost.byPool == nil)
        #expect(try reader.storedSummary(ofRun: 1)?.cost.dollars == 2)

        let store = try RunStore(path: path)
        #expect(
            try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
                == RunStore.migrator.migrations)
        #expect(try store.table("pool_costs", runs: [1]).rows.isEmpty)
        #expect(try store.storedSummary(ofRun: 1)?.cost.byPool == nil)
        #expect(try store.summaries(of: [1])[1]?["cost_reserved_dollars"] == nil, "not split then: NULL, not zero")

        // A run with a reservation stores both lines, and its summary reads them back.
        var document = ScenarioDocument(yaml: RunStoreTests.yaml, file: "t.yaml")
        try document.set("node_pools[0].reserved_nodes", to: "1")
        try document.set("node_pools[0].reserved_price_per_hour", to: "20")
        let scenario = try document.scenario()
        let result = Simulation.run(scenario)
        let lines = try #require(result.summary.cost.byPool)
        #expect(lines.map(\.pricing) == [.onDemand, .reserved])
        let id = try store.save(
            result, document: document, scenario: scenario, placement: .init(variant: "fixed"), startedAt: Date(),
            wallSeconds: 0.1
        ).id
        let table = try store.table("pool_costs", runs: [id])
        #expect(table.rows.count == 2)
        #expect(table.numbers("dollars") == lines.map { Optional($0.dollars) })
        #expect(table.numbers("billed_seconds") == lines.map { Optional($0.billedSeconds) })
        #expect(try store.storedSummary(ofRun: id)?.cost.byPool == lines)
        #expect(RunStore.exportTables.contains("pool_costs"))
        #expect(try store.rowCounts(ofRun: id)["pool_costs"] == 2)
        // The summary columns `compare --columns` reads, by pricing kind over every pool.
        let columns = try #require(try store.summaries(of: [id])[id])
        #expect(columns["cost_on_demand_dollars"] == lines[0].dollars && columns["cost_reserved_dollars"] == lines[1].dollars)
        #expect(abs(lines[1].dollars - 20.0 * 120 / 3600) < 1e-12, "1 reserved node × 2 minutes at $20/h")
        #expect(Comparison.metrics.contains("cost_reserved_dollars") && ComparisonColumn.named("cost_on_demand_dollars") != nil)
    }
}
