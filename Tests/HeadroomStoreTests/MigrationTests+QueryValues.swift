import Foundation
import GRDB
import Headroom
import Testing

@testable import HeadroomStore

extension MigrationTests {
    /// Migration names the migration tests stop at (one place: several files use them).
    static let queryValues = "v-query-values: what each PromQL query returned at each decision"
    static let upstreamExact =
        "v-upstream-exact: KPA excess burst capacity and KEDA Active per decision; requests lost to failed replicas"

    @Test("v-query-values: an older store opens (NULL query values); a KEDA run's query values round-trip through the store")
    func queryValuesColumn() throws {
        let path = try Self.oldStore("pre-query-values", upTo: Self.upstreamExact, policy: "keda", summary: false) { db in
            try db.execute(
                sql: """
                    INSERT INTO decisions (run_id, time, replicas_ready, replicas_starting, replicas_pending, activator_queue, signals, desired_replicas,
                                           reason, excess_burst_capacity, active)
                    VALUES (1, 2, 1, 0, 0, 0, '[]', 1, 'stable', NULL, 1)
                    """)
        }
        defer { Self.removeStore(path) }
        let store = try RunStore(path: path)
        #expect(
            try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
                == RunStore.migrator.migrations)
        let old = try store.table("decisions", runs: [1])
        #expect(old.rows.count == 1 && old.texts("query_values") == [nil] && old.texts("reason") == ["stable"])

        var document = ScenarioDocument(yaml: RunStoreTests.yaml, file: "t.yaml")
        try document.set(
            "policy",
            to: """
                {kind: keda, spec: {minReplicaCount: 1, maxReplicaCount: 3, triggers: [
                  {type: prometheus, metadata: {query: "sum(vllm:num_requests_running)", threshold: "4"}},
                  {type: prometheus, metadata: {query: "vllm:num_requests_waiting", threshold: "4"}}]}}
                """)
        let scenario = try document.scenario()
        let result = Simulation.run(scenario)
        let id = try store.save(
            result, document: document, scenario: scenario, placement: .init(variant: "keda"), startedAt: Date(),
            wallSeconds: 0.1
        ).id
        let stored = try store.table("decisions", runs: [id]).texts("query_values")
        #expect(stored.count == result.decisions.count && !stored.isEmpty)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let decoded = try stored.map { try decoder.decode([QueryValues].self, from: Data(#require($0).utf8)) }
        #expect(decoded == result.decisions.map { $0.queryValues ?? [] })
        #expect(decoded.contains { $0[0].values.count == 1 && $0[0].error == nil })
    }
}
