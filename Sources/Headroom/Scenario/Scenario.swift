import HeadroomEngine

/// One validated simulation setup: the cluster (node pools, registry, object store, faults) and
/// the deployments that share it, each with its traffic, model, hardware, policy and targets.
///
/// Built from YAML by `Scenario.load(file:)` (every field is documented in the README's
/// reference); every value has been range-checked by the time a `Scenario` exists.
public struct Scenario: Sendable {
    /// Name shown in reports. Required.
    public var name: String
    /// Simulated time to run. Required; > 0.
    public var duration: SimTime
    /// Seed of every random stream. Default 1.
    public var seed: UInt64
    /// Spacing of the time series samples. Default 10s; > 0.
    public var seriesInterval: SimTime
    /// What runs on the cluster: one or more, in the order written (the first is the primary one
    /// that single-deployment tools — `policy replay`, the oracle's probe — work on).
    public var deployments: [Deployment]
    /// At least one pool.
    public var nodePools: [NodePoolSpec]
    /// The container registry's egress, shared by every node's image downloads. Default unlimited.
    public var registry = EgressSpec()
    /// The object store's egress, shared by every node's weight downloads. Default unlimited.
    public var objectStore = EgressSpec()
    /// Injected metric outages and replica failures (every deployment's replicas). Default none.
    public var faults = FaultSpec()
    /// llm-d's workload variant autoscaler over some deployments (its variants). Default none.
    public var variantAutoscaling: WVASpec? = nil
    /// How KV caches travel from prefill to decode workers (disaggregated deployments).
    public var kvTransfer = KVTransferSpec()
    /// NVIDIA Dynamo's planner sizing some of the deployments.
    public var dynamoPlanner: DynamoPlannerBinding? = nil

    /// A single-deployment scenario (the deployment takes the scenario's name).
    public init(
        name: String, duration: SimTime, seed: UInt64 = 1, seriesInterval: SimTime = .seconds(10),
        workload: WorkloadSpec, model: ModelSpec, profile: HardwareProfile, nodePools: [NodePoolSpec],
        replica: ReplicaSpec, router: RouterSpec = RouterSpec(), policy: PolicySpec, slo: SLOSpec = SLOSpec()
    ) {
        self.init(
            name: name, duration: duration, seed: seed, seriesInterval: seriesInterval, nodePools: nodePools,
            deployments: [Deployment(name: name, workload: workload, model: model, profile: profile, replica: replica,
                                     router: router, policy: policy, slo: slo)])
    }

    public init(
        name: String, duration: SimTime, seed: UInt64 = 1, seriesInterval: SimTime = .seconds(10),
        nodePools: [NodePoolSpec], deployments: [Deployment]
    ) {
        self.name = name
        self.duration = duration
        self.seed = seed
        self.seriesInterval = seriesInterval
        self.nodePools = nodePools
        self.deployments = deployments
    }

    /// The same cluster with deployment `index` alone on it (what a policy that simulates ahead,
    /// like the oracle, measures).
    public func alone(_ index: Int) -> Scenario {
        var copy = self
        copy.deployments = [deployments[index]]
        copy.seed = seed(of: index)
        return copy
    }

    /// The seed of deployment `index`'s own streams (its traffic, its router): the scenario's for
    /// the first, so a single-deployment scenario draws what it always drew.
    public func seed(of index: Int) -> UInt64 { seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15 }

    // The primary deployment's parts: in a single-deployment scenario, the scenario's own.
    public var workload: WorkloadSpec {
        get { deployments[0].workload }
        set { deployments[0].workload = newValue }
    }
    public var model: ModelSpec {
        get { deployments[0].model }
        set { deployments[0].model = newValue }
    }
    public var profile: HardwareProfile {
        get { deployments[0].profile }
        set { deployments[0].profile = newValue }
    }
    public var replica: ReplicaSpec {
        get { deployments[0].replica }
        set { deployments[0].replica = newValue }
    }
    public var router: RouterSpec {
        get { deployments[0].router }
        set { deployments[0].router = newValue }
    }
    public var policy: PolicySpec {
        get { deployments[0].policy }
        set { deployments[0].policy = newValue }
    }
    public var slo: SLOSpec {
        get { deployments[0].slo }
        set { deployments[0].slo = newValue }
    }

    /// The pool the primary deployment prefers.
    public var replicaPoolIndex: Int { deployments[0].poolIndices(in: nodePools)[0] }

    /// KV-cache capacity of one of the primary deployment's replicas on its preferred pool.
    public var kvCapacityTokens: Int64? { deployments[0].kvCapacityTokens(on: nodePools[replicaPoolIndex]) }
}

/// The model being served.
public struct ModelSpec: Sendable, Equatable {
    /// Name for reports (e.g. `llama-3.1-8b`). Required.
    public var name: String
    /// Size of the weights in bytes (`16GB`). Required; > 0.
    public var weightsBytes: Double
    /// KV-cache bytes per token over all layers (`128KiB` for Llama 3.1 8B: 32 layers × 8 KV heads ×
    /// 128 dims × 2 (K and V) × 2 bytes). Required; > 0.
    public var kvBytesPerToken: Double
    /// Transformer layers (`32` for Llama 3.1 8B). Optional: a calibrated profile measured on fewer
    /// layers is scaled to it; known model names supply it (`CalibratedProfile.knownShapes`).
    public var layers: Int?

    public init(name: String, weightsBytes: Double, kvBytesPerToken: Double, layers: Int? = nil) {
        self.name = name
        self.weightsBytes = weightsBytes
        self.kvBytesPerToken = kvBytesPerToken
        self.layers = layers
    }
}

/// Latency targets. A dropped request misses every target.
public struct SLOSpec: Sendable, Equatable {
    /// Time-to-first-token target. Default 2s.
    public var ttft: SimTime
    /// Target for the mean time between a request's output tokens. Default 100ms.
    public var itl: SimTime

    public init(ttft: SimTime = .seconds(2), itl: SimTime = .milliseconds(100)) {
        self.ttft = ttft
        self.itl = itl
    }
}
