import HeadroomEngine

/// KServe's `InferenceService` pasted whole under `policy:`, translated into the autoscaler KServe's
/// controller creates for its predictor, as kserve/kserve does at `aaac4e29` (2026-08-21):
/// `pkg/apis/serving/v1beta1/inference_service_defaults.go` (deployment mode),
/// `inference_service_validation.go` (what the webhook refuses), `pkg/controller/v1beta1/
/// inferenceservice/reconcilers/{autoscaler,keda,hpa,knative}` and `pkg/controller/v1alpha1/utils`
/// (`SetAutoScalingAnnotations`).
///
/// - Standard mode (`serving.kserve.io/deploymentMode: Standard` or the legacy `RawDeployment`):
///   `serving.kserve.io/autoscalerClass` picks a KEDA ScaledObject (`keda`), an HPA (`hpa`, the
///   default) or a fixed Deployment (`none`: `minReplicas`, else 1).
/// - Knative mode (`Knative`, legacy `Serverless`, or the annotation absent: the chart's
///   `defaultDeploymentMode` is Knative): a revision with KServe's `autoscaling.knative.dev/*`
///   annotations, read by Knative's KPA.
///
/// Everything that cannot change scaling is accepted and ignored: the model (`model`, `runtime`,
/// `args`, `storageUri`, `resources`, ...), the pod spec, labels, and annotations outside
/// `serving.kserve.io/` and `autoscaling.knative.dev/`. A field that would change scaling but is
/// not modelled, or that KServe ignores in the mode chosen (so the user's intent would silently
/// not happen), is refused with its YAML path.
enum KServeInferenceService {
    static let objectKind = "InferenceService"
    static let apiVersion = "serving.kserve.io/v1beta1"
    static let commit = "aaac4e29"
    static let deploymentModeKey = "serving.kserve.io/deploymentMode"
    static let autoscalerClassKey = "serving.kserve.io/autoscalerClass"
    /// `serving.kserve.io/*` annotations that no autoscaler reads (constants.go at `aaac4e29`).
    static let inertAnnotations = [
        "enable-prometheus-scraping", "enable-metric-aggregation", "enable-tag-routing", "disable-localmodel",
        "disable-auto-update",
        "gke-accelerator", "gpu-resource-types", "nodegroup", "server-type", "logger-secret-file", "logger-secret-name",
        "logger-secret-path", "storage-initializer-uid", "inferencepool-migrated", "exp-dra-cel-selector",
        "exp-dra-container-name",
        "exp-dra-device-class", "exp-dra-device-count", "trainedmodel-allocated", "kind", "enable-served-by-header",
    ].map { "serving.kserve.io/" + $0 }
    /// Declared in constants.go but read by no reconciler: refused so a user does not expect them to act.
    static let unreadAnnotations = ["serving.kserve.io/targetUtilizationPercentage", "serving.kserve.io/metrics"]
    static let podSpecKeys = [
        "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy", "terminationGracePeriodSeconds",
        "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName", "serviceAccount",
        "automountServiceAccountToken",
        "nodeName", "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets",
        "hostname",
        "subdomain", "affinity", "schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig",
        "readinessGates", "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
        "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims", "resources",
    ]
    /// `PredictorSpec`'s implementations and storage fields: what is served, not how many.
    static let modelKeys = [
        "name", "model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface", "pmml", "lightgbm",
        "paddle",
        "storageUris", "storageContainerName",
    ]
    /// `ComponentExtensionSpec` fields read below.
    static let scalingKeys = [
        "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "scaleMetricType", "autoScaling", "containerConcurrency",
        "annotations",
    ]
    /// `ComponentExtensionSpec` fields that do not change the replica count.
    static let inertExtensionKeys = ["timeout", "logger", "labels", "deploymentStrategy"]
    /// Fields that change scaling or serving and are not modelled.
    static let unmodelled: [String: String] = [
        "canaryTrafficPercent": "a canary splits traffic between two revisions; Headroom simulates one Deployment",
        "batcher": "KServe's batcher changes how requests reach the model server; it is not modelled",
        "workerSpec": "multi-node serving (KServe requires autoscalerClass none for it) is not modelled",
    ]

    enum Mode: String { case standard = "Standard", knative = "Knative" }

