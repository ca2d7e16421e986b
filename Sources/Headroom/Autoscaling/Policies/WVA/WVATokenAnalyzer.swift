/// WVA's V2 token-based analyzer (`analyzerName: saturation`): per replica a capacity in tokens,
/// `min(k1, k2)`, where k1 is the KV cache up to the threshold and k2 the compute bound learnt when
/// the queue backs up; per variant the median over its pods; for the model, demand against supply.
///
/// `internal/engines/analyzers/saturation_v2/analyzer.go`, `history.go`, `constants.go`,
/// `capacity_store.go`, llm-d-workload-variant-autoscaler@b08b1c7. What it keeps between cycles (the
/// k2 history and the capacity store) is `state`.
public struct WVATokenAnalyzer: Sendable, Equatable {
    public var state = State()

    public init() {}

    /// One variant's capacity, as `interfaces.VariantCapacity`.
    public struct VariantCapacity: Sendable, Equatable {
        public var name: String
        /// From the variant's first pod; a variant with no pod has cost 0 and no accelerator upstream
        /// (`aggregateByVariant` reads both from the metrics), which makes it look cheapest.
        public var cost: Double
        public var acceleratorLabel: String?
        /// Ready replicas: current − pending.
        public var readyCount: Int
        public var pendingReplicas: Int
        public var perReplicaCapacity: Double
        public var totalCapacity: Double
        public var totalDemand: Double
    }

    /// `interfaces.AnalyzerResult`.
    public struct Analysis: Sendable, Equatable {
        public var variants: [VariantCapacity]
        public var totalSupply: Double
        public var totalDemand: Double
        public var anticipatedSupply: Double
        /// `max(0, demand / scaleUpThreshold − anticipated)`.
        public var requiredCapacity: Double
        /// `max(0, supply − demand / scaleDownBoundary)`.
        public var spareCapacity: Double
    }

    /// `BytesPerToken`.
    static let bytesPerToken = 4.0

    public mutating func analyze(_ input: WVAModelInput, config: WVASaturationConfig) -> Analysis {
        // The engine first loads each Deployment's engine args into the store (`runV2AnalysisOnly`).
        for variant in input.variants { state.loadFromDeployment(variant) }
        // Phase 1: per replica, in pod order (the store keeps the last pod's capacity).
        var replicas: [String: [(capacity: Int64, demand: Int64)]] = [:]
        for variant in input.variants {
            for pod in variant.pods {
                guard let replica = state.replicaCapacity(pod, of: variant, modelID: input.modelID, config: config) else {
                    continue
                }
                replicas[variant.name, default: []].append(replica)
            }
        }
        // Phase 2: per variant.
        let workload = Self.workloadAverages(input)
        var variants: [VariantCapacity] = []
        for variant in input.variants {
            let first = variant.pods.isEmpty ? nil : variant
            let pending = variant.pendingReplicas
            let ready = max(0, variant.currentReplicas - pending)
            var perReplica = 0.0, demand = 0.0
            if let own = replicas[variant.name], !own.isEmpty {
                perReplica = Double(Self.median(own.map(\.capacity)))
                demand = own.reduce(0.0) { $0 + Double($1.demand) }
            } else if let record = state.capacity[variant.name], record.effectiveCapacity > 0 {
                perReplica = state.storedCapacity(record, model: input, avgInput: workload.input, avgOutput: workload.output)
            }
            variants.append(
                VariantCapacity(
                    name: variant.name, cost: first?.cost ?? 0, acceleratorLabel: first?.acceleratorLabel, readyCount: ready,
                    pendingReplicas: pending, perReplicaCapacity: perReplica, totalCapacity: Double(ready) * perReplica,
                    totalDemand: demand))
        }
        // Phase 3: the model.
        var supply = 0.0, anticipated = 0.0, demand = 0.0
        for v in variants {
            supply += v.totalCapacity
            demand += v.totalDemand
            anticipated += Double(v.readyCount + v.pendingReplicas) * v.perReplicaCapacity
        }
        demand += Self.schedulerQueueDemand(input.schedulerQueue, workload)
        // Phase 4: the signals.
        let required = config.scaleUpThreshold > 0 ? max(0, demand / config.scaleUpThreshold - anticipated) : 0
        let spare = config.scaleDownBoundary > 0 ? max(0, supply - demand / config.scaleDownBoundary) : 0
        return Analysis(
            variants: variants, totalSupply: supply, totalDemand: demand, anticipatedSupply: anticipated,
            requiredCapacity: required, spareCapacity: spare)
    }

    /// `computeModelWorkloadAverages`: means over the pods that report either token mean.
    static func workloadAverages(_ input: WVAModelInput) -> (input: Double, output: Double, hitRate: Double) {
        var sumIn = 0.0, sumOut = 0.0, sumHit = 0.0, count = 0
        for pod in input.variants.flatMap(\.pods) where pod.avgInputTokens > 0 || pod.avgOutputTokens > 0 {
            sumIn += pod.avgInputTokens
            sumOut += pod.avgOutputTokens
            sumHit += pod.prefixCacheHitRate
            count += 1
        }
        guard count > 0 else { return (0, 0, 0) }
        return (sumIn / Double(count), sumOut / Double(count), sumHit / Double(count))
    }

    /// `estimateSchedulerQueueDemand`: input tokens from bytes or count, whichever is more, less the
    /// prefix-cache hits; output tokens in full.
    static func schedulerQueueDemand(_ queue: WVASchedulerQueue?, _ workload: (input: Double, output: Double, hitRate: Double))
        -> Double
    {
        guard let queue, queue.size != 0 || queue.bytes != 0 else { return 0 }
        let inputTokens = max(Double(queue.bytes) / bytesPerToken, Double(queue.size) * workload.input) * (1 - workload.hitRate)
        return inputTokens + Double(queue.size) * workload.output
    }

    /// `median`: the middle value, or the integer mean of the middle two.
    static func median(_ values: [Int64]) -> Int64 {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted(), n = sorted.count
        return n % 2 == 0 ? (sorted[n / 2 - 1] + sorted[n / 2]) / 2 : sorted[n / 2]
    }
}
