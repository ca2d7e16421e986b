/// The 2026 planner's decode perf model (`DecodeRegressionModel`, ai-dynamo/dynamo@439d645
/// `core/perf_model/decode.py`): wall time as a function of (decode requests, decode KV tokens),
/// the request coefficient clipped to 0 when it comes out negative.
public struct DynamoDecodeModel: Sendable, Equatable {
    public private(set) var regression: DynamoRegression
    public private(set) var averageDecodeLength: DynamoMovingAverage
    public private(set) var averageDecodeRequests: DynamoMovingAverage
    public private(set) var maxObservedKV = 0.0

    public init(spec: DynamoPlannerSpec) {
        regression = DynamoRegression(
            dimensions: 2, maxSamples: spec.maxNumFPMSamples, minObservations: spec.loadMinObservations,
            bucketCount: spec.fpmSampleBucketSize, clippable: 0)
        averageDecodeLength = DynamoMovingAverage(window: spec.maxNumFPMSamples)
        averageDecodeRequests = DynamoMovingAverage(window: spec.maxNumFPMSamples)
    }

    public mutating func observe(_ fpm: DynamoEngineLoad) {
        if fpm.scheduledDecodeRequests > 0 {
            averageDecodeLength.add(Double(fpm.scheduledDecodeKVTokens) / Double(fpm.scheduledDecodeRequests))
        }
        averageDecodeRequests.add(Double(fpm.scheduledDecodeRequests))
        maxObservedKV = max(maxObservedKV, Double(fpm.scheduledDecodeKVTokens))
        regression.add(Double(fpm.scheduledDecodeRequests), Double(fpm.scheduledDecodeKVTokens), wall: fpm.wallTime)
    }

    /// `estimate_next_itl`, seconds: the next iteration with one more request than the mean and
    /// `scheduled + queued + mean decode length` KV tokens.
    public func estimateITL(scheduledKV: Int, queuedKV: Int) -> Double? {
        regression.predict(averageDecodeRequests.value + 1, Double(scheduledKV + queuedKV) + averageDecodeLength.value)
    }

    /// `find_best_engine_decode_rps`: the largest batch `B ∈ [1, min(max_kv/ctx, max_num_seqs)]`
    /// whose iteration `wall(B, B·ctx)` meets the ITL target (binary search; fallbacks for the
    /// bound: max observed KV / ctx, then 256), and by Little's law `B / (OSL · wall)` requests/s.
    /// If batch 1 misses the target, batch 1's rate (the caller still scales on it).
    public func bestEngineRate(itlMilliseconds itl: Double, context: Double, osl: Double, maxKVTokens: Int, maxNumSeqs: Int)
        -> (rps: Double, itlMilliseconds: Double, batch: Int)
    {
        guard regression.coefficients != nil, context > 0, osl > 0, itl > 0 else { return (0, 0, 0) }
        let kvCap: Int
        if maxKVTokens > 0 {
            kvCap = max(1, Int(Double(maxKVTokens) / context))
        } else if maxObservedKV > 0 {
            kvCap = max(1, Int(maxObservedKV / context))
        } else {
            kvCap = 256
        }
        let seqCap = maxNumSeqs > 0 ? maxNumSeqs : kvCap
        var lo = 1, hi = max(1, min(kvCap, seqCap))
        var best = 1, bestWall = regression.predict(1, context) ?? 0
        guard bestWall * 1000 <= itl else { return (1 / (osl * bestWall), bestWall * 1000, 1) }
        while lo <= hi {
            let mid = (lo + hi) / 2
            let wall = regression.predict(Double(mid), Double(mid) * context) ?? 0
            if wall * 1000 <= itl {
                (best, bestWall) = (mid, wall)
                lo = mid + 1
            } else {
                hi = mid - 1
            }
        }
        return (Double(best) / (osl * bestWall), bestWall * 1000, best)
    }
}
