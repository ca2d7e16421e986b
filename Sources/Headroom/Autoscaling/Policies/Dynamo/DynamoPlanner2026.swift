import Foundation

/// NVIDIA Dynamo's 2026 planner (`PlannerStateMachine`, ai-dynamo/dynamo@0272cbd
/// `components/src/dynamo/planner/core/state_machine.py`; loops in `core/throughput_scaling.py`
/// @0c9050c and `core/load_scaling.py`@0c6da1e).
///
/// A slow throughput loop (every `throughput_adjustment_interval`) forecasts demand and, through
/// the wall-time regressions, the replicas that serve it; with load scaling on, that is only a floor.
/// A fast load loop (every `load_adjustment_interval`) reads each engine's forward-pass metrics and
/// moves ±1 above the floor. Call `throughputTick` and `loadTick` at those cadences; on a tick where
/// both run, upstream applies the load decision and drops the throughput one.
public struct DynamoPlanner2026: Sendable {
    public let spec: DynamoPlannerSpec
    /// Prefill engines (disagg); unused in agg mode.
    public let prefillCapabilities: DynamoEngineCapabilities
    /// Decode engines (disagg), or the aggregated engines (agg).
    public let decodeCapabilities: DynamoEngineCapabilities
    public internal(set) var prefillModel: DynamoPrefillModel
    public internal(set) var decodeModel: DynamoDecodeModel
    public internal(set) var aggModel: DynamoAggModel
    public private(set) var requests: DynamoLoadPredictor
    public private(set) var isl: DynamoLoadPredictor
    public private(set) var osl: DynamoLoadPredictor
    /// The newest KV hit rate (last-value semantics; nil: cold start, read as 0).
    public internal(set) var lastKVHitRate: Double?
    /// The throughput loop's lower bounds (upstream starts them at 1).
    public internal(set) var prefillFloor = 1
    public internal(set) var decodeFloor = 1

    /// Models start empty: feed them with `observe` (or use `bootstrapped`).
    public init(spec: DynamoPlannerSpec, prefill: DynamoEngineCapabilities, decode: DynamoEngineCapabilities) {
        self.spec = spec
        prefillCapabilities = prefill
        decodeCapabilities = decode
        prefillModel = DynamoPrefillModel(spec: spec)
        decodeModel = DynamoDecodeModel(spec: spec)
        aggModel = DynamoAggModel(spec: spec)
        requests = spec.predictor()
        isl = spec.predictor()
        osl = spec.predictor()
    }

    /// Feeds forward-pass metrics to the regressions (`_observe_fpm`): `prefill` to the prefill
    /// model, `decode` to the decode model, or in agg mode `decode` to the aggregated model.
    public mutating func observe(prefill: [DynamoEngineLoad], decode: [DynamoEngineLoad]) {
        switch spec.mode {
        case .agg:
            for fpm in decode { aggModel.observe(fpm) }
        case .disagg:
            for fpm in prefill { prefillModel.observe(fpm) }
            for fpm in decode { decodeModel.observe(fpm) }
        }
    }

    static func clampHitRate(_ rate: Double?) -> Double {
        guard let rate, !rate.isNaN else { return 0 }
        return max(0, min(1, rate))
    }

    /// One throughput interval (`_observe_traffic`, `_advance_throughput`). With load scaling on it
    /// only sets the floors and asks for nothing.
    public mutating func throughputTick(_ window: DynamoTrafficWindow) -> DynamoDecision {
        guard spec.enableThroughputScaling else { return DynamoDecision(reason: "throughput scaling disabled") }
        requests.add(window.requestCount)
        isl.add(window.isl)
        osl.add(window.osl)
        if let rate = window.kvHitRate, !rate.isNaN { lastKVHitRate = rate }
        let nextRequests = requests.predictNext(), nextISL = isl.predictNext(), nextOSL = osl.predictNext()
        guard window.seconds > 0 else { return DynamoDecision(reason: "no traffic data (window of 0 s)") }
        let demand = nextRequests / window.seconds
        let hitRate = lastKVHitRate
        let forecast = "forecast \(Self.format(demand)) req/s, ISL \(Self.format(nextISL)), OSL \(Self.format(nextOSL))"
        switch spec.mode {
        case .disagg:
            guard let p = prefillReplicas(demand: demand, isl: nextISL, hitRate: hitRate),
                let d = decodeReplicas(demand: demand, isl: nextISL, osl: nextOSL)
            else { return DynamoDecision(reason: "perf model not ready") }
            if spec.enableLoadScaling {
                (prefillFloor, decodeFloor) = (p, d)
                return DynamoDecision(reason: "\(forecast): floors \(p)P, \(d)D")
            }
            let (prefill, decode) = spec.budget.apply(prefill: p, decode: d)
            return DynamoDecision(prefill: prefill, decode: decode, reason: "\(forecast): \(p)P, \(d)D")
        case .agg:
            let caps = decodeCapabilities
            let rate = aggModel.bestEngineRate(
                isl: nextISL, osl: nextOSL, maxNumBatchedTokens: caps.maxNumBatchedTokens, ttftMilliseconds: spec.ttft,
                itlMilliseconds: spec.itl, maxKVTokens: caps.maxKVTokens, maxNumSeqs: caps.maxNumSeqs, kvHitRate: hitRate)
            guard rate.rps > 0 else { return DynamoDecision(reason: "perf model not ready") }
            let desired = max(DynamoGPUBudget.ceiling(demand / rate.rps), spec.minEndpoint)
            if spec.enableLoadScaling {
                decodeFloor = desired
                return DynamoDecision(reason: "\(forecast): floor \(desired)")
            }
            let engines = spec.budget.apply(desired, gpusPerEngine: spec.decodeEngineNumGPU)
            return DynamoDecision(decode: engines, reason: "\(forecast): \(desired) engines")
        }
    }

    /// Prefill: ISL discounted by the hit rate; the engine's rate `1/wt`; a latency floor
    /// `⌈ttft_est/ttft_sla⌉` when one prefill alone misses the SLA; `max(⌈demand/rate⌉, floor, min_endpoint)`.
    public func prefillReplicas(demand: Double, isl: Double, hitRate: Double?) -> Int? {
        let effective = isl * (1 - Self.clampHitRate(hitRate))
        let rate = prefillModel.bestEngineRate(isl: effective, maxNumBatchedTokens: prefillCapabilities.maxNumBatchedTokens)
        guard rate.rps > 0 else { return nil }
        let floor = rate.ttftMilliseconds > spec.ttft ? Int((rate.ttftMilliseconds / spec.ttft).rounded(.up)) : 1
        return max(DynamoGPUBudget.ceiling(demand / rate.rps), floor, spec.minEndpoint)
    }

    /// Decode: the largest batch meeting the ITL SLA at context `ISL + OSL/2`, Little's law for the
    /// engine's rate, `max(⌈demand/rate⌉, min_endpoint)`.
    public func decodeReplicas(demand: Double, isl: Double, osl: Double) -> Int? {
        let caps = decodeCapabilities
        let rate = decodeModel.bestEngineRate(
            itlMilliseconds: spec.itl, context: isl + osl / 2, osl: osl, maxKVTokens: caps.maxKVTokens,
            maxNumSeqs: caps.maxNumSeqs)
        guard rate.rps > 0 else { return nil }
        return max(DynamoGPUBudget.ceiling(demand / rate.rps), spec.minEndpoint)
    }

    static func format(_ value: Double) -> String { String(format: "%.3g", value) }
}
