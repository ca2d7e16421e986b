import HeadroomEngine

/// How requests reach replicas, and how long they may wait.
public struct RouterSpec: Sendable, Equatable {
    public enum Strategy: String, Sendable, CaseIterable {
        /// Fewest requests queued or running; ties go to the lowest replica index.
        case leastOutstanding = "least_outstanding"
        case roundRobin = "round_robin"
        /// Two ready replicas drawn at random; the one with fewer outstanding requests.
        case powerOfTwo = "power_of_two"
        /// llm-d's scorers: the replica with the longest recorded prefix, weighed against its
        /// queue (`cache_aware:` sets the weights).
        case cacheAware = "cache_aware"
        /// A session's requests go to the replica its previous one went to while it is ready and
        /// has room; otherwise (and without a session) least outstanding.
        case sessionAffinity = "session_affinity"
    }
    /// Default least_outstanding.
    public var strategy: Strategy
    /// Requests the activator buffers while no ready replica has room. Default 10000; >= 0.
    public var activatorCapacity: Int
    /// Longest a request waits in the activator before it is dropped. Default 5m; > 0.
    public var activatorTimeout: SimTime
    /// Longest a request waits in a replica's queue before it is dropped (checked at iteration
    /// boundaries). Default none.
    public var queueTimeout: SimTime?
    /// Most requests a replica holds, queued plus running (Knative's containerConcurrency); beyond
    /// it requests wait in the activator. Default none (unlimited).
    public var maxOutstandingPerReplica: Int?
    /// The scorer weights and prefix index of `cache_aware` routing.
    public var cacheAware: CacheAwareRouting

    public init(
        strategy: Strategy = .leastOutstanding, activatorCapacity: Int = 10_000, activatorTimeout: SimTime = .minutes(5),
        queueTimeout: SimTime? = nil, maxOutstandingPerReplica: Int? = nil, cacheAware: CacheAwareRouting = CacheAwareRouting()
    ) {
        self.cacheAware = cacheAware
        self.strategy = strategy
        self.activatorCapacity = activatorCapacity
        self.activatorTimeout = activatorTimeout
        self.queueTimeout = queueTimeout
        self.maxOutstandingPerReplica = maxOutstandingPerReplica
    }
}

/// Prefix-cache-aware routing as llm-d's endpoint picker scores it: each ready replica with room
/// gets `prefix_weight × matched/total prompt blocks` (the prefix-cache scorer,
/// `pkg/epp/framework/plugins/scheduling/scorer/prefix/plugin.go`) plus `queue_weight ×
/// (max − own)/(max − min)` over the replicas' waiting requests (the queue scorer,
/// `scorer/queuedepth/queue.go`; 1 for all when equal) plus `session_weight` for the replica
/// the request's session last went to (`scorer/sessionaffinity/session_affinity.go`); the highest
/// total wins (ties: fewer outstanding, then the lower id, where llm-d's max-score picker draws
/// at random). Read at llm-d/llm-d-inference-scheduler 520af47; the default weights are its Helm
/// chart's (`config/charts/epplib/templates/_config.yaml`: queue 2, prefix 3; its KV-utilisation
/// scorer, weight 2, is not modelled). `max_imbalance` is Headroom's guard against hot spots.
public struct CacheAwareRouting: Sendable, Equatable {
    /// Weight of the prefix score. Default 3; >= 0.
    public var prefixWeight: Double
    /// Weight of the queue score. Default 2; >= 0.
    public var queueWeight: Double
    /// Weight of session affinity. Default 0; >= 0.
    public var sessionWeight: Double
    /// When the winner holds more than this many outstanding requests above the least loaded
    /// candidate, the least loaded gets the request instead. Default none.
    public var maxImbalance: Int?
    /// Tokens per block the router hashes (llm-d's `blockSizeTokens`). Default 16.
    public var blockSize: Int
    /// Leading blocks matched at most (llm-d's `maxPrefixBlocksToMatch`). Default 256.
    public var maxPrefixBlocks: Int
    /// Blocks remembered per replica (llm-d's `lruCapacityPerServer`). Default 31250.
    public var capacityPerReplica: Int

    public init(
        prefixWeight: Double = 3, queueWeight: Double = 2, sessionWeight: Double = 0, maxImbalance: Int? = nil,
        blockSize: Int = 16, maxPrefixBlocks: Int = 256, capacityPerReplica: Int = 31_250
    ) {
        self.prefixWeight = prefixWeight
        self.queueWeight = queueWeight
        self.sessionWeight = sessionWeight
        self.maxImbalance = maxImbalance
        self.blockSize = blockSize
        self.maxPrefixBlocks = maxPrefixBlocks
        self.capacityPerReplica = capacityPerReplica
    }
}
