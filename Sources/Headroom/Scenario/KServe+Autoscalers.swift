import HeadroomEngine

extension KServeInferenceService.Predictor {
    /// autoscalerClass hpa (`hpa_reconciler.go` `createHPA`): min `max(minReplicas ?? 1, 1)`, max
    /// raised to the min, an empty `behavior` (the API server's defaults, so the behavior path), and
    /// the CPU metric: each Resource cpu metric of `autoScaling.metrics` at its `averageUtilization`
    /// (default 80), or, without `autoScaling`, `scaleTarget` % (default 80).
    func hpa(replica: ReplicaSpec) throws(ScenarioError) -> PolicySpec {
        let minimum = max(minReplicas ?? 1, 1)
        var metrics: [HPAMetric] = []
        if let scaling = map["autoScaling"] {
            for key in ["scaleMetric", "scaleTarget"] {
                if let v = map[key] {
                    throw v.error(
                        "\(key) is ignored when autoScaling is set (hpa_reconciler.go); set the target in autoScaling.metrics")
                }
            }
            let auto = try scaling.mapping(allowing: ["metrics", "behavior"])
            if let v = auto["behavior"] {
                throw v.error(
                    "KServe's HPA reconciler does not copy autoScaling.behavior (the HPA gets the default behavior); leave it out"
                )
            }
            for item in try auto["metrics"]?.sequence() ?? [] {
                let entry = try item.mapping(allowing: ["type", "resource", "external", "podmetric"])
                let type = try entry.required("type")
                guard try type.scalar("a metric source type") == "Resource" else {
                    throw type.error(
                        "autoscalerClass hpa takes Resource metrics only, as KServe's webhook says; "
                            + "use autoscalerClass keda for External (Prometheus) metrics")
                }
                let (name, target) = try Self.resource(entry.required("resource"))
                guard name == "cpu" else { throw target.owner.error("only the cpu resource is modelled") }
                if let typeValue = target["type"], try typeValue.scalar("a target type") != "Utilization" {
                    throw typeValue.error("KServe's HPA reconciler always sets a cpu target of type Utilization; use Utilization")
                }
                metrics.append(.cpuUtilization(try target["averageUtilization"]?.int(1...100) ?? 80))
            }
        } else {
            if let v = map["scaleMetric"] {
                let metric = try v.scalar("cpu or memory")
                guard metric == "cpu" else {
                    throw v.error(
                        metric == "memory"
                            ? "the memory metric is not modelled; allowed: cpu"
                            : "[\(metric)] is not a supported metric for autoscalerClass hpa; allowed: cpu, memory")
                }
            }
            metrics.append(.cpuUtilization(try map["scaleTarget"]?.int(1...100) ?? 80))
        }
        if metrics.isEmpty { metrics = [.cpuUtilization(80)] }  // an HPA without metrics: the API server's CPU 80 %
        try checkCPURequest(replica)
        var settings = HPAControllerSettings()
        settings.cpuRequestCores = replica.cpu.requestCores
        if let prometheus { settings.prometheus = prometheus }
        let spec = HPASpec(
            minReplicas: minimum, maxReplicas: max(maxReplicas, minimum), metrics: metrics, behavior: HPABehavior())
        return .hpa(HorizontalPodAutoscaler(spec: spec, settings: settings))
    }

    /// autoscalerClass keda (`keda_reconciler.go` `createKedaScaledObject`): min `minReplicas ?? 1`,
    /// max raised to the min, KEDA's own polling and cooldown defaults, the behavior's stabilization
    /// windows only, and one trigger per metric (`getKedaMetrics`).
    func keda(replica: ReplicaSpec) throws(ScenarioError) -> PolicySpec {
        if let v = map["scaleMetric"] {
            throw v.error("ScaleMetric is not supported for KEDA, as KServe's webhook says; use autoScaling.metrics")
        }
        if let v = map["scaleTarget"] {
            throw v.error("scaleTarget is ignored with autoscalerClass keda; set the target in autoScaling.metrics")
        }
        guard let scaling = map["autoScaling"] else {
            throw map.owner.error(
                "autoscalerClass keda needs autoScaling.metrics (KServe would create a ScaledObject without triggers)")
        }
        let auto = try scaling.mapping(allowing: ["metrics", "behavior"])
        var spec = KEDASpec()
        spec.minReplicaCount = minReplicas ?? 1
        spec.maxReplicaCount = max(maxReplicas, spec.minReplicaCount)
        if let prometheus { spec.prometheus = prometheus }
        if let v = auto["behavior"] { spec.behavior = try Self.kedaBehavior(v) }
        let list = try auto.required("metrics")
        spec.triggers = try list.sequence().map { (item) throws(ScenarioError) in try Self.kedaTrigger(item) }
        if spec.triggers.contains(where: { $0.kind == .cpu }) { try checkCPURequest(replica) }
        guard !spec.triggers.isEmpty else {
            throw list.error("at least one metric is needed (KEDA refuses a ScaledObject without triggers)")
        }
        return .keda(KEDAScaledObject(spec: spec, cpuRequestCores: replica.cpu.requestCores))
    }

