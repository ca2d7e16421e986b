/// What runs after either analyzer (`internal/engines/pipeline/enforcer.go`,
/// llm-d-workload-variant-autoscaler@b08b1c7): with scale-to-zero on, a model with no request over
/// the retention period goes to zero everywhere; with it off, a model whose targets sum to zero keeps
/// one replica on its cheapest variant.
public enum WVAEnforcer {
    /// `DefaultVariantCost`: the cost of a variant the analysis does not list.
    public static let defaultVariantCost = 10.0

    /// `costs` are the analysis' costs per variant (V1: variants with pods; V2: every variant, 0 when
    /// it has no pod). Returns the enforced targets and a note when something changed.
    public static func enforce(
        _ targets: [String: Int], costs: [String: Double], scaleToZero: WVAScaleToZeroConfig, requestsInRetention: Double?
    ) -> (replicas: [String: Int], note: String?) {
        if scaleToZero.enabled {
            // A failed request-count query keeps the targets; the simulator's "unknown" is nil.
            guard let count = requestsInRetention, count <= 0 else { return (targets, nil) }
            return (targets.mapValues { _ in 0 }, "no requests in the retention period: scaled to zero")
        }
        guard targets.values.reduce(0, +) <= 0 else { return (targets, nil) }
        let cheapest = targets.keys.min { left, right in
            let l = costs[left] ?? defaultVariantCost, r = costs[right] ?? defaultVariantCost
            return (l, left) < (r, right)
        }
        guard let cheapest else { return (targets, nil) }
        var kept = targets
        kept[cheapest] = 1
        return (kept, "scale-to-zero off: 1 replica kept on cheapest variant \(cheapest)")
    }
}
