import HeadroomEngine

/// One model served on the cluster: its traffic, hardware profile(s), replica spec, router,
/// autoscaler and targets. A scenario runs one or more of them on shared node pools; they
/// compete for GPUs as Deployments do on Kubernetes.
public struct Deployment: Sendable {
    /// Unique within the scenario; a single-deployment scenario's takes the scenario's name.
    public var name: String
    public var workload: WorkloadSpec
    public var model: ModelSpec
    /// Iteration-time coefficients of one replica, on any GPU type `profilesByGPU` does not name.
    public var profile: HardwareProfile
    /// Profiles by a pool's `gpu` (`H100-80GB`): a replica placed on such a pool iterates at that
    /// profile's speed. Empty: `profile` everywhere.
    public var profilesByGPU: [String: HardwareProfile] = [:]
    public var replica: ReplicaSpec
    public var router: RouterSpec
    public var policy: PolicySpec
    public var slo: SLOSpec
    /// Pending replicas of a higher priority are placed first (Kubernetes' PriorityClass; no
    /// preemption of running replicas). Default 0.
    public var priority: Int = 0
    /// A pending replica that finds no room evicts replicas of lower-priority deployments from a
    /// node (they drain, and their ReplicaSets replace them). Default false.
    public var preemptLowerPriority = false
    /// The deployment whose traffic this one shares, as several Deployments behind one llm-d
    /// InferencePool or Kubernetes Service: that deployment's router spreads its requests over
    /// both deployments' ready replicas. Its `workload`, `router` and `slo` are that deployment's;
    /// each keeps its own replicas, pools, profile and autoscaler. `nil`: its own traffic.
    public var sharesTrafficWith: String? = nil
    /// Prefill/decode disaggregation: a `prefill` deployment owns the traffic and hands each
    /// prefilled request's KV cache to a `decode` deployment sharing it. Default aggregated.
    public var role: ServingRole = .aggregated

    public init(
        name: String, workload: WorkloadSpec, model: ModelSpec, profile: HardwareProfile, replica: ReplicaSpec,
        router: RouterSpec = RouterSpec(), policy: PolicySpec, slo: SLOSpec = SLOSpec()
    ) {
        self.name = name
        self.workload = workload
        self.model = model
        self.profile = profile
        self.replica = replica
        self.router = router
        self.policy = policy
        self.slo = slo
    }

    /// The profile a replica uses on `pool`.
    public func profile(on pool: NodePoolSpec) -> HardwareProfile { profilesByGPU[pool.gpu] ?? profile }

    /// The pools its replicas may run on, most preferred first: those it names (else the first
    /// pool, or with `placement: cost_per_token` every pool it fits on), in the order written or
    /// cheapest per token first.
    public func poolIndices(in pools: [NodePoolSpec]) -> [Int] {
        let named = replica.nodePools.compactMap { name in pools.firstIndex { $0.name == name } }
        guard replica.placement == .costPerToken else { return named.isEmpty ? [0] : named }
        var candidates = named
        if candidates.isEmpty {
            candidates = pools.indices.filter { replica.gpus <= pools[$0].gpusPerNode && (kvCapacityTokens(on: pools[$0]) ?? 1) >= 1 }
            if candidates.isEmpty { candidates = Array(pools.indices) }  // validation says why none fits
        }
        let costs = candidates.map { costPerMillionTokens(on: pools[$0]) }
        return candidates.indices.sorted { (costs[$0], $0) < (costs[$1], $1) }.map { candidates[$0] }
    }

    /// Context each sequence holds in the batch `costPerMillionTokens(on:)` prices.
    public static let placementContextTokens = 2048

    /// What `placement: cost_per_token` ranks pools by: dollars per million output tokens of one
    /// replica on `pool` decoding a full batch — its GPUs' share of the node's on-demand price per
    /// hour over the tokens per hour of `max_num_seqs` sequences (fewer where its KV cache holds
    /// fewer) each holding 2,048 tokens, at its profile's speed on that pool's GPU. A ranking,
    /// not a prediction of the run's cost.
    public func costPerMillionTokens(on pool: NodePoolSpec) -> Double {
        let context = Int64(Self.placementContextTokens)
        var batch = Int64(replica.engine.maxNumSeqs)
        if let capacity = kvCapacityTokens(on: pool) { batch = min(batch, capacity / context) }
        batch = max(1, batch)
        let step = profile(on: pool).iterationTime(batch: Int(batch), prefillTokens: 0, contextTokens: batch * context).seconds
        let tokensPerHour = Double(batch) / max(step, 1e-9) * 3600
        let dollarsPerHour = pool.pricePerHour * Double(replica.gpus) / Double(pool.gpusPerNode)
        return dollarsPerHour / tokensPerHour * 1e6
    }

    /// KV-cache capacity of one replica on `pool`, in tokens: the GPU memory the engine may use,
    /// less the weights, divided by the bytes each token's keys and values take. `nil` when
    /// unlimited; below 1 when the model does not fit (refused when loading).
    public func kvCapacityTokens(on pool: NodePoolSpec) -> Int64? {
        switch replica.engine.kvCacheTokens {
        case .unlimited: return nil
        case let .tokens(count): return count
        case .auto:
            let usable = pool.gpuMemoryBytes * Double(replica.gpus) * replica.engine.gpuMemoryUtilization
            let tokens = ((usable - model.weightsBytes) / model.kvBytesPerToken).rounded(.down)
            return Int64(min(max(tokens, -1), 1e15))
        }
    }

    /// Whether anything in this deployment reads a request's prefix hashes: its engines' prefix
    /// cache or `cache_aware` routing. When none in a scenario does, the hashes a trace gives are
    /// read (and checked) but not kept per request.
    public var readsPrefixHashes: Bool { replica.engine.prefixCaching || router.strategy == .cacheAware }
}
