import HeadroomEngine
import Yams

/// A pasted `VariantAutoscaling` (`api/v1alpha1/variantautoscaling_types.go` and its CRD
/// `config/crd/bases/llmd.ai_variantautoscalings.yaml`, llm-d-workload-variant-autoscaler@b08b1c7).
extension WVASpec.Variant {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["apiVersion", "kind", "metadata", "spec", "status"])
        let version = try map.required("apiVersion")
        guard try version.scalar("an apiVersion") == WVASpec.apiVersion else {
            throw version.error("expected `\(WVASpec.apiVersion)` for a VariantAutoscaling")
        }
        if let status = map["status"] {
            throw status.error("`status` is written by WVA itself (desiredOptimizedAlloc); leave it out")
        }
        let meta = try map.required("metadata").mapping(allowing: ["name", "namespace", "labels", "annotations"])
        let name = try meta.required("name").string()
        let namespace = try meta["namespace"]?.string() ?? "default"
        var accelerator: String?
        if let labels = meta["labels"] {
            guard case let .mapping(pairs) = labels.node else {
                throw labels.error("expected a mapping of label names to values")
            }
            for (key, entry) in pairs {
                let item = YAMLValue(node: entry, path: "\(labels.path)[\"\(key.string ?? "?")\"]", file: labels.file)
                let text = try item.scalar("a label value")
                if key.string == WVASpec.acceleratorLabel {
                    guard !text.isEmpty else { throw item.error("an empty accelerator name; WVA treats it as missing") }
                    accelerator = text
                }
            }
        }
        let spec = try map.required("spec").mapping(allowing: ["scaleTargetRef", "modelID", "variantCost"])
        let ref = try spec.required("scaleTargetRef").mapping(allowing: ["apiVersion", "kind", "name"])
        let kind = try ref.required("kind")
        guard try kind.scalar("a kind") == "Deployment" else {
            throw kind.error("WVA scales a Deployment (its engine reads Deployment status); expected `Deployment`")
        }
        if let api = ref["apiVersion"], try api.scalar("an apiVersion") != "apps/v1" {
            throw api.error("expected `apps/v1` for a Deployment")
        }
        let modelID = try spec.required("modelID").string()
        var cost = 10.0
        if let costValue = spec["variantCost"] { cost = try Self.cost(costValue) }
        self.init(
            name: name, namespace: namespace, modelID: modelID, deployment: try ref.required("name").string(), cost: cost,
            acceleratorLabel: accelerator)
    }

    /// `variantCost` is a string matching `^\d+(\.\d+)?$` (kubebuilder validation), default "10.0".
    static func cost(_ value: YAMLValue) throws(ScenarioError) -> Double {
        let text = try value.scalar("a cost such as \"40.0\"")
        if case let .scalar(scalar) = value.node, scalar.style == .plain {
            throw value.error("variantCost is a string in the CRD and Kubernetes refuses a number; write it quoted: \"\(text)\"")
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let digits = { (s: Substring) in !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        guard (parts.count == 1 || parts.count == 2) && parts.allSatisfy(digits), let cost = Double(text) else {
            throw value.error("variantCost must match ^\\d+(\\.\\d+)?$ (a non-negative decimal such as \"40.0\"), got `\(text)`")
        }
        return cost
    }
}