    static func policy(_ value: YAMLValue, replica: ReplicaSpec) throws(ScenarioError) -> PolicySpec {
        let map = try value.mapping(allowing: ["apiVersion", "kind", "metadata", "spec", "status", "prometheus"])
        let version = try map.required("apiVersion")
        guard try version.scalar("an apiVersion") == apiVersion else {
            throw version.error("expected `\(apiVersion)` for a KServe InferenceService")
        }
        let spec = try map.required("spec").mapping(allowing: ["predictor", "transformer", "explainer"])
        for key in ["transformer", "explainer"] {
            if let v = spec[key] {
                throw v.error("a \(key) is a second component with its own autoscaler; it is not modelled (leave it out)")
            }
        }
        let predictorValue = try spec.required("predictor")
        let predictor = try predictorValue.mapping(
            allowing: modelKeys + scalingKeys + inertExtensionKeys + podSpecKeys
                + unmodelled.keys.sorted())
        for (key, why) in unmodelled.sorted(by: { $0.key < $1.key }) {
            if let v = predictor[key] { throw v.error(why) }
        }
        var annotations: [(String, YAMLValue)] = []
        var mode = Mode.knative, modeGiven = false
        if let metadata = map["metadata"] {
            let meta = try metadata.mapping(allowing: [
                "name", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation", "creationTimestamp",
                "managedFields", "finalizers", "ownerReferences",
            ])
            if let list = meta["annotations"] {
                let entries = try list.annotationEntries()
                if let modeValue = entries.first(where: { $0.0 == deploymentModeKey })?.1 {
                    mode = try deploymentMode(modeValue)
                    modeGiven = true
                }
                annotations = entries
            }
        }
        // Predictor annotations override the InferenceService's (`buildObjectMeta`: predictor > isvc).
        if let list = predictor["annotations"] {
            for (key, entry) in try list.annotationEntries() {
                if key == deploymentModeKey {
                    throw entry.error("KServe reads \(deploymentModeKey) from metadata.annotations only")
                }
                annotations.removeAll { $0.0 == key }
                annotations.append((key, entry))
            }
        }
        var isvc = try Predictor(predictor, annotations: annotations)
        if let v = map["prometheus"] {
            guard mode == .standard else { throw v.error("Knative's KPA reads the queue-proxies, not Prometheus; leave it out") }
            isvc.prometheus = try v.prometheusConfig()
        }
        switch mode {
        case .knative: return try isvc.knative(modeGiven: modeGiven)
        case .standard: return try isvc.standard(replica: replica)
        }
    }

    /// The webhook's normalisation: `RawDeployment` is `Standard`, `Serverless` is `Knative`.
    static func deploymentMode(_ value: YAMLValue) throws(ScenarioError) -> Mode {
        switch try value.scalar("a deployment mode") {
        case "Standard", "RawDeployment": return .standard
        case "Knative", "Serverless": return .knative
        case "ModelMesh":
            throw value.error("ModelMesh deployments are not modelled; allowed: Standard, RawDeployment, Knative, Serverless")
        case let other:
            throw value.error(
                "unknown deployment mode `\(other)`; allowed: Standard, RawDeployment (legacy), Knative, Serverless (legacy)")
        }
    }
}

extension YAMLValue {
    /// An annotation map as `(key, value)`, values plain strings; refuses the `serving.kserve.io/`
    /// keys no autoscaler reads and unknown ones (a misspelt class must not silently fall back).
    func annotationEntries() throws(ScenarioError) -> [(String, YAMLValue)] {
        guard case let .mapping(mapping) = node else { throw error("expected a mapping of annotation names to values") }
        let known =
            [KServeInferenceService.deploymentModeKey, KServeInferenceService.autoscalerClassKey]
            + KServeInferenceService.inertAnnotations + ["serving.kserve.io/stop"]
        var entries: [(String, YAMLValue)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { throw error("annotation names must be plain names") }
            let entry = YAMLValue(node: valueNode, path: "\(path).\(key)", file: file)
            _ = try entry.scalar("an annotation value (a string)")
            if KServeInferenceService.unreadAnnotations.contains(key) {
                throw entry.error(
                    "`\(key)` is read by no KServe reconciler at \(KServeInferenceService.commit); "
                        + "set the target in spec.predictor (scaleTarget or autoScaling.metrics)")
            }
            if key.hasPrefix("serving.kserve.io/"), !known.contains(key) {
                let hint = Suggestion.closest(to: key, in: known).map { "did you mean `\($0)`? " } ?? ""
                throw entry.error(
                    "unknown KServe annotation `\(key)`; \(hint)those that shape scaling: "
                        + "\(KServeInferenceService.deploymentModeKey), \(KServeInferenceService.autoscalerClassKey)")
            }
            if key == "serving.kserve.io/stop", try entry.scalar("true or false") == "true" {
                throw entry.error("a stopped InferenceService has no replicas to simulate")
            }
            entries.append((key, entry))
        }
        return entries
    }
}

extension YAMLValue {
    /// A mapping's entry without checking its other keys (for reading inside ignored subtrees).
    func child(_ key: String) -> YAMLValue? {
        guard case let .mapping(mapping) = node else { return nil }
        for (keyNode, value) in mapping where keyNode.string == key {
            return YAMLValue(node: value, path: "\(path).\(key)", file: file)
        }
        return nil
    }
}
