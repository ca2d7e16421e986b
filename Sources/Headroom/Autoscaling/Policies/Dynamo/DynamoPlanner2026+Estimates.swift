/// The load loop's per-engine latency estimates and consolidation checks
/// (`_prefill_load_decision`, `_decode_load_decision`, `_agg_prefill_scaling`,
/// `_agg_decode_scaling` in ai-dynamo/dynamo@0c6da1e `core/load_scaling.py`).
extension DynamoPlanner2026 {
    /// Prefill: each engine's next TTFT simulated over its queue; down only if, with every queue
    /// grown by `N/(N−1)`, the queue-induced part (`est − T_own`, `T_own` the estimate with an empty
    /// queue) stays under `(ttft_sla − T_own)·sensitivity`.
    func prefillDecision(_ engines: [DynamoEngineLoad], workers n: Int) -> (desired: Int?, note: String) {
        let mbt = prefillCapabilities.maxNumBatchedTokens
        guard prefillModel.regression.hasSufficientData, n > 0, mbt > 0 else { return (nil, "prefill: insufficient data") }
        let hit = lastKVHitRate, sensitivity = spec.loadScalingDownSensitivity / 100, grow = Self.consolidation(n)
        func estimate(_ queued: Int) -> Double? {
            prefillModel.estimateTTFT(queuedPrefillTokens: queued, maxNumBatchedTokens: mbt, kvHitRate: hit)
        }
        let own = n > 1 ? estimate(0) : nil
        var canDown = n > 1 && own != nil, refused = false
        let ownMs = (own ?? 0) * 1000, queueBudget = (spec.ttft - ownMs) * sensitivity
        if canDown && queueBudget <= 0 { (canDown, refused) = (false, true) }
        var estimates: [Double] = []
        for engine in engines {
            if let est = estimate(engine.queuedPrefillTokens) { estimates.append(est * 1000) }
            guard canDown else { continue }
            guard let post = estimate(Int(Double(engine.queuedPrefillTokens) * grow)) else { canDown = false; continue }
            if post * 1000 - ownMs >= queueBudget { (canDown, refused) = (false, true) }
        }
        let desired = scaleDecision(estimates, sla: spec.ttft, workers: n, canScaleDown: canDown)
        return (desired, note("prefill TTFT", estimates, desired, n, refused: refused))
    }

    /// Decode: each engine's next ITL; down only if every engine's `(scheduled + queued)·N/(N−1)`
    /// KV fits under `max_kv_tokens` and its ITL there stays under `itl_sla·sensitivity`.
    func decodeDecision(_ engines: [DynamoEngineLoad], workers n: Int) -> (desired: Int?, note: String) {
        guard decodeModel.regression.hasSufficientData, n > 0 else { return (nil, "decode: insufficient data") }
        let sensitivity = spec.loadScalingDownSensitivity / 100, grow = Self.consolidation(n)
        let maxKV = decodeCapabilities.maxKVTokens
        var canDown = n > 1, refused = false
        var estimates: [Double] = []
        for engine in engines {
            let kv = engine.scheduledDecodeKVTokens + engine.queuedDecodeKVTokens
            if let est = decodeModel.estimateITL(scheduledKV: engine.scheduledDecodeKVTokens, queuedKV: engine.queuedDecodeKVTokens) {
                estimates.append(est * 1000)
            }
            guard canDown else { continue }
            let post = Int(Double(kv) * grow)
            if maxKV > 0 && post >= maxKV { (canDown, refused) = (false, true); continue }
            guard let itl = decodeModel.estimateITL(scheduledKV: post, queuedKV: 0) else { canDown = false; continue }
            if itl * 1000 >= spec.itl * sensitivity { (canDown, refused) = (false, true) }
        }
        let desired = scaleDecision(estimates, sla: spec.itl, workers: n, canScaleDown: canDown)
        return (desired, note("decode ITL", estimates, desired, n, refused: refused))
    }

    /// Aggregated TTFT rule: as prefill, with each engine's decode KV also grown by `N/(N−1)` and
    /// `T_own` taken at that grown decode load. A refused scale-down answers `N` (not nil), so the
    /// combination cannot read it as a missing signal.
    func aggPrefillDecision(_ engines: [DynamoEngineLoad], workers n: Int) -> (desired: Int?, note: String) {
        let mbt = decodeCapabilities.maxNumBatchedTokens
        let hit = lastKVHitRate, sensitivity = spec.loadScalingDownSensitivity / 100, grow = Self.consolidation(n)
        func estimate(_ queued: Int, _ kv: Int) -> Double? {
            aggModel.estimateTTFT(queuedPrefillTokens: queued, maxNumBatchedTokens: mbt, decodeKV: kv, kvHitRate: hit)
        }
        var canDown = n > 1, refused = false
        var estimates: [Double] = []
        for engine in engines {
            let queued = engine.queuedPrefillTokens, kv = engine.scheduledDecodeKVTokens
            if let est = estimate(queued, kv) { estimates.append(est * 1000) }
            guard canDown else { continue }
            let postKV = Int(Double(kv) * grow)
            guard let own = estimate(0, postKV), let post = estimate(Int(Double(queued) * grow), postKV) else {
                canDown = false
                continue
            }
            let budget = (spec.ttft - own * 1000) * sensitivity
            if budget <= 0 || post * 1000 - own * 1000 >= budget { (canDown, refused) = (false, true) }
        }
        let desired = scaleDecision(estimates, sla: spec.ttft, workers: n, canScaleDown: canDown)
        return (desired ?? (refused ? n : nil), note("TTFT", estimates, desired, n, refused: refused))
    }

    /// Aggregated ITL rule: as decode, with queued prefill counted as future KV in the check.
    func aggDecodeDecision(_ engines: [DynamoEngineLoad], workers n: Int) -> (desired: Int?, note: String) {
        let sensitivity = spec.loadScalingDownSensitivity / 100, grow = Self.consolidation(n)
        let maxKV = decodeCapabilities.maxKVTokens
        var canDown = n > 1, refused = false
        var estimates: [Double] = []
        for engine in engines {
            if let est = aggModel.estimateITL(scheduledKV: engine.scheduledDecodeKVTokens, queuedKV: engine.queuedDecodeKVTokens) {
                estimates.append(est * 1000)
            }
            guard canDown else { continue }
            let combined = engine.scheduledDecodeKVTokens + engine.queuedDecodeKVTokens + engine.queuedPrefillTokens
            let post = Int(Double(combined) * grow)
            if maxKV > 0 && post >= maxKV { (canDown, refused) = (false, true); continue }
            guard let itl = aggModel.estimateITL(scheduledKV: post, queuedKV: 0) else { canDown = false; continue }
            if itl * 1000 >= spec.itl * sensitivity { (canDown, refused) = (false, true) }
        }
        let desired = scaleDecision(estimates, sla: spec.itl, workers: n, canScaleDown: canDown)
        return (desired ?? (refused ? n : nil), note("ITL", estimates, desired, n, refused: refused))
    }
}
