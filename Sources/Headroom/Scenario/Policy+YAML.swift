import HeadroomEngine

extension PolicySpec {
    init(_ value: YAMLValue, replica: ReplicaSpec, registry: PolicyRegistry) throws(ScenarioError) {
        guard case let .mapping(mapping) = value.node, let kindNode = mapping["kind"] else {
            _ = try value.mapping(allowing: ["kind"])
            throw value.error("missing required key `kind`; allowed: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let kindValue = YAMLValue(node: kindNode, path: value.path + ".kind", file: value.file)
        // A pasted KServe InferenceService becomes the autoscaler KServe creates for it.
        if kindNode.string == KServeInferenceService.objectKind {
            self = try KServeInferenceService.policy(value, replica: replica)
            return
        }
        // A pasted AIBrix object keeps its own `kind: PodAutoscaler`.
        let objectKinds = [AIBrixPodAutoscaler.objectKind, KServeInferenceService.objectKind]
        if let text = kindNode.string, Kind(rawValue: text) == nil, !objectKinds.contains(text) {
            let names = Kind.allCases.map(\.rawValue) + objectKinds
            let hint = Suggestion.closest(to: text, in: names).map { "did you mean `\($0)`? " } ?? ""
            throw kindValue.error("unknown value `\(text)`; \(hint)allowed: \(names.joined(separator: ", ")) "
                                  + "(the last two: an AIBrix PodAutoscaler or a KServe InferenceService pasted whole)")
        }
        let kind = kindNode.string == AIBrixPodAutoscaler.objectKind ? .aibrix : try kindValue.choice(Kind.self)
        switch kind {
        case .fixed:
            let map = try value.mapping(allowing: ["kind", "replicas", "warm"])
            self = .fixed(FixedPolicy(replicas: try map.required("replicas").int(0...10_000), warm: try map["warm"]?.bool() ?? true))
        case .hpa:
            self = .hpa(try HorizontalPodAutoscaler(value, cpuRequestCores: replica.cpu.requestCores))
        case .kpa:
            self = .kpa(try KnativePodAutoscaler(value))
        case .keda:
            self = .keda(try KEDAScaledObject(value, cpuRequestCores: replica.cpu.requestCores))
        case .aibrix:
            self = .aibrix(try AIBrixPodAutoscaler(value))
        case .step:
            self = .step(try StepScalingPolicy(value))
        case .oracle:
            self = .oracle(try OraclePolicy.Spec(value))
        case .custom:
            let map = try value.mapping(allowing: ["kind", "name", "parameters"])
            let nameValue = try map.required("name")
            let name = try nameValue.string()
            guard let factory = registry.factories[name] else {
                let names = registry.factories.keys.sorted()
                throw nameValue.error("no registered policy named `\(name)`; registered: \(names.joined(separator: ", "))")
            }
            var parameters: [String: String] = [:]
            if let list = map["parameters"] {
                guard case let .mapping(mapping) = list.node else { throw list.error("expected a mapping of parameters") }
                for (key, item) in mapping {
                    guard let key = key.string, let text = item.string else { throw list.error("parameters must be plain key: value pairs") }
                    parameters[key] = text
                }
            }
            do {
                self = .custom(CustomPolicy(name: name, parameters: parameters, policy: try factory(parameters)))
            } catch {
                throw (map["parameters"] ?? value).error("policy `\(name)`: \(error)")
            }
        }
    }
}

extension KEDAScaledObject {
    init(_ value: YAMLValue, cpuRequestCores: Double) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["kind", "spec", "pipeline", "hpa_sync_period", "prometheus"])
        let specMap = try map.required("spec").mapping(allowing: [
            "scaleTargetRef", "pollingInterval", "cooldownPeriod", "initialCooldownPeriod", "minReplicaCount", "maxReplicaCount",
            "idleReplicaCount", "triggers", "advanced", "fallback",
        ])
        var spec = KEDASpec()
        if let v = specMap["pollingInterval"] { spec.pollingInterval = .seconds(Double(try v.int(1...86_400))) }
        if let v = specMap["cooldownPeriod"] { spec.cooldownPeriod = .seconds(Double(try v.int(0...86_400))) }
        if let v = specMap["initialCooldownPeriod"] { spec.initialCooldownPeriod = .seconds(Double(try v.int(0...86_400))) }
        spec.maxReplicaCount = try specMap["maxReplicaCount"]?.int(1...10_000) ?? 100
        spec.minReplicaCount = try specMap["minReplicaCount"]?.int(0...spec.maxReplicaCount) ?? 0
        if let v = specMap["idleReplicaCount"] {
            let idle = try v.int(0...10_000)
            guard idle < spec.minReplicaCount else { throw v.error("idleReplicaCount must be less than minReplicaCount (\(spec.minReplicaCount))") }
            spec.idleReplicaCount = idle
        }
        if let advanced = specMap["advanced"] {
            let a = try advanced.mapping(allowing: ["horizontalPodAutoscalerConfig", "restoreToOriginalReplicaCount", "scalingModifiers"])
            if let modifiers = a["scalingModifiers"] { throw modifiers.error("scalingModifiers are not modelled") }
            if let hpa = a["horizontalPodAutoscalerConfig"] {
                let h = try hpa.mapping(allowing: ["name", "behavior"])
                spec.behavior = try h["behavior"].map { (v) throws(ScenarioError) in try HPABehavior(v) }
            }
        }
        if let v = map["hpa_sync_period"] { spec.hpaSyncPeriod = try v.duration(positive: true) }
        if let v = specMap["fallback"] { spec.fallback = try KEDAFallback(v) }
        if let v = map["prometheus"] { spec.prometheus = try v.prometheusConfig() }
        let pipeline = try map["pipeline"]?.pipeline(default: .prometheusAdapter) ?? .prometheusAdapter
        let triggersValue = try specMap.required("triggers")
        spec.triggers = try triggersValue.sequence().map { (item) throws(ScenarioError) in try KEDATrigger(item, pipeline: pipeline) }
        guard !spec.triggers.isEmpty else { throw triggersValue.error("at least one trigger is needed") }
        self.init(spec: spec, cpuRequestCores: cpuRequestCores)
    }
}

