extension Simulation {
    /// The prefix caches' hit rates, or `nil` when no deployment caches prefixes.
    func prefixCacheSummary() -> PrefixCacheSummary? {
        guard scenario.deployments.contains(where: \.replica.engine.prefixCaching) else { return nil }
        var replicas: [ReplicaPrefixCache] = []
        for r in engines.indices where engines[r].prefixCache != nil && engines[r].prefixQueriedTokens > 0 {
            replicas.append(ReplicaPrefixCache(
                replica: r, deployment: scenario.deployments[owner(Int32(r))].name,
                queriedTokens: engines[r].prefixQueriedTokens, hitTokens: engines[r].prefixHitTokens))
        }
        return PrefixCacheSummary(replicas: replicas)
    }
}
