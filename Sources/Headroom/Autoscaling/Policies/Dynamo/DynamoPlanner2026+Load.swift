/// The 2026 planner's load loop (`LoadScalingMixin`, ai-dynamo/dynamo@0c6da1e
/// `components/src/dynamo/planner/core/load_scaling.py`), SLA mode.
///
/// Per component with `N` ready engines: scale up to `N+1` when *every* engine's latency estimate
/// exceeds the SLA; scale down to `max(N−1, min_endpoint)` only when *every* engine passes the
/// consolidation check — its load grown by `N/(N−1)` still fits (PR #9294, which ended a 2↔1
/// oscillation under constant load); else hold. Then `final = budget(max(desired, floor,
/// min_endpoint))`. Nothing is decided for a component whose expected count differs from its ready
/// count (a scale in progress; upstream checks this in single-component and agg modes, the
/// reference documents it per component) or when the engines reporting differ from the ready count.
extension DynamoPlanner2026 {
    /// One load interval: observe every engine's latest forward pass, then decide. `decode` holds
    /// the aggregated engines in agg mode (`prefill` is then ignored).
    public mutating func loadTick(prefill: [DynamoEngineLoad], decode: [DynamoEngineLoad], workers: DynamoWorkerCounts)
        -> DynamoDecision
    {
        observe(prefill: spec.mode == .agg ? [] : prefill, decode: decode)
        guard spec.enableLoadScaling else { return DynamoDecision(reason: "load scaling disabled") }
        return spec.mode == .agg ? aggregatedLoad(decode, workers) : disaggregatedLoad(prefill, decode, workers)
    }

    func disaggregatedLoad(_ prefill: [DynamoEngineLoad], _ decode: [DynamoEngineLoad], _ workers: DynamoWorkerCounts)
        -> DynamoDecision
    {
        guard !prefill.isEmpty || !decode.isEmpty else { return DynamoDecision(reason: "no FPM data") }
        for (name, engines, ready) in [("prefill", prefill, workers.readyPrefill), ("decode", decode, workers.readyDecode)]
        where !engines.isEmpty && Self.distinctWorkers(engines) != ready {
            return DynamoDecision(
                reason: "worker count mismatch: \(Self.distinctWorkers(engines)) \(name) engines report, \(ready) ready")
        }
        let prefillBusy = workers.expectedPrefill != workers.readyPrefill
        let decodeBusy = workers.expectedDecode != workers.readyDecode
        var p: (desired: Int?, note: String) = (nil, "prefill: no FPM data")
        var d: (desired: Int?, note: String) = (nil, "decode: no FPM data")
        if prefillBusy {
            p.note = "prefill: scaling in progress (\(workers.readyPrefill) ready, \(workers.expectedPrefill) expected)"
        } else if !prefill.isEmpty {
            p = prefillDecision(prefill, workers: workers.readyPrefill)
        }
        if decodeBusy {
            d.note = "decode: scaling in progress (\(workers.readyDecode) ready, \(workers.expectedDecode) expected)"
        } else if !decode.isEmpty {
            d = decodeDecision(decode, workers: workers.readyDecode)
        }
        var finalP = prefillBusy ? workers.expectedPrefill : p.desired ?? workers.readyPrefill
        var finalD = decodeBusy ? workers.expectedDecode : d.desired ?? workers.readyDecode
        if spec.enableThroughputScaling {
            if !prefillBusy { finalP = max(finalP, prefillFloor) }
            if !decodeBusy { finalD = max(finalD, decodeFloor) }
        }
        if !prefillBusy { finalP = max(finalP, spec.minEndpoint) }
        if !decodeBusy { finalD = max(finalD, spec.minEndpoint) }
        (finalP, finalD) = spec.budget.apply(prefill: finalP, decode: finalD)
        let outP = prefillBusy ? nil : finalP, outD = decodeBusy ? nil : finalD
        let reason = "\(p.note); \(d.note)"
        guard (outP ?? workers.readyPrefill) != workers.readyPrefill || (outD ?? workers.readyDecode) != workers.readyDecode
        else { return DynamoDecision(reason: "no change: \(reason)") }
        return DynamoDecision(prefill: outP, decode: outD, reason: reason)
    }

    func aggregatedLoad(_ engines: [DynamoEngineLoad], _ workers: DynamoWorkerCounts) -> DynamoDecision {
        let n = workers.readyDecode
        guard !engines.isEmpty else { return DynamoDecision(reason: "no FPM data") }
        guard workers.expectedDecode == n else {
            return DynamoDecision(reason: "scaling in progress (\(n) ready, \(workers.expectedDecode) expected): observe only")
        }
        guard Self.distinctWorkers(engines) == n else {
            return DynamoDecision(reason: "worker count mismatch: \(Self.distinctWorkers(engines)) engines report, \(n) ready")
        }
        guard aggModel.regression.hasSufficientData else { return DynamoDecision(reason: "agg regression: insufficient data") }
        let p = decodeCapabilities.maxNumBatchedTokens > 0 ? aggPrefillDecision(engines, workers: n) : nil
        let d = aggDecodeDecision(engines, workers: n)
        var desired = n
        if let up = p?.desired, up > n {
            desired = up
        } else if let up = d.desired, up > n {
            desired = up
        } else if p == nil, let down = d.desired, down < n {
            desired = down
        } else if let pd = p?.desired, pd < n, let dd = d.desired, dd < n {
            // Down only when both rules allow it, to the larger of the two targets.
            desired = max(pd, dd)
        }
        desired = max(desired, spec.minEndpoint)
        if spec.enableThroughputScaling { desired = max(desired, decodeFloor) }
        desired = spec.budget.apply(desired, gpusPerEngine: spec.decodeEngineNumGPU)
        let reason = "\(p?.note ?? "TTFT: max_num_batched_tokens unknown"); \(d.note)"
        guard desired != n else { return DynamoDecision(reason: "no change: \(reason)") }
        return DynamoDecision(decode: desired, reason: reason)
    }

    static func distinctWorkers(_ engines: [DynamoEngineLoad]) -> Int { Set(engines.map(\.workerID)).count }

    /// `_scale_decision`: `N+1` if every estimate exceeds the SLA; `max(N−1, min_endpoint)` if
    /// `N > 1` and the consolidation check passed; else nil (hold). No estimate: nil.
    func scaleDecision(_ estimates: [Double], sla: Double, workers n: Int, canScaleDown: Bool) -> Int? {
        guard !estimates.isEmpty else { return nil }
        if estimates.allSatisfy({ $0 > sla }) { return n + 1 }
        if n > 1 && canScaleDown { return max(n - 1, spec.minEndpoint) }
        return nil
    }

    static func consolidation(_ n: Int) -> Double { n > 1 ? Double(n) / Double(n - 1) : 1 }

    /// A component's verdict in words.
    func note(_ label: String, _ estimates: [Double], _ desired: Int?, _ n: Int, refused: Bool) -> String {
        let worst = estimates.max().map { "max estimate \(Self.format($0)) ms" } ?? "no estimate"
        switch desired {
        case let up? where up > n: return "\(label): every engine over the SLA (\(worst)) → \(up)"
        case let down? where down < n: return "\(label): N/(N−1) consolidation fits (\(worst)) → \(down)"
        default: return "\(label): hold (\(worst)\(refused ? ", scale-down refused by the N/(N−1) check" : ""))"
        }
    }
}
