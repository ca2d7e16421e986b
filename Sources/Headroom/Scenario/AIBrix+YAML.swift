import HeadroomEngine

extension AIBrixPodAutoscaler {
    /// The object's own `kind`, accepted under `policy:` so a PodAutoscaler pastes in whole.
    static let objectKind = "PodAutoscaler"
    static let apiVersion = "autoscaling.aibrix.ai/v1alpha1"
    static let annotationPrefix = "autoscaling.aibrix.ai/"
    /// What `context.go`'s `annotationParsers` read at `e3e10f9e`.
    static let annotationKeys = [
        "max-scale-up-rate", "max-scale-down-rate", "scale-up-tolerance", "scale-down-tolerance", "panic-threshold",
        "scale-up-cooldown-window", "scale-down-cooldown-window", "scale-to-zero",
    ].map { annotationPrefix + $0 }
    /// Older names the shipped samples still carry; AIBrix at HEAD ignores them, so a pasted one is
    /// refused with what replaced it rather than silently doing nothing.
    static let retiredAnnotations: [String: String] = [
        "autoscaling.aibrix.ai/up-fluctuation-tolerance": "autoscaling.aibrix.ai/scale-up-tolerance",
        "autoscaling.aibrix.ai/down-fluctuation-tolerance": "autoscaling.aibrix.ai/scale-down-tolerance",
        "apa.autoscaling.aibrix.ai/up-fluctuation-tolerance": "autoscaling.aibrix.ai/scale-up-tolerance",
        "apa.autoscaling.aibrix.ai/down-fluctuation-tolerance": "autoscaling.aibrix.ai/scale-down-tolerance",
        "apa.autoscaling.aibrix.ai/window": "spec.observeWindowSeconds",
        "kpa.autoscaling.aibrix.ai/scale-down-delay": "autoscaling.aibrix.ai/scale-down-cooldown-window",
    ]

    /// `policy: {kind: aibrix | PodAutoscaler, apiVersion, metadata: {annotations}, spec, kpaVariant,
    /// pendingReplicaGuard, prometheus}`.
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: [
            "kind", "apiVersion", "metadata", "spec", "kpaVariant", "pendingReplicaGuard", "prometheus",
        ])
        if let version = map["apiVersion"], try version.scalar("an apiVersion") != Self.apiVersion {
            throw version.error("expected `\(Self.apiVersion)` for an AIBrix PodAutoscaler")
        }
        var spec = try AIBrixSpec(map.required("spec"))
        if let variant = map["kpaVariant"] {
            spec.kpaVariant = try variant.choice(AIBrixSpec.KPAVariant.self)
            guard spec.strategy == .kpa else {
                throw variant.error("kpaVariant applies to scalingStrategy KPA only (this one is \(spec.strategy.rawValue))")
            }
        }
        if let guardValue = map["pendingReplicaGuard"] {
            spec.pendingReplicaGuard = try guardValue.bool()
            guard spec.strategy != .hpa else {
                throw guardValue.error(
                    "pendingReplicaGuard applies to scalingStrategy KPA and APA only (PR #2671); HPA has its own")
            }
        }
        if let metadata = map["metadata"] {
            let meta = try metadata.mapping(allowing: ["name", "namespace", "labels", "annotations"])
            if let annotations = meta["annotations"] { try Self.apply(annotations, to: &spec) }
        }
        if spec.strategy == .hpa {
            for (i, metric) in spec.metrics.enumerated() where Self.hpaTargetMilli(metric.target) == 0 {
                throw (try map.required("spec").mapping(allowing: AIBrixSpec.keys).required("metricsSources").sequence()[i])
                    .error(
                        "targetValue \(metric.target) becomes an HPA AverageValue of 0: AIBrix's HPA strategy truncates it with "
                            + "int64() (hpa_resources.go); use a whole number of at least 1, or scalingStrategy KPA or APA")
            }
            if Int((spec.maxScaleUpRate - 1) * 100) == 0 || Int((1 - 1 / spec.maxScaleDownRate) * 100) == 0 {
                throw (map["metadata"] ?? value).error(
                    "a scale rate of 1 gives the generated HPA a 0 % policy, which Kubernetes refuses; "
                        + "use max-scale-up-rate and max-scale-down-rate above 1.01")
            }
        }
        self.init(spec: spec, scrape: try map["prometheus"]?.prometheusConfig())
    }

    private static func apply(_ value: YAMLValue, to spec: inout AIBrixSpec) throws(ScenarioError) {
        guard case let .mapping(mapping) = value.node else { _ = try value.mapping(allowing: annotationKeys); return }
        for (keyNode, _) in mapping {
            guard let key = keyNode.string, let replacement = retiredAnnotations[key] else { continue }
            throw YAMLValue(node: keyNode, path: "\(value.path).\(key)", file: value.file).error(
                "`\(key)` is not read by AIBrix at e3e10f9e (its annotation parser ignores it); use `\(replacement)` instead; "
                    + "allowed: \(annotationKeys.joined(separator: ", "))")
        }
        let map = try value.mapping(allowing: annotationKeys)
        for (key, entry) in map.entries {
            switch String(key.dropFirst(annotationPrefix.count)) {
            case "max-scale-up-rate": spec.maxScaleUpRate = try entry.number(1...1000)
            case "max-scale-down-rate": spec.maxScaleDownRate = try entry.number(1...1000)
            case "scale-up-tolerance": spec.upTolerance = try entry.number(0...100)
            case "scale-down-tolerance": spec.downTolerance = try entry.number(0...1)
            case "panic-threshold": spec.panicThreshold = try entry.number(0...1e6, open: true)
            case "scale-up-cooldown-window": spec.scaleUpCooldown = try entry.duration(.zero ... .hours(24))
            case "scale-down-cooldown-window": spec.scaleDownCooldown = try entry.duration(.zero ... .hours(24))
            default:  // scale-to-zero, with Go's strconv.ParseBool spellings
                let text = try entry.scalar("true or false")
                guard
                    let flag = [
                        "1": true, "t": true, "T": true, "TRUE": true, "true": true, "True": true,
                        "0": false, "f": false, "F": false, "FALSE": false, "false": false, "False": false,
                    ][text]
                else { throw entry.error("expected true or false (as Go's strconv.ParseBool reads it), got `\(text)`") }
                spec.scaleToZero = flag
            }
        }
    }
}

