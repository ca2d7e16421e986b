import Foundation

/// V2's optimizer: covers a capacity shortfall with the variants that cost least per token of
/// capacity, and gives back spare capacity from the variants that cost most per replica, keeping the
/// cheapest variant at one replica only when it is the last with any.
///
/// `internal/engines/pipeline/cost_aware_optimizer.go`, llm-d-workload-variant-autoscaler@b08b1c7.
/// Upstream sorts with Go's unstable `sort.Slice`, so its order among equal keys is unspecified;
/// here equal keys keep the VariantAutoscalings' listed order.
public enum WVACostAwareOptimizer {
    public struct Result: Sendable, Equatable {
        /// A target for every variant, starting from its current replicas (pending ones included).
        public var replicas: [String: Int]
        public var reason: String
    }

    public static func optimize(_ analysis: WVATokenAnalyzer.Analysis, _ input: WVAModelInput) -> Result {
        var targets = Dictionary(input.variants.map { ($0.name, $0.currentReplicas) }, uniquingKeysWith: { first, _ in first })
        if analysis.requiredCapacity > 0 {
            let added = scaleUp(analysis, &targets)
            return Result(
                replicas: targets,
                reason: String(format: "V2 scale-up (optimizer: cost-aware, required: %.0f)", analysis.requiredCapacity) + added)
        }
        if analysis.spareCapacity > 0 {
            let removed = scaleDown(analysis, &targets)
            return Result(
                replicas: targets,
                reason: String(format: "V2 scale-down (optimizer: cost-aware, spare: %.0f)", analysis.spareCapacity) + removed)
        }
        return Result(replicas: targets, reason: "V2 steady state")
    }

    /// `costEfficiency`: cost per token of capacity; a variant without capacity sorts last.
    static func efficiency(_ v: WVATokenAnalyzer.VariantCapacity) -> Double {
        v.perReplicaCapacity > 0 ? v.cost / v.perReplicaCapacity : .greatestFiniteMagnitude
    }

    /// `costAwareScaleUp`: pending replicas are not skipped (the analyzer counted them as supply).
    static func scaleUp(_ analysis: WVATokenAnalyzer.Analysis, _ targets: inout [String: Int]) -> String {
        let order = analysis.variants.enumerated().sorted {
            (efficiency($0.element), $0.offset) < (efficiency($1.element), $1.offset)
        }
        var remaining = analysis.requiredCapacity, notes: [String] = []
        for v in order.map(\.element) {
            guard remaining > 0 else { break }
            guard v.perReplicaCapacity > 0 else { continue }
            let needed = Int((remaining / v.perReplicaCapacity).rounded(.up))
            targets[v.name, default: 0] += needed
            remaining -= Double(needed) * v.perReplicaCapacity
            notes.append("+\(needed) \(v.name)")
        }
        return notes.isEmpty ? "" : ": " + notes.joined(separator: ", ")
    }

    /// `costAwareScaleDown`.
    static func scaleDown(_ analysis: WVATokenAnalyzer.Analysis, _ targets: inout [String: Int]) -> String {
        let order = analysis.variants.enumerated().sorted { ($0.element.cost, -$0.offset) > ($1.element.cost, -$1.offset) }
        // `findCheapestVariant`: the first with the lowest cost.
        var cheapest: String?, lowest = Double.greatestFiniteMagnitude
        for v in analysis.variants where v.cost < lowest { (cheapest, lowest) = (v.name, v.cost) }
        var remaining = analysis.spareCapacity, notes: [String] = []
        for v in order.map(\.element) {
            guard remaining > 0 else { break }
            guard v.perReplicaCapacity > 0 else { continue }
            let current = targets[v.name] ?? 0
            let othersHaveReplicas = targets.contains { $0.key != cheapest && $0.value > 0 }
            let floor = v.name == cheapest && !othersHaveReplicas ? 1 : 0
            let removable = current - floor
            guard removable > 0 else { continue }
            let removed = min(Int((remaining / v.perReplicaCapacity).rounded(.down)), removable)
            guard removed > 0 else { continue }
            targets[v.name] = current - removed
            remaining -= Double(removed) * v.perReplicaCapacity
            notes.append("-\(removed) \(v.name)")
        }
        return notes.isEmpty ? "" : ": " + notes.joined(separator: ", ")
    }
}