    /// One `autoScaling.metrics` entry as `getKedaMetrics` maps it. An External metric's trigger
    /// gets no `metricType`, so KEDA's default, AverageValue, applies whatever `target.type` says;
    /// its threshold is `target.value` as written (KEDA parses it as a float).
    static func kedaTrigger(_ item: YAMLValue) throws(ScenarioError) -> KEDATrigger {
        let entry = try item.mapping(allowing: ["type", "resource", "external", "podmetric"])
        let typeValue = try entry.required("type")
        switch try typeValue.scalar("a metric source type") {
        case "Resource":
            let (name, target) = try resource(entry.required("resource"))
            guard name == "cpu" else { throw target.owner.error("only the cpu resource is modelled") }
            let type = try target.required("type")
            guard try type.scalar("a target type") == "Utilization" else {
                throw type.error("the cpu target value type should be Utilization")
            }
            let percent = try target.required("averageUtilization").int(1...100)
            return KEDATrigger(kind: .cpu, signal: .cpu, thresholdMilli: Int64(percent) * 1000, pipeline: .metricsServer)
        case "External":
            let external = try entry.required("external").mapping(allowing: ["metric", "target", "authenticationRef"])
            // serverAddress, namespace and authenticationRef reach Prometheus, not the result: ignored.
            let metric = try external.required("metric").mapping(allowing: ["backend", "serverAddress", "query", "namespace"])
            let backend = try metric.required("backend")
            guard try backend.scalar("a metrics backend") == "prometheus" else {
                throw backend.error("only the prometheus backend is modelled; allowed: prometheus")
            }
            let queryValue = try metric.required("query")
            guard try !queryValue.scalar("a PromQL query").isEmpty else {
                throw queryValue.error("the query should not be empty")
            }
            let query = QueryMetric(try queryValue.promQLQuery(), reading: .kedaScaler(ignoreNullValues: true))
            let target = try external.required("target").mapping(allowing: [
                "type", "value", "averageValue", "averageUtilization",
            ])
            if let type = target["type"] {
                let text = try type.scalar("a target type")
                guard ["Value", "AverageValue"].contains(text) else {
                    throw type.error("unknown target type `\(text)`; allowed: Value, AverageValue")
                }
                if text == "AverageValue", target["averageValue"] == nil {
                    throw type.error("the AverageValue type should be set (averageValue)")
                }
            }
            guard let valueNode = target["value"] else {
                throw target.owner.error(
                    "the target threshold value should not be empty: KServe reads `value` only "
                        + "(the trigger's threshold; KEDA applies it per replica, as AverageValue)")
            }
            let text = try valueNode.scalar("a number such as 2 or 0.5")
            guard let threshold = Double(text), threshold.isFinite, threshold > 0 else {
                throw valueNode.error("KEDA parses the threshold as a float and the HPA needs it positive; got `\(text)`")
            }
            return KEDATrigger(
                kind: .prometheus, signal: .concurrency, averageValue: true,
                thresholdMilli: max(1, Int64((threshold * 1000).rounded())), query: query)
        case "PodMetric":
            throw typeValue.error(
                "PodMetric (the OpenTelemetry add-on's pushed metrics) is not modelled; allowed: Resource, External")
        case let other:
            throw typeValue.error("unknown KEDA metric type `\(other)`; allowed: Resource, External (PodMetric is not modelled)")
        }
    }

    static func resource(_ value: YAMLValue) throws(ScenarioError) -> (String, YAMLMapping) {
        let resource = try value.mapping(allowing: ["name", "target"])
        let nameValue = try resource.required("name")
        let name = try nameValue.scalar("cpu or memory")
        guard ["cpu", "memory"].contains(name) else {
            throw nameValue.error("resource type \(name) is not supported; allowed: cpu, memory")
        }
        if name == "memory" { throw nameValue.error("the memory resource is not modelled; allowed: cpu") }
        return (name, try resource.required("target").mapping(allowing: ["type", "value", "averageValue", "averageUtilization"]))
    }

    /// Only `scaleUp/scaleDown.stabilizationWindowSeconds` reach the ScaledObject (and only when
    /// one is set: otherwise there is no `advanced` section); the API server fills the rest of
    /// each rule with its defaults.
    static func kedaBehavior(_ value: YAMLValue) throws(ScenarioError) -> HPABehavior? {
        let map = try value.mapping(allowing: ["scaleUp", "scaleDown"])
        var windowSet = false
        func rules(_ key: String, _ defaults: HPAScalingRules) throws(ScenarioError) -> HPAScalingRules {
            guard let v = map[key] else { return defaults }
            let rule = try v.mapping(allowing: ["stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"])
            for other in ["selectPolicy", "policies", "tolerance"] {
                if let o = rule[other] {
                    throw o.error("KServe copies only stabilizationWindowSeconds into the ScaledObject; \(other) has no effect")
                }
            }
            var result = defaults
            if let w = rule["stabilizationWindowSeconds"] {
                result.stabilizationWindowSeconds = try w.int(0...3600)
                windowSet = true
            }
            return result
        }
        let behavior = HPABehavior(
            scaleUp: try rules("scaleUp", .defaultScaleUp), scaleDown: try rules("scaleDown", .defaultScaleDown))
        return windowSet ? behavior : nil
    }
}