extension KEDATrigger {
    init(_ value: YAMLValue, pipeline: SignalPipeline) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["type", "name", "metricType", "metadata", "authenticationRef", "useCachedMetrics"])
        let kind = try map.required("type").choice(Kind.self)
        let averageValue = try map["metricType"].map { (v) throws(ScenarioError) -> Bool in
            let text = try v.scalar("AverageValue, Value or Utilization")
            guard ["AverageValue", "Value", "Utilization"].contains(text) else {
                throw v.error("unknown metricType `\(text)`; allowed: AverageValue, Value, Utilization")
            }
            return text != "Value"
        } ?? true
        switch kind {
        case .prometheus:
            // `serverAddress` (and the connection settings) are accepted and ignored: queries go to the simulated Prometheus.
            let metadata = try map.required("metadata").mapping(allowing: [
                "query", "threshold", "activationThreshold", "serverAddress", "metricName", "namespace", "ignoreNullValues",
                "queryParameters", "customHeaders", "unsafeSsl", "authModes", "timeout",
            ])
            let queryValue = try metadata.required("query")
            let text = try queryValue.scalar("a PromQL query or a signal name")
            var signal = Signal.concurrency
            var query: QueryMetric?
            if text == "DCGM_FI_DEV_GPU_UTIL" || Signal(rawValue: text) != nil {
                signal = try queryValue.signal()  // the names Headroom accepted before PromQL
            } else {
                let ignoreNull = try metadata["ignoreNullValues"]?.bool() ?? true
                query = QueryMetric(try queryValue.promQLQuery(), reading: .kedaScaler(ignoreNullValues: ignoreNull))
            }
            self.init(kind: .prometheus, signal: signal, averageValue: averageValue,
                      thresholdMilli: max(1, try metadata.required("threshold").quantity()),
                      activationThresholdMilli: try metadata["activationThreshold"]?.quantity() ?? 0, pipeline: pipeline, query: query)
        case .cpu:
            let metadata = try map.required("metadata").mapping(allowing: ["type", "value", "containerName"])
            self.init(kind: .cpu, signal: .cpu, thresholdMilli: Int64(try metadata.required("value").int(1...10_000)) * 1000,
                      pipeline: .metricsServer)
        }
    }
}

