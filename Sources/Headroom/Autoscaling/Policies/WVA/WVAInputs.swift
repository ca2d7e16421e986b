import HeadroomEngine

/// What WVA reads of one pod each cycle, as its collector builds `interfaces.ReplicaMetrics`
/// (`internal/collector/replica_metrics.go`, queries in `internal/collector/registration/saturation.go`,
/// llm-d-workload-variant-autoscaler@b08b1c7).
///
/// A pod is seen when Prometheus holds a sample of it within the last minute; the first two values
/// are peaks over that minute (`max_over_time(...[1m])`), the token means are 5-minute rates.
public struct WVAReplicaMetrics: Sendable, Equatable {
    /// `max_over_time(vllm:kv_cache_usage_perc[1m])`, 0…1.
    public var kvCacheUsage: Double
    /// `max_over_time(vllm:num_requests_waiting[1m])`, truncated to a whole number as the collector does.
    public var queueLength: Int
    /// `vllm:cache_config_info` labels (V2); zero when the pod does not export them.
    public var numGpuBlocks: Int64
    public var blockSize: Int64
    /// `rate(vllm:request_prompt_tokens_sum[5m]) / rate(..._count[5m])` (V2); zero when unknown.
    public var avgInputTokens: Double
    /// The same for `vllm:request_generation_tokens` (V2).
    public var avgOutputTokens: Double
    /// `rate(vllm:prefix_cache_hits[5m]) / rate(vllm:prefix_cache_queries[5m])` (V2, scheduler queue only).
    public var prefixCacheHitRate: Double

    public init(
        kvCacheUsage: Double, queueLength: Int, numGpuBlocks: Int64 = 0, blockSize: Int64 = 0,
        avgInputTokens: Double = 0, avgOutputTokens: Double = 0, prefixCacheHitRate: Double = 0
    ) {
        self.kvCacheUsage = kvCacheUsage
        self.queueLength = queueLength
        self.numGpuBlocks = numGpuBlocks
        self.blockSize = blockSize
        self.avgInputTokens = avgInputTokens
        self.avgOutputTokens = avgOutputTokens
        self.prefixCacheHitRate = prefixCacheHitRate
    }

    /// `TotalKvCapacityTokens`: blocks × block size, zero without `cache_config_info`.
    var kvCapacityTokens: Int64 { numGpuBlocks > 0 && blockSize > 0 ? numGpuBlocks * blockSize : 0 }

    /// `TokensInUse`: usage × capacity, rounded and clamped to the capacity.
    var tokensInUse: Int64 {
        let capacity = kvCapacityTokens
        guard capacity > 0 else { return 0 }
        return Int64(min(max((kvCacheUsage * Double(capacity)).rounded(), 0), Double(capacity)))
    }
}

/// The vLLM engine settings WVA V2 parses from a variant's Deployment args
/// (`saturation_v2/deployment_parser.go`): the per-step token budget and the sequence cap.
public struct WVAEngineParams: Sendable, Equatable {
    /// `EffectiveMaxBatchedTokens`: `--max-num-batched-tokens`, else 8192 (V1 engine, chunked prefill).
    public var effectiveMaxBatchedTokens: Int64
    /// `--max-num-seqs`, default 256.
    public var maxNumSeqs: Int64

    public init(effectiveMaxBatchedTokens: Int64 = 8192, maxNumSeqs: Int64 = 256) {
        self.effectiveMaxBatchedTokens = effectiveMaxBatchedTokens
        self.maxNumSeqs = maxNumSeqs
    }
}

/// One variant (one `VariantAutoscaling` and its Deployment) as WVA sees it at one cycle.
public struct WVAVariantInput: Sendable, Equatable {
    /// The VariantAutoscaling's name: `variant_name` on `wva_desired_replicas`.
    public var name: String
    /// The VA's `inference.optimization/acceleratorName` label. Upstream takes the accelerator from it
    /// alone; a variant without it is never given `wva_desired_replicas` (engine.go skips the status update).
    public var acceleratorLabel: String?
    /// `spec.variantCost` (default 10).
    public var cost: Double
    /// Deployment `spec.replicas`, what the HPA or KEDA last set. At 0 the variant is inactive: the
    /// saturation engine ignores it (`ActiveVariantAutoscaling`) and only scale-from-zero looks at it.
    public var specReplicas: Int
    /// Deployment `status.replicas` (or `spec.replicas` when that is 0): every pod, ready or not.
    public var currentReplicas: Int
    /// Deployment `status.readyReplicas`.
    public var readyReplicas: Int
    /// GPUs one replica requests (`getDeploymentGPUsPerReplica`, 1 when none is requested).
    public var gpusPerReplica: Int
    /// What V2 parses from the Deployment's vLLM args; nil if the Deployment was not found.
    public var engine: WVAEngineParams?
    /// One entry per pod Prometheus saw in the last minute.
    public var pods: [WVAReplicaMetrics]

    public init(
        name: String, acceleratorLabel: String?, cost: Double = 10, specReplicas: Int? = nil, currentReplicas: Int,
        readyReplicas: Int,
        gpusPerReplica: Int = 1, engine: WVAEngineParams? = WVAEngineParams(), pods: [WVAReplicaMetrics]
    ) {
        self.name = name
        self.specReplicas = specReplicas ?? currentReplicas
        self.acceleratorLabel = acceleratorLabel
        self.cost = cost
        self.currentReplicas = currentReplicas
        self.readyReplicas = readyReplicas
        self.gpusPerReplica = gpusPerReplica
        self.engine = engine
        self.pods = pods
    }

    /// `PendingReplicas`: current − ready, never negative (`BuildVariantStates`).
    var pendingReplicas: Int { max(0, currentReplicas - readyReplicas) }
}

/// Requests held in the llm-d inference scheduler's flow-control queue (V2 only). At b08b1c7 the
/// engine never fills this in (`engine_v2.go`: "TODO: populate SchedulerQueue"), so pass nil to match it.
public struct WVASchedulerQueue: Sendable, Equatable {
    public var size: Int
    public var bytes: Int64

    public init(size: Int, bytes: Int64) {
        self.size = size
        self.bytes = bytes
    }
}

/// All variants of one model (`modelID` + namespace, `GroupVariantAutoscalingByModel`) at one cycle.
public struct WVAModelInput: Sendable, Equatable {
    public var modelID: String
    /// In the order the VariantAutoscalings are listed; order breaks cost ties where upstream's is unspecified.
    public var variants: [WVAVariantInput]
    public var schedulerQueue: WVASchedulerQueue?
    /// Requests to the model over the scale-to-zero retention period; read only when scale-to-zero is on.
    public var requestsInRetention: Double?

    public init(
        modelID: String, variants: [WVAVariantInput], schedulerQueue: WVASchedulerQueue? = nil, requestsInRetention: Double? = nil
    ) {
        self.modelID = modelID
        self.variants = variants
        self.schedulerQueue = schedulerQueue
        self.requestsInRetention = requestsInRetention
    }
}
