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

    /// The pools its replicas may run on, most preferred first: those it names, else the first.
    public func poolIndices(in pools: [NodePoolSpec]) -> [Int] {
        let named = replica.nodePools.compactMap { name in pools.firstIndex { $0.name == name } }
        return named.isEmpty ? [0] : named
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
}