extension StepScalingPolicy {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: [
            "kind", "signal", "scale_up_threshold", "scale_down_threshold", "window", "step", "cooldown", "evaluation_interval",
            "min_replicas", "max_replicas", "pipeline",
        ])
        self.init()
        if let v = map["signal"] { signal = try v.signal() }
        scaleUpThreshold = try map.required("scale_up_threshold").number(0...1e9)
        scaleDownThreshold = try map["scale_down_threshold"]?.number(0...scaleUpThreshold)
        if let v = map["window"] { window = try v.duration(positive: true) }
        step = try map["step"]?.int(1...1000) ?? 1
        if let v = map["cooldown"] { cooldown = try v.duration() }
        if let v = map["evaluation_interval"] { evaluationInterval = try v.duration(positive: true) }
        maxReplicas = try map["max_replicas"]?.int(1...10_000) ?? 8
        minReplicas = try map["min_replicas"]?.int(0...maxReplicas) ?? 1
        if let v = map["pipeline"] { pipeline = try v.pipeline(default: pipeline) }
    }
}

extension OraclePolicy.Spec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["kind", "window", "attainment", "probe_duration", "min_replicas", "max_replicas"])
        self.init()
        if let v = map["window"] { window = try v.duration(.seconds(1) ... .hours(24)) }
        if let v = map["attainment"] { attainment = try v.number(0.5...0.9999) }
        if let v = map["probe_duration"] { probeDuration = try v.duration(.minutes(1) ... .hours(24)) }
        maxReplicas = try map["max_replicas"]?.int(1...10_000) ?? 1000
        minReplicas = try map["min_replicas"]?.int(0...maxReplicas) ?? 0
    }
}

extension YAMLValue {
    /// A Kubernetes quantity (`500m`, `10`, `1.5`, `2k`, `1Gi`) in milli-units.
    func quantity() throws(ScenarioError) -> Int64 {
        let text = try scalar("a quantity such as 10, 500m or 1.5")
        let suffixes: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("m", 0.001), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("", 1),
        ]
        for (suffix, scale) in suffixes where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number.isFinite, number >= 0 else { continue }
            return Int64((number * scale * 1000).rounded())
        }
        throw error("expected a Kubernetes quantity such as `10`, `500m` or `1.5`; got `\(text)`")
    }

    /// A Signal by the metric name a user would write; DCGM's GPU metric is accepted as an alias.
    func signal() throws(ScenarioError) -> Signal {
        let text = try scalar("a metric name")
        if text == "DCGM_FI_DEV_GPU_UTIL" { return .gpuUtilization }
        return try choice(Signal.self)
    }

    /// A signal pipeline override: `{scrape_interval, window, lag}`.
    func pipeline(default base: SignalPipeline) throws(ScenarioError) -> SignalPipeline {
        let map = try mapping(allowing: ["scrape_interval", "window", "lag"])
        let pipeline = SignalPipeline(
            scrapeInterval: try map["scrape_interval"]?.duration(positive: true) ?? base.scrapeInterval,
            window: try map["window"]?.duration(positive: true) ?? base.window,
            lag: try map["lag"]?.duration() ?? base.lag)
        let interval = pipeline.scrapeInterval.nanoseconds, window = pipeline.window.nanoseconds
        guard window <= interval || window % interval == 0 else {
            throw error("window (\(pipeline.window)) must be at most scrape_interval (\(pipeline.scrapeInterval)) or a multiple of it")
        }
        return pipeline
    }
}

