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
