/// V1's step from analysis to targets (`CalculateSaturationTargets`, `internal/saturation/analyzer.go`,
/// llm-d-workload-variant-autoscaler@b08b1c7): hold the whole model while any variant is between
/// states, else one replica more on the cheapest variant without pending pods, or one fewer on the
/// most expensive variant above one replica.
extension WVASaturationAnalysis {
    public struct Targets: Sendable, Equatable {
        /// Only variants with pods reporting get a target (the others get no decision upstream).
        public var replicas: [String: Int]
        public var reason: String
    }

    /// `desired` is each VA's `status.desiredOptimizedAlloc.numReplicas` from the previous cycle (0 or
    /// absent: unset).
    public func targets(_ input: WVAModelInput, desired: [String: Int]) -> Targets {
        let states = Dictionary(input.variants.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard !variants.isEmpty else {
            return Targets(replicas: states.mapValues(\.currentReplicas), reason: "no variant analysis: current replicas")
        }
        func current(_ name: String) -> Int { states[name]?.currentReplicas ?? 0 }
        // Step 1: the model-wide transition gate.
        var reasons: [String] = []
        for share in variants {
            let want = desired[share.name] ?? 0, have = current(share.name)
            if want != 0 && want != have { reasons.append("\(share.name): desired(\(want))!=current(\(have))") }
            if share.replicaCount != have { reasons.append("\(share.name): metrics(\(share.replicaCount))!=current(\(have))") }
        }
        if !reasons.isEmpty {
            var held: [String: Int] = [:]
            for share in variants {
                let want = desired[share.name] ?? 0, have = current(share.name)
                held[share.name] = want != 0 && want != have ? want : have
            }
            return Targets(replicas: held, reason: "model in transition, scaling blocked: " + reasons.joined(separator: ", "))
        }
        // Step 2: a stable model starts from the pods reporting.
        var targets = Dictionary(variants.map { ($0.name, $0.replicaCount) }, uniquingKeysWith: { first, _ in first })
        if shouldScaleUp {
            let eligible = variants.filter { (states[$0.name]?.pendingReplicas ?? 0) == 0 }
            guard let cheapest = eligible.min(by: { ($0.cost, $0.name) < ($1.cost, $1.name) }) else {
                return Targets(
                    replicas: targets, reason: "scale-up wanted (\(scaleUpReason)) but every variant has pending replicas")
            }
            targets[cheapest.name, default: 0] += 1
            return Targets(replicas: targets, reason: "scale-up cheapest variant \(cheapest.name): \(scaleUpReason)")
        }
        if scaleDownSafe {
            let eligible = variants.filter { (targets[$0.name] ?? 0) > 1 }
            guard let priciest = eligible.max(by: { ($0.cost, $0.name) < ($1.cost, $1.name) }) else {
                return Targets(replicas: targets, reason: "scale-down safe but no variant above 1 replica")
            }
            targets[priciest.name, default: 0] -= 1
            return Targets(replicas: targets, reason: "scale-down most expensive variant \(priciest.name)")
        }
        return Targets(replicas: targets, reason: "no scaling needed")
    }
}