extension HorizontalPodAutoscaler {
    init(_ value: YAMLValue, cpuRequestCores: Double) throws(ScenarioError) {
        let map = try value.mapping(allowing: [
            "kind", "spec", "sync_period", "tolerance", "downscale_stabilization", "warm_start", "pipelines", "prometheus",
        ])
        var settings = HPAControllerSettings()
        settings.cpuRequestCores = cpuRequestCores
        settings.syncPeriod = try map["sync_period"]?.duration(positive: true) ?? settings.syncPeriod
        settings.tolerance = try map["tolerance"]?.number(0...1) ?? settings.tolerance
        settings.downscaleStabilization = try map["downscale_stabilization"]?.duration() ?? settings.downscaleStabilization
        if let v = map["prometheus"] { settings.prometheus = try v.prometheusConfig() }
        if let pipelines = map["pipelines"] {
            for (name, entry) in try pipelines.mapping(allowing: Signal.allCases.map(\.rawValue)).entries {
                let signal = Signal(rawValue: name)!
                settings.pipelines[signal] = try entry.pipeline(default: HPAControllerSettings.defaultPipeline(for: signal))
            }
        }
        self.init(spec: try HPASpec(map.required("spec")), settings: settings, warmStart: try map["warm_start"]?.bool() ?? true)
    }
}

extension HPASpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"])
        let maxValue = try map.required("maxReplicas")
        let maxReplicas = try maxValue.int(1...10_000)
        let minReplicas = try map["minReplicas"]?.int(0...maxReplicas) ?? 1
        var metrics: [HPAMetric] = [.cpuUtilization(80)]
        if let list = map["metrics"] {
            metrics = try list.sequence().map { (item) throws(ScenarioError) in try HPAMetric(item) }
            guard !metrics.isEmpty else { throw list.error("at least one metric is needed (or leave `metrics` out for CPU at 80 %)") }
        }
        self.init(minReplicas: minReplicas, maxReplicas: maxReplicas, metrics: metrics,
                  behavior: try map["behavior"].map { (v) throws(ScenarioError) in try HPABehavior(v) })
    }
}

extension HPAMetric {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let keys = ["type", "resource", "pods", "object", "external", "containerResource"]
        let map = try value.mapping(allowing: keys)
        let source = try map.required("type").choice(Source.self)
        let body = try map.required(source.rawValue.prefix(1).lowercased() + source.rawValue.dropFirst())
        let target: Target
        let signal: Signal
        var query: QueryMetric?
        switch source {
        case .resource:
            let resource = try body.mapping(allowing: ["name", "target"])
            let nameValue = try resource.required("name")
            guard try nameValue.scalar("a resource name") == "cpu" else {
                throw nameValue.error("only the `cpu` resource is modelled; use a Pods metric for gpu_utilization or concurrency")
            }
            signal = .cpu
            target = try Self.target(resource.required("target"), allowed: ["Utilization", "AverageValue"])
        case .pods, .external:
            let inner = try body.mapping(allowing: ["metric", "target"])
            (signal, query) = try inner.required("metric").hpaMetricQuery(source: source, identifier: inner.required("metric").mapping(allowing: ["name", "selector"]))
            target = try Self.target(inner.required("target"), allowed: source == .pods ? ["AverageValue"] : ["Value", "AverageValue"])
        case .object:
            let inner = try body.mapping(allowing: ["describedObject", "metric", "target"])
            (signal, query) = try inner.required("metric").hpaMetricQuery(source: source, identifier: inner.required("metric").mapping(allowing: ["name", "selector"]))
            target = try Self.target(inner.required("target"), allowed: ["Value", "AverageValue"])
        }
        self.init(source: source, signal: signal, target: target, query: query)
    }

    static func target(_ value: YAMLValue, allowed: [String]) throws(ScenarioError) -> Target {
        let map = try value.mapping(allowing: ["type", "averageUtilization", "averageValue", "value"])
        let typeValue = try map.required("type")
        let type = try typeValue.scalar("a target type")
        guard allowed.contains(type) else { throw typeValue.error("target type `\(type)` is not allowed here; allowed: \(allowed.joined(separator: ", "))") }
        switch type {
        case "Utilization": return .utilization(try map.required("averageUtilization").int(1...10_000))
        case "AverageValue": return .averageValue(milli: max(1, try map.required("averageValue").quantity()))
        default: return .value(milli: max(1, try map.required("value").quantity()))
        }
    }
}

