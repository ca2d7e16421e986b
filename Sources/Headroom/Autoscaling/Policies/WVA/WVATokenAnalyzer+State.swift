/// What V2 remembers between cycles: the rolling k2 observations per workload bucket and the
/// per-variant capacity store (`history.go`, `capacity_store.go`, `analyzer.go` `computeK2`,
/// `estimateStoredCapacity`, llm-d-workload-variant-autoscaler@b08b1c7). Wall-clock eviction
/// (24 h history, 7 d store) is not modelled.
extension WVATokenAnalyzer {
    /// `RollingAverageWindowSize`.
    static let historyWindow = 10

    /// `CapacityRecord`, reduced to what the analyzer reads back.
    public struct CapacityRecord: Sendable, Equatable {
        public var acceleratorLabel: String?
        public var gpuCount: Int
        public var engine: WVAEngineParams?
        public var effectiveCapacity: Int64
        /// `LearnedFrom == "live"` (from a running pod) rather than from the Deployment.
        public var live: Bool
    }

    public struct State: Sendable, Equatable {
        /// Observed k2 values, oldest first, keyed `modelID|accelerator|short|medium|long`.
        public var k2History: [String: [Double]] = [:]
        /// Keyed by variant name.
        public var capacity: [String: CapacityRecord] = [:]

        /// `LoadFromDeployment`: never over live data; a conservative capacity of one step's token budget.
        mutating func loadFromDeployment(_ variant: WVAVariantInput) {
            guard let engine = variant.engine, capacity[variant.name]?.live != true else { return }
            capacity[variant.name] = CapacityRecord(
                acceleratorLabel: variant.acceleratorLabel, gpuCount: variant.gpusPerReplica, engine: engine,
                effectiveCapacity: max(0, engine.effectiveMaxBatchedTokens), live: false)
        }

        /// `computeReplicaCapacity`; nil for a pod without `cache_config_info`.
        mutating func replicaCapacity(
            _ pod: WVAReplicaMetrics, of variant: WVAVariantInput, modelID: String, config: WVASaturationConfig
        ) -> (capacity: Int64, demand: Int64)? {
            let total = pod.kvCapacityTokens, inUse = pod.tokensInUse
            guard total > 0 else { return nil }
            var demand = inUse
            if pod.avgInputTokens > 0 { demand += Int64(pod.queueLength) * Int64(pod.avgInputTokens) }
            let k1 = Int64(Double(total) * config.kvCacheThreshold)
            let engine = capacity[variant.name]?.engine
            let k2 = computeK2(
                pod, accelerator: variant.acceleratorLabel ?? "", modelID: modelID, config: config, engine: engine, k1: k1)
            let effective = min(k1, k2)
            capacity[variant.name] = CapacityRecord(
                acceleratorLabel: variant.acceleratorLabel, gpuCount: variant.gpusPerReplica, engine: engine,
                effectiveCapacity: effective, live: true)
            return (effective, demand)
        }

        /// The priority chain: observed (queue at its threshold), history, derived from engine args, k1.
        mutating func computeK2(
            _ pod: WVAReplicaMetrics, accelerator: String, modelID: String, config: WVASaturationConfig,
            engine: WVAEngineParams?, k1: Int64
        ) -> Int64 {
            let key = "\(modelID)|\(accelerator)|\(Self.outputBucket(pod.avgOutputTokens))"
            let inUse = pod.tokensInUse
            // Upstream compares with int(queueThreshold): a threshold of 5.5 counts as 5.
            if pod.queueLength >= Int(config.queueLengthThreshold) && inUse > 0 {
                var window = k2History[key] ?? []
                if window.count >= historyWindow { window.removeFirst() }
                window.append(Double(inUse))
                k2History[key] = window
                return inUse
            }
            if let window = k2History[key], !window.isEmpty {
                let mean = window.reduce(0, +) / Double(window.count)
                if mean > 0 { return Int64(mean) }
            }
            let derived = Self.derivedCapacity(engine, input: pod.avgInputTokens, output: pod.avgOutputTokens)
            return derived > 0 ? derived : k1
        }

        /// `estimateStoredCapacity` for a variant with no pod this cycle.
        func storedCapacity(_ record: CapacityRecord, model: WVAModelInput, avgInput avgIn: Double, avgOutput avgOut: Double)
            -> Double
        {
            if record.live { return Double(record.effectiveCapacity) }
            guard let engine = record.engine, avgOut > 0 else { return Double(record.effectiveCapacity) }
            let derived = Self.derivedCapacity(engine, input: avgIn, output: avgOut)
            guard derived > 0 else { return Double(record.effectiveCapacity) }
            var bounded = derived
            // `FindCompatible`: same accelerator, GPU count and step budget; the first live one in VA order.
            let compatible = model.variants.compactMap { capacity[$0.name] }.first {
                $0.live && $0.acceleratorLabel == record.acceleratorLabel && $0.gpuCount == record.gpuCount
                    && $0.engine?.effectiveMaxBatchedTokens == engine.effectiveMaxBatchedTokens && $0.effectiveCapacity > 0
            }
            if let compatible, compatible.effectiveCapacity < bounded { bounded = compatible.effectiveCapacity }
            return Double(bounded)
        }

        /// `estimateCapacityFromParams`: `min(B·O/(I+O), S) · (I + O/2)`.
        static func derivedCapacity(_ engine: WVAEngineParams?, input: Double, output: Double) -> Int64 {
            guard let engine, engine.effectiveMaxBatchedTokens > 0, output > 0 else { return 0 }
            let steady = min(Double(engine.effectiveMaxBatchedTokens) * output / (input + output), Double(engine.maxNumSeqs))
            return max(0, Int64(steady * (input + output / 2)))
        }

        /// `classifyOutputLength`: under 100, under 500, the rest.
        static func outputBucket(_ output: Double) -> String { output < 100 ? "short" : output < 500 ? "medium" : "long" }
    }
}
