/// Dynamo's GPU budget (`_apply_global_gpu_budget` / `_apply_component_gpu_budget` in
/// ai-dynamo/dynamo@002a7c3 `components/src/dynamo/planner/utils/planner_core.py`; the same rules as
/// `_apply_global_budget` / `_budget_clamp` in `core/state_machine.py`@0272cbd).
public struct DynamoGPUBudget: Sendable, Equatable {
    /// Negative: no budget.
    public var maxGPUBudget: Int
    public var minEndpoint: Int
    public var prefillGPUs: Int
    public var decodeGPUs: Int

    public init(maxGPUBudget: Int, minEndpoint: Int, prefillGPUs: Int, decodeGPUs: Int) {
        self.maxGPUBudget = maxGPUBudget
        self.minEndpoint = minEndpoint
        self.prefillGPUs = prefillGPUs
        self.decodeGPUs = decodeGPUs
    }

    /// Prefill and decode together. Over budget: (0, 0) if the budget cannot hold `min_endpoint`
    /// of each; else `P = clamp(⌊P·s⌋, min_endpoint, ⌊(budget − min_endpoint·gd)/gp⌋)` with
    /// `s = budget/total`, and decode gets what is left, `D = max(min_endpoint, ⌊(budget − P·gp)/gd⌋)`.
    public func apply(prefill: Int, decode: Int) -> (prefill: Int, decode: Int) {
        guard maxGPUBudget >= 0 else { return (prefill, decode) }
        let total = prefill * prefillGPUs + decode * decodeGPUs
        guard total > maxGPUBudget else { return (prefill, decode) }
        guard maxGPUBudget >= minEndpoint * prefillGPUs + minEndpoint * decodeGPUs else { return (0, 0) }
        let scale = Double(maxGPUBudget) / Double(total)
        let maxPrefill = (maxGPUBudget - minEndpoint * decodeGPUs) / prefillGPUs
        let p = max(minEndpoint, min(maxPrefill, Int((Double(prefill) * scale).rounded(.down))))
        let d = max(minEndpoint, (maxGPUBudget - p * prefillGPUs) / decodeGPUs)
        return (p, d)
    }

    /// One component (an aggregated deployment, or one side alone): `max(desired, min_endpoint)`,
    /// then over budget 0 if `min_endpoint` engines do not fit, else `max(min_endpoint, ⌊budget/g⌋)`.
    public func apply(_ desired: Int, gpusPerEngine: Int) -> Int {
        let desired = max(desired, minEndpoint)
        guard maxGPUBudget >= 0, desired * gpusPerEngine > maxGPUBudget else { return desired }
        guard maxGPUBudget >= minEndpoint * gpusPerEngine else { return 0 }
        return max(minEndpoint, maxGPUBudget / gpusPerEngine)
    }

    /// `math.ceil` of a replica quotient; a non-finite one reads as 0 (then `min_endpoint` applies).
    static func ceiling(_ value: Double) -> Int {
        guard value.isFinite else { return 0 }
        return Int(min(value.rounded(.up), 1e9))
    }
}
