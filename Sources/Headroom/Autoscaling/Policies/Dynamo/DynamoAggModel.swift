/// The 2026 planner's aggregated perf model (`AggRegressionModel`, ai-dynamo/dynamo@518a702
/// `components/src/dynamo/planner/core/perf_model/agg.py`): one regression of wall time on
/// (prefill tokens, decode KV tokens) for engines that chunk prefills into decode iterations.
public struct DynamoAggModel: Sendable, Equatable {
    public private(set) var regression: DynamoRegression
    public private(set) var averageISL: DynamoMovingAverage
    public private(set) var averageDecodeLength: DynamoMovingAverage
    public private(set) var averagePrefillTokens: DynamoMovingAverage

    public init(spec: DynamoPlannerSpec) {
        regression = DynamoRegression(
            dimensions: 2, maxSamples: spec.maxNumFPMSamples, minObservations: spec.loadMinObservations,
            bucketCount: spec.fpmSampleBucketSize)
        averageISL = DynamoMovingAverage(window: spec.maxNumFPMSamples)
        averageDecodeLength = DynamoMovingAverage(window: spec.maxNumFPMSamples)
        averagePrefillTokens = DynamoMovingAverage(window: spec.maxNumFPMSamples)
    }

    public mutating func observe(_ fpm: DynamoEngineLoad) {
        if fpm.scheduledPrefillRequests > 0 {
            averageISL.add(Double(fpm.scheduledPrefillTokens) / Double(fpm.scheduledPrefillRequests))
        }
        if fpm.scheduledDecodeRequests > 0 {
            averageDecodeLength.add(Double(fpm.scheduledDecodeKVTokens) / Double(fpm.scheduledDecodeRequests))
        }
        averagePrefillTokens.add(Double(fpm.scheduledPrefillTokens))
        regression.add(Double(fpm.scheduledPrefillTokens), Double(fpm.scheduledDecodeKVTokens), wall: fpm.wallTime)
    }

    /// `estimate_next_ttft`, seconds: `(queued + mean ISL)·(1 − hit rate)` tokens in chunks, each
    /// iteration also carrying `decodeKV` tokens of decode.
    public func estimateTTFT(queuedPrefillTokens: Int, maxNumBatchedTokens: Int, decodeKV: Int, kvHitRate: Double?) -> Double? {
        guard regression.coefficients != nil, maxNumBatchedTokens > 0 else { return nil }
        let total = (Double(queuedPrefillTokens) + averageISL.value) * (1 - DynamoPlanner2026.clampHitRate(kvHitRate))
        return DynamoPrefillModel.chunked(total, maxNumBatchedTokens) { regression.predict($0, Double(decodeKV)) ?? 0 }
    }

    /// `estimate_next_itl`, seconds: the mean prefill load piggybacked on `scheduled + queued +
    /// mean decode length` KV tokens.
    public func estimateITL(scheduledKV: Int, queuedKV: Int) -> Double? {
        regression.predict(averagePrefillTokens.value, Double(scheduledKV + queuedKV) + averageDecodeLength.value)
    }

    /// `find_best_engine_agg_rps`: batch sizes up to the smallest of the KV cap `max_kv/(ISL+OSL/2)`
    /// (1024 if unknown), `max_num_seqs`, `max_num_batched_tokens − 1` and the prefill/decode balance
    /// `ISL/(mbt − x) ≤ OSL` (binary search); then, from batch 1 up, the last batch whose iteration
    /// `wall(min(B·ISL_eff/OSL, mbt), B·ctx)` meets the ITL target and whose TTFT estimate meets the
    /// TTFT target; `B / (OSL·wall)` requests/s. Batch 1 failing still gives batch 1's rate.
    public func bestEngineRate(isl: Double, osl: Double, maxNumBatchedTokens mbt: Int, ttftMilliseconds ttftSLA: Double,
                               itlMilliseconds itlSLA: Double, maxKVTokens: Int, maxNumSeqs: Int, kvHitRate: Double?)
        -> (rps: Double, ttftMilliseconds: Double, itlMilliseconds: Double)
    {
        guard regression.coefficients != nil, isl > 0, osl > 0, mbt > 0 else { return (0, 0, 0) }
        let effectiveISL = isl * (1 - DynamoPlanner2026.clampHitRate(kvHitRate))
        let context = isl + osl / 2
        let kvCap = maxKVTokens > 0 ? max(1, Int(Double(maxKVTokens) / max(1, context))) : 1024
        let seqCap = maxNumSeqs > 0 ? maxNumSeqs : kvCap
        let hardCap = min(kvCap, seqCap, mbt - 1)
        func balanced(_ x: Int) -> Bool { mbt - x > 0 && isl / Double(mbt - x) <= osl }
        var lo = 1, hi = max(1, hardCap)
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if balanced(mid) { lo = mid } else { hi = mid - 1 }
        }
        var best: (rps: Double, ttftMilliseconds: Double, itlMilliseconds: Double) = (0, 0, 0)
        for batch in 1...lo {
            let decodeKV = Double(batch) * context
            let prefill = min(Double(batch) * effectiveISL / max(1, osl), Double(mbt))
            let wall = regression.predict(prefill, decodeKV) ?? 0
            // Upstream's sweep calls the TTFT estimate without a hit rate.
            let ttft = (estimateTTFT(
                queuedPrefillTokens: Int(prefill), maxNumBatchedTokens: mbt, decodeKV: Int(decodeKV), kvHitRate: nil) ?? 0) * 1000
            if wall * 1000 > itlSLA || ttft > ttftSLA {
                if batch == 1 { best = (1 / (osl * wall), ttft, wall * 1000) }
                break
            }
            best = (Double(batch) / (osl * wall), ttft, wall * 1000)
        }
        return best
    }
}
