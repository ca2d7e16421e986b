import HeadroomEngine

/// One validated simulation setup: traffic, model, hardware, cluster, policy and targets.
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
    public var workload: WorkloadSpec
    public var model: ModelSpec
    /// Iteration-time coefficients of one replica of this model on this hardware.
    public var profile: HardwareProfile
    /// At least one pool.
    public var nodePools: [NodePoolSpec]
    public var replica: ReplicaSpec
    public var router: RouterSpec
    /// The container registry's egress, shared by every node's image downloads. Default unlimited.
    public var registry = EgressSpec()
    /// The object store's egress, shared by every node's weight downloads. Default unlimited.
    public var objectStore = EgressSpec()
    public var policy: PolicySpec
    public var slo: SLOSpec
    /// Injected metric outages and replica failures. Default none.
    public var faults = FaultSpec()

    public init(
        name: String, duration: SimTime, seed: UInt64 = 1, seriesInterval: SimTime = .seconds(10),
        workload: WorkloadSpec, model: ModelSpec, profile: HardwareProfile, nodePools: [NodePoolSpec],
        replica: ReplicaSpec, router: RouterSpec = RouterSpec(), policy: PolicySpec, slo: SLOSpec = SLOSpec()
    ) {
        self.name = name
        self.duration = duration
        self.seed = seed
        self.seriesInterval = seriesInterval
        self.workload = workload
        self.model = model
        self.profile = profile
        self.nodePools = nodePools
        self.replica = replica
        self.router = router
        self.policy = policy
        self.slo = slo
    }

    /// The pool replicas are placed on: the named one, else the first.
    public var replicaPoolIndex: Int {
        replica.nodePool.flatMap { name in nodePools.firstIndex { $0.name == name } } ?? 0
    }

    /// KV-cache capacity of one replica in tokens: the GPU memory the engine may use, less the
    /// weights, divided by the bytes each token's keys and values take. `nil` when unlimited.
    public var kvCapacityTokens: Int64? {
        switch replica.engine.kvCacheTokens {
        case .unlimited: return nil
        case let .tokens(count): return count
        case .auto:
            let pool = nodePools[replicaPoolIndex]
            let usable = pool.gpuMemoryBytes * Double(replica.gpus) * replica.engine.gpuMemoryUtilization
            let tokens = ((usable - model.weightsBytes) / model.kvBytesPerToken).rounded(.down)
            return Int64(min(max(tokens, -1), 1e15))  // below 1: does not fit (refused when loading)
        }
    }
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
