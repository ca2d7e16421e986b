/// One deployment's figures in a run with several: its requests, latencies and SLO, its cold
/// starts, the GPU-seconds its replicas held and the cost they account for. Deployments that
/// share one's traffic (`shares_traffic_with`) count its requests, latencies and SLO under that
/// one; each counts its own replicas, GPU time, cost and the tokens its replicas served.
public struct DeploymentSummary: Codable, Sendable, Equatable {
    public var name: String
    public var model: String
    /// Its policy's `kind`.
    public var policy: String
    public var priority: Int
    public var requests: RequestCounts
    public var ttft: LatencyStats
    public var itl: LatencyStats
    public var e2e: LatencyStats
    public var queueWait: LatencyStats
    /// Against its own targets.
    public var slo: SLOAttainment
    public var tokens: TokenCounts
    public var coldStarts: ColdStartSummary
    /// GPU-seconds its replicas held: starting, serving and idle (provisioning and unallocated
    /// GPUs are the cluster's).
    public var gpuSeconds: GPUSeconds
    /// GPU-seconds held, by pool.
    public var gpuSecondsByPool: [String: Double]
    public var cost: DeploymentCost
    /// Most replicas (active + draining) at a series sample.
    public var peakReplicas: Int
    public var preemptions: Int
    public var replicaFailures: Int
    /// Its replicas evicted for a higher-priority deployment's (`preempt_lower_priority`); nil when
    /// none was (not in the store yet).
    public var evicted: Int? = nil
    /// Its profile where no per-GPU one applies.
    public var profile: ProfileUsed?
    /// The deployment whose traffic it serves; nil for its own.
    public var sharesTrafficWith: String? = nil
    /// Tokens of requests its own replicas finished, where its traffic is shared (with others or
    /// theirs with it); nil otherwise (then they are `tokens`).
    public var servedTokens: TokenCounts? = nil
}

/// A deployment's share of the bill: each pool's dollars divided among the GPU-seconds held on
/// it, so the deployments' costs and the cluster's unattributed dollars add up to the bill.
public struct DeploymentCost: Codable, Sendable, Equatable {
    public var dollars: Double
    /// Dollars per million prompt tokens its replicas served (the whole cost over them).
    public var perMillionInputTokens: Double
    /// Dollars per million output tokens its replicas served.
    public var perMillionOutputTokens: Double
}
