import HeadroomEngine

extension KServeInferenceService {
    /// The predictor's `ComponentExtensionSpec` scaling fields and its merged annotations, checked
    /// as `ComponentExtensionSpec.Validate` checks them (`validateReplicas`, `validateContainerConcurrency`).
    struct Predictor {
        let map: YAMLMapping
        /// metadata.annotations, then spec.predictor.annotations over them.
        let annotations: [(String, YAMLValue)]
        /// `minReplicas`; nil when absent (KServe's `DefaultMinReplicas`, 1, applies per reconciler).
        let minReplicas: Int?
        /// `maxReplicas`; 0 when absent (Knative: no limit; HPA/KEDA: raised to the minimum).
        let maxReplicas: Int
        var prometheus: PrometheusScrapeConfig?

        init(_ map: YAMLMapping, annotations: [(String, YAMLValue)]) throws(ScenarioError) {
            self.map = map
            self.annotations = annotations
            minReplicas = try map["minReplicas"]?.int(0...10_000)
            maxReplicas = try map["maxReplicas"]?.int(0...10_000) ?? 0
            if let min = minReplicas, maxReplicas != 0, min > maxReplicas {
                throw map["minReplicas"]!.error(
                    "'MinReplicas' cannot be greater than MaxReplicas (\(maxReplicas)), as KServe's webhook says")
            }
            if let v = map["scaleMetricType"] {
                throw v.error("scaleMetricType is read by no KServe reconciler at \(KServeInferenceService.commit); leave it out")
            }
        }

        func annotation(_ key: String) -> YAMLValue? { annotations.last { $0.0 == key }?.1 }

        /// `autoscaling.knative.dev/*` annotations act in Knative mode only.
        func refuseKnativeAnnotations(_ why: String) throws(ScenarioError) {
            if let (key, entry) = annotations.first(where: { $0.0.hasPrefix(KnativePodAutoscaler.annotationPrefix) }) {
                throw entry.error("`\(key)` \(why)")
            }
        }

        /// Knative mode: the revision's annotations as `SetAutoScalingAnnotations` writes them over
        /// the user's (class kpa unless given; `scaleTarget` → target, `scaleMetric` → metric,
        /// `minReplicas` (default 1) → min-scale, a non-zero `maxReplicas` → max-scale) and
        /// `containerConcurrency` on the revision.
        func knative(modeGiven: Bool) throws(ScenarioError) -> PolicySpec {
            let hint =
                (modeGiven
                    ? ""
                    : " (without \(KServeInferenceService.deploymentModeKey), KServe uses the cluster's "
                        + "defaultDeploymentMode, Knative in its chart)")
                + "; KServe reads it in Standard mode only (add \(KServeInferenceService.deploymentModeKey): Standard)"
            if let v = annotation(KServeInferenceService.autoscalerClassKey) {
                throw v.error("autoscalerClass is ignored in Knative mode" + hint)
            }
            if let v = map["autoScaling"] { throw v.error("autoScaling is ignored in Knative mode" + hint) }
            var spec = KPASpec()
            spec.containerConcurrency = try map["containerConcurrency"]?.int(0...1000) ?? 0
            let allowed = KnativePodAutoscaler.annotationKeys.map { KnativePodAutoscaler.annotationPrefix + $0 }
            var entries: [(String, YAMLValue)] = []
            for (key, entry) in annotations where key.hasPrefix(KnativePodAutoscaler.annotationPrefix) {
                guard allowed.contains(key) else {
                    let suggestion = Suggestion.closest(to: key, in: allowed).map { "did you mean `\($0)`? " } ?? ""
                    throw entry.error(
                        "unknown Knative annotation `\(key)`; \(suggestion)allowed: \(allowed.joined(separator: ", "))")
                }
                let name = String(key.dropFirst(KnativePodAutoscaler.annotationPrefix.count))
                if name == "class", try entry.scalar("an autoscaler class") != "kpa.autoscaling.knative.dev" {
                    throw entry.error("only Knative's KPA (kpa.autoscaling.knative.dev) is modelled in Knative mode")
                }
                entries.append((name, entry))
            }
            try KnativePodAutoscaler.apply(YAMLMapping(owner: map.owner, entries: entries), to: &spec, config: false)
            if let v = map["scaleMetric"] {
                let metric = try v.scalar("concurrency or rps")
                guard let kpaMetric = KPASpec.Metric(rawValue: metric) else {
                    throw v.error("[\(metric)] is not a supported metric in Knative mode; allowed: concurrency, rps")
                }
                spec.metric = kpaMetric
            }
            if let v = map["scaleTarget"] {
                // Knative refuses a target below 0.01; KServe refuses an rps target below 1.
                spec.target = Double(try v.int(1...1_000_000))
            }
            spec.minScale = minReplicas ?? 1
            if maxReplicas != 0 { spec.maxScale = maxReplicas }
            return .kpa(KnativePodAutoscaler(spec: spec))
        }

        /// Standard mode: `createAutoscaler` by `serving.kserve.io/autoscalerClass` (default hpa).
        func standard(replica: ReplicaSpec) throws(ScenarioError) -> PolicySpec {
            try refuseKnativeAnnotations("is read by Knative only; in Standard mode KServe creates a Deployment")
            if let v = map["containerConcurrency"] {
                throw v.error("containerConcurrency is a Knative revision setting; KServe ignores it in Standard mode")
            }
            let classValue = annotation(KServeInferenceService.autoscalerClassKey)
            let name = try classValue?.scalar("an autoscaler class") ?? "hpa"
            switch name {
            case "hpa": return try hpa(replica: replica)
            case "keda": return try keda(replica: replica)
            case "none":
                // The Deployment keeps `minReplicas` (deployment_reconciler.go), else Kubernetes' default 1.
                return .fixed(FixedPolicy(replicas: minReplicas ?? 1))
            case "external":
                throw classValue!.error(
                    "autoscalerClass external leaves scaling to an autoscaler you run; paste that one instead")
            default:
                throw classValue!.error("[\(name)] is not a supported autoscaler class type; allowed: hpa, keda, external, none")
            }
        }

        /// A cpu target is a share of each pod's CPU request, and Headroom's request is the
        /// scenario's `replica.cpu.request`: an InferenceService that requests another amount
        /// (`model.resources` or the first container's) would scale differently, so it is refused.
        func checkCPURequest(_ replica: ReplicaSpec) throws(ScenarioError) {
            let places = [
                map["model"]?.child("resources"),
                map["containers"].flatMap { v -> YAMLValue? in
                    guard case let .sequence(items) = v.node, let first = items.first else { return nil }
                    return YAMLValue(node: first, path: "\(v.path)[0]", file: v.file).child("resources")
                },
            ]
            for case let resources? in places {
                guard let cpu = resources.child("requests")?.child("cpu") else { continue }
                let milli = try cpu.quantity()
                let scenario = Int64((replica.cpu.requestCores * 1000).rounded())
                guard milli == scenario else {
                    throw cpu.error(
                        "a cpu target is a share of this request (\(Double(milli) / 1000) cores), but the scenario's "
                            + "replica.cpu.request is \(replica.cpu.requestCores); set replica.cpu.request to match")
                }
            }
        }
    }
}
