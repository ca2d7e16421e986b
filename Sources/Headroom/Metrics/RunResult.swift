import HeadroomEngine

/// Everything a run produced: the summary, a time series, the cold starts, the autoscaler's
/// decisions and an optional sample of requests. Encodes deterministically (no wall-clock
/// values), so one scenario and seed always give the same JSON.
public struct RunResult: Codable, Sendable {
    public var summary: RunSummary
    /// The latency distributions behind the summary's percentiles.
    public var quantiles: LatencyQuantiles
    public var series: [SeriesPoint]
    public var coldStarts: [ColdStart]
    public var decisions: [DecisionRecord]
    /// Every node the run paid for.
    public var nodes: [NodeRecord]
    /// The first `request_sample` requests to arrive, in arrival order.
    public var requests: [RequestRecord]
}

public struct RunSummary: Codable, Sendable, Equatable {
    public var scenario: String
    public var seed: UInt64
    public var durationSeconds: Double
    /// Events the engine handled.
    public var events: Int
    public var requests: RequestCounts
    public var ttft: LatencyStats
    /// Mean time between output tokens, per request with two or more tokens.
    public var itl: LatencyStats
    public var e2e: LatencyStats
    /// Arrival to first admission into a batch.
    public var queueWait: LatencyStats
    public var slo: SLOAttainment
    public var tokens: TokenCounts
    public var coldStarts: ColdStartSummary
    public var gpuSeconds: GPUSeconds
    public var cost: CostSummary
    /// Sequences preempted for KV-cache space (recomputed later).
    public var preemptions: Int
    public var peakReplicas: Int
    public var peakNodes: Int
    /// Node requests the pool refused for lack of capacity (`stockout_probability`).
    public var stockouts: Int
    /// Injected replica failures that struck (`faults:`): container crashes and failed pods.
    public var replicaFailures: Int
    /// Input the run could not use (skipped trace rows): its numbers rest on less than the file.
    public var inputLosses: InputLosses
    /// The iteration-time profile, measured or an estimate (nil in runs stored before it was
    /// recorded; the first deployment's when there are several).
    public var profile: ProfileUsed? = nil
    /// Each deployment's own figures, when the scenario runs several (nil with one: the summary is its).
    public var deployments: [DeploymentSummary]? = nil
    /// Node requests each pool refused (stockouts or its availability), by pool name; nil when
    /// none was refused (and in results written before it was counted).
    public var stockoutsByPool: [String: Int]? = nil
    /// Replica-seconds spent pending with no node (waiting for capacity: pools at their limit or
    /// out of stock); nil when none waited.
    public var capacityWaitSeconds: Double? = nil
    /// Spot interruptions and what they cost in requests; nil without spot pools.
    public var spot: SpotSummary? = nil
    /// KV transfers of prefill/decode disaggregation; nil without it.
    public var disaggregation: DisaggregationSummary? = nil
    /// Prefix-cache hit rates, overall and per replica; nil unless a deployment caches prefixes.
    public var prefixCache: PrefixCacheSummary? = nil
}

/// Every request is in exactly one of finished, dropped, in flight: they add up to arrived.
public struct RequestCounts: Codable, Sendable, Equatable {
    public var arrived = 0
    public var finished = 0
    public var dropped = 0
    /// Queued or running when the run ended.
    public var inFlight = 0
    public var droppedByReason: [String: Int] = Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0.rawValue, 0) })
}

/// Share of requests (finished or dropped) meeting each target; drops miss every target.
public struct SLOAttainment: Codable, Sendable, Equatable {
    public var ttftTargetSeconds: Double
    public var itlTargetSeconds: Double
    public var ttft: Double
    public var itl: Double
    /// Both targets at once.
    public var both: Double
}

public struct TokenCounts: Codable, Sendable, Equatable {
    /// Prompt tokens of finished requests.
    public var prompt = 0
    /// Output tokens of finished requests.
    public var output = 0
    public var outputPerSecond = 0.0
}

public struct ColdStartSummary: Codable, Sendable, Equatable {
    /// Replicas that went through a cold start (not the warm fleet at time zero).
    public var started = 0
    /// Of those, the ones that became ready.
    public var completed = 0
    /// Scaled away before they were ready.
    public var cancelled = 0
    /// Still starting when the run ended (`started = completed + cancelled + unfinished`).
    public var unfinished = 0
    /// Mean seconds per stage over the completed ones.
    public var meanPending = 0.0
    public var meanPull = 0.0
    public var meanLoad = 0.0
    public var meanWarmup = 0.0
    public var meanTotal = 0.0
    public var maxTotal = 0.0
}

