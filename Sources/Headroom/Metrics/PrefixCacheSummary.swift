/// How much of the prompts the replicas' prefix caches served: tokens looked up at admissions
/// and tokens found cached (vLLM's `prefix_cache_queries` and `prefix_cache_hits`), overall and
/// per replica. Present only when some deployment turns `prefix_caching` on.
public struct PrefixCacheSummary: Codable, Sendable, Equatable {
    public var queriedTokens: Int64
    public var hitTokens: Int64
    /// Hit tokens over queried tokens (0 when none was queried).
    public var hitRate: Double
    /// Each replica that admitted a request, in creation order.
    public var replicas: [ReplicaPrefixCache]

    public init(replicas: [ReplicaPrefixCache]) {
        self.replicas = replicas
        queriedTokens = replicas.reduce(0) { $0 + $1.queriedTokens }
        hitTokens = replicas.reduce(0) { $0 + $1.hitTokens }
        hitRate = Self.rate(hitTokens, of: queriedTokens)
    }

    static func rate(_ hits: Int64, of queried: Int64) -> Double { queried > 0 ? Double(hits) / Double(queried) : 0 }
}

/// One replica's prefix-cache lookups.
public struct ReplicaPrefixCache: Codable, Sendable, Equatable {
    /// The replica's number in the run (creation order, from 0).
    public var replica: Int
    /// Its deployment's name.
    public var deployment: String
    public var queriedTokens: Int64
    public var hitTokens: Int64
    public var hitRate: Double

    public init(replica: Int, deployment: String, queriedTokens: Int64, hitTokens: Int64) {
        self.replica = replica
        self.deployment = deployment
        self.queriedTokens = queriedTokens
        self.hitTokens = hitTokens
        hitRate = PrefixCacheSummary.rate(hitTokens, of: queriedTokens)
    }
}
