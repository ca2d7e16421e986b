import Foundation
import GRDB
import Headroom
import Testing
@testable import HeadroomStore

extension MigrationTests {
    @Test("v-prefix-cache: an older store opens (NULL hit rates); a run with prefix caching stores its tokens and rate")
    func prefixCacheColumns() throws {
        let path = try Self.oldStore("pre-prefix-cache", upTo: Self.spot)
        defer { Self.removeStore(path) }
        let store = try RunStore(path: path)
        #expect(try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") } == RunStore.migrator.migrations)
        #expect(try store.summaries(of: [1])[1]?["prefix_cache_hit_rate"] == nil, "not measured then: NULL")

        var document = ScenarioDocument(yaml: RunStoreTests.yaml, file: "t.yaml")
        try document.set("workload.conversation", to: "{turns: 4, think_time: 5s}")
        try document.set("replica", to: "{engine: {prefix_caching: true, kv_cache_tokens: 50000}}")
        let scenario = try document.scenario()
        let result = Simulation.run(scenario)
        let cache = try #require(result.summary.prefixCache)
        let id = try store.save(result, document: document, scenario: scenario, placement: .init(variant: "cached"), startedAt: Date(),
                                wallSeconds: 0.1).id
        let stored = try #require(try store.summaries(of: [id])[id])
        #expect(cache.hitTokens > 0 && stored["prefix_cache_hit_tokens"] == Double(cache.hitTokens))
        #expect(stored["prefix_cache_queried_tokens"] == Double(cache.queriedTokens) && stored["prefix_cache_hit_rate"] == cache.hitRate)
        // Without caching: NULL, not zero.
        let (plain, _) = try RunStoreTests.runAndSave(store)
        #expect(try store.summaries(of: [plain])[plain]?["prefix_cache_hit_rate"] == nil)
    }
}
