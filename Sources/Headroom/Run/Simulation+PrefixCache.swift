extension Simulation {
    /// The prefix caches' hit rates, or `nil` when no deployment caches prefixes.
    func prefixCacheSummary() -> PrefixCacheSummary? {
        guard scenario.deployments.contains(where: \.replica.engine.prefixCaching) else { return nil }
        // Replicas whose slots were reused (in the ledger), then those still in a slot; by id.
        var rows = replicaLedger.prefixCaches
        for r in engines.indices where engines[r].prefixCache != nil && engines[r].prefixQueriedTokens > 0 {
            rows.append(ReplicaLedger.PrefixCacheRow(
                replica: replicas[r].id, deployment: replicas[r].deployment,
                queriedTokens: engines[r].prefixQueriedTokens, hitTokens: engines[r].prefixHitTokens))
        }
        rows.sort { $0.replica < $1.replica }
        return PrefixCacheSummary(replicas: rows.map {
            ReplicaPrefixCache(replica: Int($0.replica), deployment: scenario.deployments[Int($0.deployment)].name,
                               queriedTokens: $0.queriedTokens, hitTokens: $0.hitTokens)
        })
    }
}
