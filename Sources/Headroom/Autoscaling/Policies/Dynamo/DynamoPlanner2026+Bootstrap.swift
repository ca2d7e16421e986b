/// Bootstrapping the 2026 planner's regressions before live traffic. Dynamo bootstraps them, in
/// order of preference, from worker self-benchmarks, AI Configurator estimates, profiler data or
/// live FPM (`load_benchmark_fpms` in ai-dynamo/dynamo@0272cbd `core/state_machine.py`); Headroom's
/// profiler data is its step-time model, so the benchmark forward passes are iterations priced by
/// `HardwareProfile.iterationTime` at a fixed, small grid of shapes.
extension DynamoPlanner2026 {
    /// A planner whose regressions start from benchmark passes of the given profiles (prefill and
    /// decode engines; in agg mode the decode profile and capabilities are the aggregated engine's).
    public static func bootstrapped(spec: DynamoPlannerSpec, prefillProfile: HardwareProfile, prefill: DynamoEngineCapabilities,
                                    decodeProfile: HardwareProfile, decode: DynamoEngineCapabilities) -> DynamoPlanner2026 {
        var planner = DynamoPlanner2026(spec: spec, prefill: prefill, decode: decode)
        switch spec.mode {
        case .disagg:
            planner.observe(
                prefill: prefillBenchmark(prefillProfile, prefill), decode: decodeBenchmark(decodeProfile, decode))
        case .agg:
            planner.observe(prefill: [], decode: aggBenchmark(decodeProfile, decode))
        }
        return planner
    }

    /// One prompt alone at 1/8, 2/8, …, 8/8 of `max_num_batched_tokens`.
    public static func prefillBenchmark(_ profile: HardwareProfile, _ caps: DynamoEngineCapabilities) -> [DynamoEngineLoad] {
        (1...8).map { k in
            let tokens = max(1, caps.maxNumBatchedTokens * k / 8)
            let wall = profile.iterationTime(decodes: 0, prefills: [(chunk: tokens, cached: 0)], decodeContext: 0)
            return DynamoEngineLoad(
                workerID: 0, wallTime: wall.seconds, scheduledPrefillTokens: tokens, scheduledPrefillRequests: 1)
        }
    }

    /// Pure decode iterations: batches 1, 4, 16, 64, 256 (up to `max_num_seqs`) of 512, 2,048 and
    /// 8,192-token sequences, where they fit in `max_kv_tokens`.
    public static func decodeBenchmark(_ profile: HardwareProfile, _ caps: DynamoEngineCapabilities) -> [DynamoEngineLoad] {
        var out: [DynamoEngineLoad] = []
        for batch in [1, 4, 16, 64, 256] where batch <= max(1, caps.maxNumSeqs) {
            for context in [512, 2048, 8192] where batch * context <= caps.maxKVTokens {
                let kv = batch * context
                let wall = profile.iterationTime(decodes: batch, prefills: [], decodeContext: Int64(kv))
                out.append(DynamoEngineLoad(
                    workerID: 0, wallTime: wall.seconds, scheduledDecodeRequests: batch, scheduledDecodeKVTokens: kv))
            }
        }
        return out
    }

    /// Mixed iterations: a prefill chunk of 0, ¼, ½ or all of `max_num_batched_tokens` with 0, 16 or
    /// 64 decoding sequences of 2,048 tokens (where they fit).
    public static func aggBenchmark(_ profile: HardwareProfile, _ caps: DynamoEngineCapabilities) -> [DynamoEngineLoad] {
        var out: [DynamoEngineLoad] = []
        for quarter in [0, 1, 2, 4] {
            let chunk = caps.maxNumBatchedTokens * quarter / 4
            for batch in [0, 16, 64] where batch <= caps.maxNumSeqs && batch * 2048 <= caps.maxKVTokens {
                guard chunk > 0 || batch > 0 else { continue }
                let kv = batch * 2048
                let prefills: [(chunk: Int, cached: Int)] = chunk > 0 ? [(chunk: chunk, cached: 0)] : []
                let wall = profile.iterationTime(decodes: batch, prefills: prefills, decodeContext: Int64(kv))
                out.append(DynamoEngineLoad(
                    workerID: 0, wallTime: wall.seconds, scheduledPrefillTokens: chunk,
                    scheduledPrefillRequests: chunk > 0 ? 1 : 0, scheduledDecodeRequests: batch, scheduledDecodeKVTokens: kv))
            }
        }
        return out
    }
}
