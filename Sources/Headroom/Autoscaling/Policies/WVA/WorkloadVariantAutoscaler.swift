import HeadroomEngine

/// llm-d's workload variant autoscaler for one model: every `interval` it reads all the model's
/// variants, decides a replica count per variant with the V1 or V2 analyzer, and publishes it as the
/// gauge `wva_desired_replicas{variant_name=…}` for an HPA or KEDA to follow. It never scales a
/// Deployment itself.
///
/// The cycle follows `internal/engines/saturation/engine.go` (`optimize`, `optimizeV1`, `optimizeV2`,
/// `applySaturationDecisions`) and `internal/metrics/metrics.go` at
/// llm-d-workload-variant-autoscaler@b08b1c77c89d284361e40b2a9315e93ef46e7022. A pure value: the
/// simulator supplies `WVAModelInput` each cycle and applies the gauge through its HPA or KEDA.
public struct WorkloadVariantAutoscaler: Sendable, Equatable {
    /// The polling executor's fixed period (`NewEngine`: `Interval: 30 * time.Second`).
    public static let interval = SimTime.seconds(30)

    public var config: WVASaturationConfig
    public var scaleToZero: WVAScaleToZeroConfig
    public var state = State()

    public init(config: WVASaturationConfig = .shipped, scaleToZero: WVAScaleToZeroConfig = .disabled) {
        self.config = config
        self.scaleToZero = scaleToZero
    }

    /// What upstream keeps between cycles.
    public struct State: Sendable, Equatable {
        /// Each VA's `status.desiredOptimizedAlloc`: the last target written and its accelerator.
        public var status: [String: Alloc] = [:]
        /// The gauge as Prometheus holds it: a variant keeps its last value until it is set again.
        public var gauge: [String: Int] = [:]
        /// V2's k2 history and capacity store.
        public var tokenAnalyzer = WVATokenAnalyzer()
        public var lastRun: SimTime?
    }

    /// `OptimizedAlloc`, less its timestamp.
    public struct Alloc: Sendable, Equatable {
        public var replicas: Int
        public var accelerator: String
    }

    /// One cycle's outcome.
    public struct Decision: Sendable, Equatable {
        /// `wva_desired_replicas` per variant after the cycle: what an HPA or KEDA reads. A variant
        /// absent here has no series (never given an accelerator), and its scaler holds its replicas.
        public var desiredReplicas: [String: Int]
        /// The variants whose gauge and status this cycle wrote.
        public var updated: [String]
        /// The analyzer's targets before they were published (nil: the model was skipped).
        public var targets: [String: Int]?
        public var reason: String
    }

    /// Runs one cycle at `now` for the model in `input`.
    public mutating func evaluate(_ model: WVAModelInput, at now: SimTime) -> Decision {
        state.lastRun = now
        // `ActiveVariantAutoscaling`: a variant whose Deployment asks for 0 replicas is not analysed,
        // refreshed or published; scale-from-zero alone can wake it.
        var input = model
        input.variants.removeAll { $0.specReplicas <= 0 }
        guard !input.variants.isEmpty else {
            return Decision(desiredReplicas: state.gauge, updated: [], targets: nil, reason: "no active VariantAutoscalings")
        }
        guard input.variants.contains(where: { !$0.pods.isEmpty }) else {
            // `prepareModelData`: no metrics, model skipped; every VA is refreshed from its status.
            return publish(input, targets: nil, accelerators: [:], reason: "no saturation metrics available: model skipped")
        }
        let targets: [String: Int], costs: [String: Double], accelerators: [String: String?], reason: String
        switch config.analyzer {
        case .v1:
            let analysis = WVASaturationAnalysis(input, config: config)
            let desired = state.status.mapValues(\.replicas)
            let result = analysis.targets(input, desired: desired)
            (targets, reason) = (result.replicas, result.reason)
            costs = Dictionary(analysis.variants.map { ($0.name, $0.cost) }, uniquingKeysWith: { a, _ in a })
            accelerators = Dictionary(analysis.variants.map { ($0.name, $0.acceleratorLabel) }, uniquingKeysWith: { a, _ in a })
        case .v2:
            let analysis = state.tokenAnalyzer.analyze(input, config: config)
            let result = WVACostAwareOptimizer.optimize(analysis, input)
            (targets, reason) = (result.replicas, result.reason)
            costs = Dictionary(analysis.variants.map { ($0.name, $0.cost) }, uniquingKeysWith: { a, _ in a })
            accelerators = Dictionary(analysis.variants.map { ($0.name, $0.acceleratorLabel) }, uniquingKeysWith: { a, _ in a })
        }
        let enforced = WVAEnforcer.enforce(
            targets, costs: costs, scaleToZero: scaleToZero, requestsInRetention: input.requestsInRetention)
        let why = enforced.note.map { "\(reason); \($0)" } ?? reason
        return publish(input, targets: enforced.replicas, accelerators: accelerators, reason: why)
    }

    /// `applySaturationDecisions` and `EmitReplicaMetrics`: a decided variant takes its target and the
    /// accelerator of its analysis; an undecided one its previous status (0 if none). Without an
    /// accelerator neither status nor gauge is written.
    mutating func publish(_ input: WVAModelInput, targets: [String: Int]?, accelerators: [String: String?], reason: String)
        -> Decision
    {
        var updated: [String] = []
        for variant in input.variants {
            let previous = state.status[variant.name]
            let replicas: Int, accelerator: String
            if let target = targets?[variant.name] {
                replicas = target
                accelerator = (accelerators[variant.name] ?? nil) ?? ""
            } else {
                replicas = previous.map { $0.replicas > 0 ? $0.replicas : 0 } ?? 0
                accelerator = previous?.accelerator ?? ""
            }
            guard !accelerator.isEmpty else { continue }
            state.status[variant.name] = Alloc(replicas: replicas, accelerator: accelerator)
            state.gauge[variant.name] = replicas
            updated.append(variant.name)
        }
        let skipped = input.variants.map(\.name).filter { !updated.contains($0) }
        let note = skipped.isEmpty ? "" : "; no accelerator label, not published: " + skipped.joined(separator: ", ")
        return Decision(desiredReplicas: state.gauge, updated: updated, targets: targets, reason: reason + note)
    }
}