public struct CostSummary: Codable, Sendable, Equatable {
    /// Node billing over every pool and pricing kind (`PoolBill`): by default per second, rounded
    /// up per node, from request to termination or run end.
    public var dollars = 0.0
    /// Dollars per million output tokens of finished requests.
    public var perMillionOutputTokens = 0.0
    /// Billed node-seconds, reserved ones included.
    public var nodeSeconds = 0.0
    /// With several deployments: the part of `dollars` no deployment's replicas held (nodes
    /// provisioning or empty, and billing's rounding); the deployments' costs add up to the rest.
    public var unattributedDollars: Double? = nil
    /// By pool and pricing kind, in pool order (nil in runs stored before it was recorded).
    public var byPool: [PoolCost]? = nil

    /// Dollars of one pricing kind over every pool (nil when not recorded).
    public func dollars(_ kind: PricingKind) -> Double? {
        byPool.map { $0.filter { $0.pricing == kind }.reduce(0) { $0 + $1.dollars } }
    }
}

/// One sample of the time series. Counts of events are since the previous sample.
public struct SeriesPoint: Codable, Sendable, Equatable {
    public var time: Double
    public var arrivals: Int
    public var finished: Int
    public var dropped: Int
    /// Requests in the system: queued anywhere or running.
    public var inFlight: Int
    public var activatorQueue: Int
    /// Sequences in batches, over all replicas.
    public var running: Int
    public var replicas: ReplicaCounts
    /// Ready or draining replicas with a non-empty batch.
    public var busyReplicas: Int
    public var desiredReplicas: Int
    public var nodesProvisioning: Int
    public var nodesReady: Int
    /// TTFT percentiles of the requests that finished in this interval; nil when none did.
    public var ttftP50: Double?
    public var ttftP99: Double?
}

/// One policy evaluation: what it saw and what it decided.
public struct DecisionRecord: Codable, Sendable, Equatable {
    public var time: Double
    public var replicas: ReplicaCounts
    public var activatorQueue: Int
    /// The latest reading of each signal the policy reads, as of this evaluation.
    public var signals: [SignalInput]
    public var desiredReplicas: Int
    public var reason: String
    /// Knative's excess burst capacity (KPA only; negative puts the activator in the path).
    public var excessBurstCapacity: Double?
    /// KEDA's `Active` condition (KEDA only).
    public var active: Bool?
    /// What each of the policy's PromQL queries returned at this evaluation, in `policy.queries`
    /// order; `nil` for a policy that reads none.
    public var queryValues: [QueryValues]?
    /// The deployment whose policy decided (only when the scenario runs several).
    public var deployment: String? = nil
}

/// A signal reading as recorded in the decision log.
public struct SignalInput: Codable, Sendable, Equatable {
    public var signal: Signal
    /// When the reading was taken (seconds).
    public var sampledAt: Double
    /// Replicas that reported.
    public var reporting: Int
    /// Mean over the reporting replicas.
    public var perReplica: Double
    /// Sum over the reporting replicas, plus the activator's share.
    public var total: Double
}

/// The life of one request; times in seconds, `nil` where it never got that far.
public struct RequestRecord: Codable, Sendable, Equatable {
    public var serial: Int64
    public var arrival: Double
    public var promptTokens: Int
    public var outputTokens: Int
    public var admitted: Double?
    public var firstToken: Double?
    public var finished: Double?
    public var dropped: DropReason?
    /// Its deployment (only when the scenario runs several; `serial` counts within it).
    public var deployment: String? = nil
}

/// One billed node's life, in seconds from the start; `nil` where it had not happened by the end.
public struct NodeRecord: Codable, Sendable, Equatable {
    public var pool: String
    public var gpus: Int
    public var requested: Double
    public var ready: Double?
    public var terminated: Double?
    /// Billed on-demand seconds: request to termination (or run end) less the time a
    /// reservation covered it, rounded per its pool's billing (`PoolBill`).
    public var billedSeconds: Double
}
