import Foundation

/// The 2026 planner's prefill perf model (`PrefillRegressionModel`, ai-dynamo/dynamo@a2b2ed2
/// `components/src/dynamo/planner/core/perf_model/prefill.py`): wall time as a function of the
/// iteration's prefill tokens, and the moving mean ISL of the prefills it has seen.
public struct DynamoPrefillModel: Sendable, Equatable {
    public private(set) var regression: DynamoRegression
    public private(set) var averageISL: DynamoMovingAverage

    public init(spec: DynamoPlannerSpec) {
        regression = DynamoRegression(
            dimensions: 1, maxSamples: spec.maxNumFPMSamples, minObservations: spec.loadMinObservations,
            bucketCount: spec.fpmSampleBucketSize)
        averageISL = DynamoMovingAverage(window: spec.maxNumFPMSamples)
    }

    public mutating func observe(_ fpm: DynamoEngineLoad) {
        if fpm.scheduledPrefillRequests > 0 {
            averageISL.add(Double(fpm.scheduledPrefillTokens) / Double(fpm.scheduledPrefillRequests))
        }
        regression.add(Double(fpm.scheduledPrefillTokens), wall: fpm.wallTime)
    }

    /// `estimate_next_ttft`, seconds: `(queued + avg ISL)·(1 − hit rate)` tokens in
    /// `max_num_batched_tokens` chunks, summing the predicted wall time of each. The hit-rate
    /// discount is the newer signature `core/load_scaling.py`@0c6da1e calls (as `agg.py` does it).
    public func estimateTTFT(queuedPrefillTokens: Int, maxNumBatchedTokens: Int, kvHitRate: Double?) -> Double? {
        guard regression.coefficients != nil, maxNumBatchedTokens > 0 else { return nil }
        let total = (Double(queuedPrefillTokens) + averageISL.value) * (1 - DynamoPlanner2026.clampHitRate(kvHitRate))
        return DynamoPrefillModel.chunked(total, maxNumBatchedTokens) { regression.predict($0) ?? 0 }
    }

    /// `find_best_engine_prefill_rps`: one prefill of `isl` tokens (in whole chunks and a remainder
    /// past `max_num_batched_tokens`) takes `wt`; the engine serves `1/wt` requests/s; TTFT `wt`.
    public func bestEngineRate(isl: Double, maxNumBatchedTokens: Int) -> (rps: Double, ttftMilliseconds: Double) {
        guard regression.coefficients != nil, isl > 0 else { return (0, 0) }
        let mbt = Double(maxNumBatchedTokens)
        var wall: Double
        if maxNumBatchedTokens > 0 && isl > mbt {
            let chunks = (isl / mbt).rounded(.up)
            wall = (chunks - 1) * (regression.predict(mbt) ?? 0) + (regression.predict(isl - (chunks - 1) * mbt) ?? 0)
        } else {
            wall = regression.predict(isl) ?? 0
        }
        return (1 / wall, wall * 1000)
    }

    /// `total` tokens cut into `chunk`-token pieces, each priced by `wall`.
    static func chunked(_ total: Double, _ chunk: Int, _ wall: (Double) -> Double) -> Double {
        guard total > 0 else { return 0 }
        var remaining = total, time = 0.0
        for _ in 0..<Int((total / Double(chunk)).rounded(.up)) {
            let piece = min(remaining, Double(chunk))
            time += wall(piece)
            remaining -= piece
        }
        return time
    }
}

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
