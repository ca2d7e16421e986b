import HeadroomEngine

/// Dynamo's planner in the shape its spec names, built on Headroom's profiles: the one value a
/// controller holds. The classic planner's profiling tables and the 2026 planner's bootstrap
/// regressions both come from the engines' step-time model.
///
/// Cadence (`PlannerStateMachine._next_scheduled_tick`, ai-dynamo/dynamo@0272cbd
/// `core/state_machine.py`): a throughput tick every `throughputInterval`, a load tick every
/// `loadInterval` (2026 only; it also feeds the regressions when load scaling is off). Ticks due
/// within 0.5 s of each other run together through `tick`, where a load decision wins.
public enum DynamoPlanner: Sendable {
    case sla2025(DynamoSLAPlanner<DynamoStepTimeEngine>)
    case y2026(DynamoPlanner2026)

    /// `maxContextLength`: the longest prompt + output the engines serve (the profile sweep's top).
    public init(spec: DynamoPlannerSpec, prefillProfile: HardwareProfile, prefill: DynamoEngineCapabilities,
                decodeProfile: HardwareProfile, decode: DynamoEngineCapabilities, maxContextLength: Int) {
        switch spec.generation {
        case .sla2025:
            let range = 1...Double(max(1, maxContextLength))
            let p = DynamoStepTimeEngine(
                profile: prefillProfile, capabilities: prefill, islRange: range, maxContextLength: range.upperBound)
            let d = DynamoStepTimeEngine(
                profile: decodeProfile, capabilities: decode, islRange: range, maxContextLength: range.upperBound)
            self = .sla2025(DynamoSLAPlanner(
                spec: spec, prefillTables: DynamoProfileTables(engine: p), decodeTables: DynamoProfileTables(engine: d)))
        case .y2026:
            self = .y2026(.bootstrapped(
                spec: spec, prefillProfile: prefillProfile, prefill: prefill, decodeProfile: decodeProfile, decode: decode))
        }
    }

    public var spec: DynamoPlannerSpec {
        switch self {
        case let .sla2025(planner): planner.spec
        case let .y2026(planner): planner.spec
        }
    }

    /// Seconds between throughput ticks (`throughput_adjustment_interval`).
    public var throughputInterval: Double { spec.throughputAdjustmentInterval }
    /// Seconds between load ticks; nil for the classic planner, which has none.
    public var loadInterval: Double? { spec.generation == .y2026 ? spec.loadAdjustmentInterval : nil }

    /// One throughput tick (the classic planner's only tick).
    public mutating func throughputTick(_ window: DynamoTrafficWindow, workers: DynamoWorkerCounts) -> DynamoDecision {
        switch self {
        case var .sla2025(planner):
            let decision = planner.plan(window: window, workers: workers)
            self = .sla2025(planner)
            return decision
        case var .y2026(planner):
            let decision = planner.throughputTick(window)
            self = .y2026(planner)
            return decision
        }
    }

    /// One load tick: every engine's latest forward pass (`decode` holds the engines in agg mode).
    public mutating func loadTick(prefill: [DynamoEngineLoad], decode: [DynamoEngineLoad], workers: DynamoWorkerCounts)
        -> DynamoDecision
    {
        guard case var .y2026(planner) = self else { return DynamoDecision(reason: "the classic SLA planner has no load loop") }
        let decision = planner.loadTick(prefill: prefill, decode: decode, workers: workers)
        self = .y2026(planner)
        return decision
    }

    /// Both loops on one instant (`on_tick`): load first; the throughput decision applies only when
    /// the load loop asked for nothing. Either input may be absent (that loop is not due).
    public mutating func tick(window: DynamoTrafficWindow?, engines: (prefill: [DynamoEngineLoad], decode: [DynamoEngineLoad])?,
                              workers: DynamoWorkerCounts) -> DynamoDecision {
        let load = engines.map { loadTick(prefill: $0.prefill, decode: $0.decode, workers: workers) }
        let throughput = window.map { throughputTick($0, workers: workers) }
        if let load, load.scales { return load }
        return throughput ?? load ?? DynamoDecision(reason: "no loop due")
    }
}
