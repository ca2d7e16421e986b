import Foundation

/// NVIDIA Dynamo's classic SLA planner (2025 H2), disaggregated: every adjustment interval it
/// forecasts the next interval's requests, ISL and OSL, corrects the profile by what it observed,
/// and converts the forecast to prefill and decode replicas through the profiling tables.
///
/// Upstream (ai-dynamo/dynamo): `components/src/dynamo/planner/utils/planner_core.py`@002a7c3
/// (`observe_traffic_stats`, `plan_adjustment`, `_apply_global_gpu_budget`),
/// `utils/prefill_planner.py`@002a7c3 and `utils/decode_planner.py`@0ff5001
/// (`_update_correction_factor`, `_compute_replica_requirements`).
public struct DynamoSLAPlanner<Engine: DynamoProfiledEngine>: Sendable {
    public let spec: DynamoPlannerSpec
    public let prefillTables: DynamoProfileTables<Engine>
    public let decodeTables: DynamoProfileTables<Engine>
    public private(set) var requests: DynamoLoadPredictor
    public private(set) var isl: DynamoLoadPredictor
    public private(set) var osl: DynamoLoadPredictor
    /// Observed TTFT / profiled TTFT at the observed ISL (1 until first corrected).
    public private(set) var prefillCorrection = 1.0
    /// Observed ITL / profiled ITL at the observed per-worker concurrency (1 until first corrected).
    public private(set) var decodeCorrection = 1.0

    public init(spec: DynamoPlannerSpec, prefillTables: DynamoProfileTables<Engine>, decodeTables: DynamoProfileTables<Engine>) {
        self.spec = spec
        self.prefillTables = prefillTables
        self.decodeTables = decodeTables
        requests = spec.predictor()
        isl = spec.predictor()
        osl = spec.predictor()
    }

    /// One adjustment interval. The predictors take the window's readings first, whatever they
    /// are (NaN reads as 0); a window with a NaN mean TTFT, ITL, ISL or OSL (no traffic) then
    /// plans nothing.
    public mutating func plan(window: DynamoTrafficWindow, workers: DynamoWorkerCounts) -> DynamoDecision {
        requests.add(window.requestCount)
        isl.add(window.isl)
        osl.add(window.osl)
        guard ![window.ttft, window.itl, window.isl, window.osl].contains(where: \.isNaN) else {
            return DynamoDecision(reason: "no traffic (a window mean is NaN): skip")
        }
        let interval = spec.throughputAdjustmentInterval
        if !spec.noCorrection {
            prefillCorrection = window.ttft * 1000 / prefillTables.ttft(isl: window.isl)
            // Little's law per decode worker; with no decode worker the factor keeps its value.
            if workers.readyDecode > 0 {
                let concurrency = window.requestCount / Double(workers.readyDecode) * window.requestDuration / interval
                decodeCorrection = window.itl * 1000
                    / decodeTables.itl(concurrency: concurrency, context: window.isl + window.osl / 2)
            }
        }
        let nextRequests = requests.predictNext(), nextISL = isl.predictNext(), nextOSL = osl.predictNext()
        let p = prefillReplicas(requests: nextRequests, isl: nextISL)
        let d = decodeReplicas(requests: nextRequests, isl: nextISL, osl: nextOSL)
        let (prefill, decode) = spec.budget.apply(prefill: p, decode: d)
        let budgetNote = (prefill, decode) == (p, d) ? "" : " (GPU budget: \(p)P+\(d)D → \(prefill)P+\(decode)D)"
        return DynamoDecision(
            prefill: prefill, decode: decode,
            reason: "forecast \(Self.format(nextRequests)) req, ISL \(Self.format(nextISL)), OSL \(Self.format(nextOSL)); "
                + "p_corr \(Self.format(prefillCorrection)), d_corr \(Self.format(decodeCorrection))\(budgetNote)")
    }

    /// `need_p = R·ISL/I·min(1, p_corr)` tokens/s; `max(min_endpoint, ⌈need_p / thpt_per_gpu(ISL) / gpus⌉)`.
    /// The cap keeps queueing, which inflates observed TTFT, from inflating the count.
    public func prefillReplicas(requests: Double, isl: Double) -> Int {
        let need = requests * isl / spec.throughputAdjustmentInterval * min(1, prefillCorrection)
        let perGPU = prefillTables.prefillThroughputPerGPU(isl: isl)
        return max(spec.minEndpoint, DynamoGPUBudget.ceiling(need / perGPU / Double(spec.prefillEngineNumGPU)))
    }

    /// The ITL target tightened by the observed slow-down (`itl / d_corr`; the plain target when
    /// `d_corr <= 0`), the best per-GPU throughput meeting it at context `ISL + OSL/2`, then
    /// `max(min_endpoint, ⌈R·OSL/I / thpt / gpus⌉)`; `min_endpoint` when no throughput is positive.
    public func decodeReplicas(requests: Double, isl: Double, osl: Double) -> Int {
        let target = decodeCorrection <= 0 ? spec.itl : spec.itl / decodeCorrection
        let perGPU = decodeTables.bestThroughputPerGPU(itlTarget: target, context: isl + osl / 2).throughput
        guard perGPU > 0 else { return spec.minEndpoint }
        let need = requests * osl / spec.throughputAdjustmentInterval
        return max(spec.minEndpoint, DynamoGPUBudget.ceiling(need / perGPU / Double(spec.decodeEngineNumGPU)))
    }

    static func format(_ value: Double) -> String { String(format: "%.3g", value) }
}
