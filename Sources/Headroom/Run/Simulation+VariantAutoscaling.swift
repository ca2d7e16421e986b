import HeadroomEngine

/// llm-d's workload variant autoscaler for one model, running beside its variants' own scalers.
struct VariantAutoscalerState: Sendable {
    var autoscaler: WorkloadVariantAutoscaler
    let model: WVASpec.Model
    /// The deployment of each of `model.variants`.
    let deployments: [Int]
}

/// What WVA reads of each pod (`internal/collector/registration/saturation.go` at b08b1c7): peaks
/// over the last minute, and 5-minute mean token counts for V2.
enum VariantAutoscalerQueries {
    static let kvUsage = try! PromQLQuery("max_over_time(vllm:kv_cache_usage_perc[1m])")
    static let queue = try! PromQLQuery("max_over_time(vllm:num_requests_waiting[1m])")
    static let inputTokens = try! PromQLQuery("rate(vllm:request_prompt_tokens_sum[5m]) / rate(vllm:request_prompt_tokens_count[5m])")
    static let outputTokens = try! PromQLQuery(
        "rate(vllm:request_generation_tokens_sum[5m]) / rate(vllm:request_generation_tokens_count[5m])")
    static let all = [kvUsage, queue, inputTokens, outputTokens]
    /// vLLM's default KV block size, what `vllm:cache_config_info` reports as `block_size`.
    static let blockSize: Int64 = 16
}

extension Simulation {
    /// One WVA cycle (every 30 s from time zero, after the scalers' own first evaluation): read every
    /// variant's Deployment and pods, decide, and publish `wva_desired_replicas` into each variant's
    /// Prometheus, where its HPA or KEDA reads it. (Upstream's Prometheus scrapes the gauge up to a
    /// scrape interval later; here it is visible at once.)
    mutating func runVariantCycle(_ g: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let group = variantAutoscalers[g]
        var inputs: [WVAVariantInput] = []
        for (variant, d) in zip(group.model.variants, group.deployments) {
            let counts = replicaCounts(d)
            let engine = scenario.deployments[d].replica.engine
            inputs.append(WVAVariantInput(
                name: variant.name, acceleratorLabel: variant.acceleratorLabel, cost: variant.cost,
                specReplicas: deployments[d].controller.desiredReplicas, currentReplicas: counts.active, readyReplicas: counts.ready,
                gpusPerReplica: deployments[d].gpus,
                engine: WVAEngineParams(effectiveMaxBatchedTokens: Int64(engine.maxNumBatchedTokens), maxNumSeqs: Int64(engine.maxNumSeqs)),
                pods: podMetrics(d, at: now)))
        }
        let decision = variantAutoscalers[g].autoscaler.evaluate(WVAModelInput(modelID: group.model.modelID, variants: inputs), at: now)
        let time = Self.promTime(now)
        for (variant, d) in zip(group.model.variants, group.deployments) {
            guard let desired = decision.desiredReplicas[variant.name], deployments[d].prometheus != nil else { continue }
            let labels = Labels([("__name__", WVASpec.gaugeName), ("variant_name", variant.name), ("namespace", variant.namespace),
                                 ("accelerator_type", variant.acceleratorLabel ?? "")])
            deployments[d].prometheus!.store.scraped([ScrapedSample(labels, Double(desired))], target: "wva", at: time)
        }
        schedule(event(.variantCycle, Int32(g)), at: now + WorkloadVariantAutoscaler.interval, queue: &queue)
    }

    /// The pods of deployment `d` its Prometheus saw in the last minute, as WVA's collector reads them.
    private func podMetrics(_ d: Int, at now: SimTime) -> [WVAReplicaMetrics] {
        guard let store = deployments[d].prometheus?.store else { return [] }
        let evaluator = PromQLEvaluator(store: store), time = Self.promTime(now)
        func byPod(_ query: PromQLQuery) -> [String: Double] {
            guard case let .success(.vector(samples)) = Result(catching: { () throws(PromQLError) in
                try evaluator.evaluate(query.expression, at: time)
            }) else { return [:] }
            var values: [String: Double] = [:]
            for sample in samples { if let pod = sample.labels["pod"] { values[pod] = sample.value } }
            return values
        }
        let kv = byPod(VariantAutoscalerQueries.kvUsage), waiting = byPod(VariantAutoscalerQueries.queue)
        let input = byPod(VariantAutoscalerQueries.inputTokens), output = byPod(VariantAutoscalerQueries.outputTokens)
        return kv.keys.sorted { Self.replica(ofPod: $0) < Self.replica(ofPod: $1) }.map { pod in
            let capacity = kvCapacity(ofReplica: Self.replica(ofPod: pod))
            let blocks = capacity < ReplicaEngine.unlimitedKV ? capacity / VariantAutoscalerQueries.blockSize : 0
            return WVAReplicaMetrics(
                kvCacheUsage: kv[pod] ?? 0, queueLength: Int(waiting[pod] ?? 0), numGpuBlocks: blocks,
                blockSize: blocks > 0 ? VariantAutoscalerQueries.blockSize : 0,
                avgInputTokens: input[pod].flatMap { $0.isFinite ? $0 : nil } ?? 0,
                avgOutputTokens: output[pod].flatMap { $0.isFinite ? $0 : nil } ?? 0)
        }
    }

    /// `vllm-12` → 12 (`PrometheusState.podName`).
    private static func replica(ofPod pod: String) -> Int32 { Int32(pod.dropFirst("vllm-".count)) ?? 0 }
}