extension AIBrixSpec {
    static let keys = [
        "scaleTargetRef", "minReplicas", "maxReplicas", "metricsSources", "observeWindowSeconds", "panicWindowSeconds",
        "scalingStrategy", "schedules", "subTargetSelector",
    ]

    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: Self.keys)
        for key in ["schedules", "subTargetSelector"] {
            if let v = map[key] {
                throw v.error("`\(key)` is not modelled; leave it out (Headroom simulates one Deployment with fixed bounds)")
            }
        }
        let strategy = try map.required("scalingStrategy").choice(Strategy.self)
        let maxReplicas = try map.required("maxReplicas").int(1...10_000)
        let minReplicas = try map["minReplicas"]?.int(0...maxReplicas) ?? 1
        let listValue = try map.required("metricsSources")
        let list = try listValue.sequence()
        guard !list.isEmpty else {
            throw listValue.error("at least one metric source is needed (AIBrix: no metricsSources defined)")
        }
        let metrics = try list.map { (item) throws(ScenarioError) in try AIBrixMetricSource(item) }
        self.init(strategy: strategy, minReplicas: minReplicas, maxReplicas: maxReplicas, metrics: metrics)
        if let v = map["observeWindowSeconds"] { stableWindow = .seconds(Double(try v.int(1...3600))) }
        if let v = map["panicWindowSeconds"] { panicWindow = .seconds(Double(try v.int(1...3600))) }
        if panicWindow > stableWindow {
            throw (map["panicWindowSeconds"] ?? map["observeWindowSeconds"]!).error(
                "panicWindowSeconds (\(Int(panicWindow.seconds))) must be less than or equal to observeWindowSeconds "
                    + "(\(Int(stableWindow.seconds))); omitted ones count at their defaults, 60 and 180")
        }
    }
}

extension AIBrixMetricSource {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: [
            "metricSourceType", "protocolType", "endpoint", "path", "port", "targetMetric", "targetValue",
        ])
        let typeValue = try map.required("metricSourceType")
        let type = try typeValue.scalar("a metric source type")
        guard type == "pod" else {
            let known = ["resource", "custom", "external", "domain"].contains(type)
            throw typeValue.error(
                (known ? "metricSourceType `\(type)` is not modelled" : "unknown metricSourceType `\(type)`")
                    + "; allowed: pod (each pod's vLLM /metrics)")
        }
        let nameValue = try map.required("targetMetric")
        let name = try nameValue.scalar("a metric name")
        let allowed = Self.engineNames.keys.sorted()
        guard Self.engineNames[name] != nil else {
            let hint = Suggestion.closest(to: name, in: allowed).map { "did you mean `\($0)`? " } ?? ""
            throw nameValue.error("unknown targetMetric `\(name)`; \(hint)allowed: \(allowed.joined(separator: ", "))")
        }
        // AIBrix parses targetValue with strconv.ParseFloat and refuses values ≤ 0 (context.go).
        let target = try map.required("targetValue").number(0...1e9, open: true)
        do { try self.init(name: name, target: target) } catch { throw nameValue.error(error.description) }
    }
}