extension HPABehavior {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["scaleUp", "scaleDown"])
        self.init(
            scaleUp: try map["scaleUp"].map { (v) throws(ScenarioError) in try HPAScalingRules(v, defaults: .defaultScaleUp) } ?? .defaultScaleUp,
            scaleDown: try map["scaleDown"].map { (v) throws(ScenarioError) in try HPAScalingRules(v, defaults: .defaultScaleDown) }
                ?? .defaultScaleDown)
    }
}

extension HPAScalingRules {
    init(_ value: YAMLValue, defaults: HPAScalingRules) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"])
        var policies = defaults.policies
        if let list = map["policies"] {
            policies = try list.sequence().map { (item) throws(ScenarioError) in
                let policy = try item.mapping(allowing: ["type", "value", "periodSeconds"])
                return RatePolicy(try policy.required("type").choice(RatePolicy.Kind.self), value: try policy.required("value").int(1...100_000),
                                  periodSeconds: try policy.required("periodSeconds").int(1...1800))
            }
        }
        self.init(
            stabilizationWindowSeconds: try map["stabilizationWindowSeconds"]?.int(0...3600) ?? defaults.stabilizationWindowSeconds,
            selectPolicy: try map["selectPolicy"]?.choice(SelectPolicy.self) ?? .max, policies: policies,
            tolerance: try map["tolerance"]?.number(0...1))
    }
}

extension KnativePodAutoscaler {
    static let annotationPrefix = "autoscaling.knative.dev/"
    static let annotationKeys = [
        "metric", "target", "target-utilization-percentage", "window", "panic-window-percentage", "panic-threshold-percentage",
        "target-burst-capacity", "scale-down-delay", "min-scale", "max-scale", "initial-scale", "activation-scale",
        "scale-to-zero-pod-retention-period", "class", "metric-aggregation-algorithm",
    ]
    static let configKeys = [
        "container-concurrency-target-percentage", "container-concurrency-target-default", "requests-per-second-target-default",
        "target-burst-capacity", "stable-window", "panic-window-percentage", "panic-threshold-percentage", "max-scale-up-rate",
        "max-scale-down-rate", "enable-scale-to-zero", "scale-to-zero-grace-period", "scale-to-zero-pod-retention-period",
        "scale-down-delay", "initial-scale", "allow-zero-initial-scale", "min-scale", "max-scale", "activator-capacity",
    ]

    /// `containerConcurrency`, the revision's `autoscaling.knative.dev/*` annotations and the
    /// `config-autoscaler` keys, with Knative's names.
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["kind", "containerConcurrency", "annotations", "config", "pipeline", "unreachable_from"])
        var spec = KPASpec()
        spec.containerConcurrency = try map["containerConcurrency"]?.int(0...1000) ?? 0
        var configEntries: YAMLMapping?, annotationEntries: YAMLMapping?
        if let config = map["config"] {
            let entries = try config.mapping(allowing: Self.configKeys)
            try Self.apply(entries, to: &spec, config: true)
            configEntries = entries
        }
        if let annotations = map["annotations"] {
            let allowed = Self.annotationKeys.map { Self.annotationPrefix + $0 }
            let entries = try annotations.mapping(allowing: allowed)
            let stripped = YAMLMapping(owner: entries.owner, entries: entries.entries.map { (String($0.0.dropFirst(Self.annotationPrefix.count)), $0.1) })
            try Self.apply(stripped, to: &spec, config: false)
            annotationEntries = stripped
        }
        // Knative refuses a revision whose min-scale exceeds a non-zero max-scale (serving,
        // pkg/apis/autoscaling/annotation_validation.go, validateMinMaxScale); 0 means no limit.
        if spec.maxScale > 0, spec.minScale > spec.maxScale {
            func name(_ key: String) -> String {
                annotationEntries?[key] != nil ? Self.annotationPrefix + key : "config.\(key)"
            }
            let place = annotationEntries?["min-scale"] ?? configEntries?["min-scale"] ?? value
            throw place.error("\(name("min-scale")) (\(spec.minScale)) is greater than \(name("max-scale")) (\(spec.maxScale)); "
                              + "Knative refuses such a revision (max-scale 0 means no limit)")
        }
        if let pipeline = map["pipeline"] { spec.pipeline = try pipeline.pipeline(default: spec.pipeline) }
        // `spec.reachability: Unreachable` from this time on (traffic routed to another revision).
        if let from = map["unreachable_from"] { spec.unreachableFrom = try from.duration() }
        self.init(spec: spec)
    }

    static func apply(_ map: YAMLMapping, to spec: inout KPASpec, config: Bool) throws(ScenarioError) {
        func number(_ key: String, _ range: ClosedRange<Double>) throws(ScenarioError) -> Double? {
            guard let value = map[key] else { return nil }
            return try value.number(range)
        }
        func whole(_ key: String, _ range: ClosedRange<Int>) throws(ScenarioError) -> Int? { try map[key]?.int(range) }
        if let value = map["metric"] { spec.metric = try value.choice(KPASpec.Metric.self) }
        if let value = try number("target", 0.01...1e6) { spec.target = value }
        if config, spec.target == nil {
            if let value = try number(spec.metric == .rps ? "requests-per-second-target-default" : "container-concurrency-target-default", 0.01...1e6) {
                spec.target = value
            }
        }
        if let value = try number(config ? "container-concurrency-target-percentage" : "target-utilization-percentage", 1...100) {
            spec.targetUtilization = value / 100
        }
        if let value = map[config ? "stable-window" : "window"] { spec.stableWindow = try value.duration(.seconds(6) ... .hours(1)) }
        if let value = try number("panic-window-percentage", 1...100) { spec.panicWindowPercentage = value }
        if let value = try number("panic-threshold-percentage", 110...1000) { spec.panicThresholdPercentage = value }
        if let value = try number("max-scale-up-rate", 1.000001...1e9) { spec.maxScaleUpRate = value }
        if let value = try number("max-scale-down-rate", 1.000001...1e9) { spec.maxScaleDownRate = value }
        if let value = try number("target-burst-capacity", -1...1e9) { spec.targetBurstCapacity = value }
        if let value = map["scale-down-delay"] { spec.scaleDownDelay = try value.duration(.zero ... .hours(1)) }
        if let value = try whole("min-scale", 0...10_000) { spec.minScale = value }
        if let value = try whole("max-scale", 0...10_000) { spec.maxScale = value }
        if let value = try whole("initial-scale", 0...10_000) { spec.initialScale = value }
        if let value = try whole("activation-scale", 1...10_000) { spec.activationScale = value }
        if let value = map["enable-scale-to-zero"] { spec.enableScaleToZero = try value.bool() }
        if let value = map["scale-to-zero-grace-period"] { spec.scaleToZeroGracePeriod = try value.duration() }
        if let value = map["scale-to-zero-pod-retention-period"] { spec.scaleToZeroPodRetention = try value.duration() }
    }
}
