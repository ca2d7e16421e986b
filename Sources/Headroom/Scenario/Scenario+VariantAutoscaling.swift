import Foundation
import HeadroomEngine

/// `variant_autoscaling:` — llm-d's workload variant autoscaler over the scenario's deployments:
/// the pasted `VariantAutoscaling` objects and ConfigMaps, as a path to the file that holds them or
/// inline as a block of YAML documents. Each VariantAutoscaling's `scaleTargetRef` names a
/// deployment (a variant: the model on one pool's accelerator), whose own HPA or KEDA follows
/// `wva_desired_replicas{variant_name=…}` as upstream wires it.
extension Scenario {
    static func variantAutoscaling(_ value: YAMLValue) throws(ScenarioError) -> WVASpec {
        let text = try value.scalar("a file of pasted VariantAutoscaling objects, or a block of them (`|`)")
        if text.contains("\n") {
            return try WVASpec.parse(yaml: text, file: "\(value.file) (\(value.path), lines counted from the block)")
        }
        let path = text.hasPrefix("/") ? text
            : URL(fileURLWithPath: value.file).deletingLastPathComponent().appendingPathComponent(text).standardizedFileURL.path
        let yaml: String
        do {
            yaml = try ScenarioFile.read(path)
        } catch {
            throw value.error("\(error)")
        }
        return try WVASpec.parse(yaml: yaml, file: path)
    }

    /// The WVA objects name deployments this scenario has, each followed by a scaler that reads
    /// their gauge; what upstream would silently never scale is refused.
    func validateVariantAutoscaling(at value: YAMLValue) throws(ScenarioError) {
        // (The oracle reads no query, and building it simulates ahead: skip it.)
        let mentionsGauge = deployments.indices.map { d in
            if case .oracle = deployments[d].policy { return false }
            return deployments[d].policy.makePolicy(for: alone(d)).queries.contains { $0.text.contains(WVASpec.gaugeName) }
        }
        guard let spec = variantAutoscaling else {
            if let d = mentionsGauge.firstIndex(of: true) {
                throw value.error("deployment `\(deployments[d].name)` scales on `\(WVASpec.gaugeName)`, which only llm-d's "
                                  + "variant autoscaler publishes; add `variant_autoscaling:` with its VariantAutoscaling objects")
            }
            return
        }
        var targeted = Set<String>()
        for variant in spec.variants {
            guard let d = deployments.firstIndex(where: { $0.name == variant.deployment }) else {
                throw value.error("VariantAutoscaling `\(variant.name)` targets Deployment `\(variant.deployment)`, which is not "
                                  + "one of this scenario's deployments: \(deployments.map(\.name).joined(separator: ", "))")
            }
            guard targeted.insert(variant.deployment).inserted else {
                throw value.error("two VariantAutoscalings target deployment `\(variant.deployment)`")
            }
            guard variant.acceleratorLabel != nil else {
                throw value.error("VariantAutoscaling `\(variant.name)` has no `\(WVASpec.acceleratorLabel)` label: WVA "
                                  + "(b08b1c7) never publishes `\(WVASpec.gaugeName)` for such a variant, so its scaler would "
                                  + "never move; label it with its accelerator (e.g. H100)")
            }
            guard mentionsGauge[d] else {
                throw value.error("deployment `\(variant.deployment)` is WVA variant `\(variant.name)` but its policy does not read "
                                  + "`\(WVASpec.gaugeName)`; give it the HPA upstream uses (External metric `\(WVASpec.gaugeName)`, "
                                  + "selector `variant_name: \(variant.name)`, target AverageValue 1) or a KEDA prometheus trigger on it")
            }
        }
        for model in spec.models where spec.scaleToZero(for: model.modelID).enabled {
            throw value.error("scale-to-zero is enabled for model `\(model.modelID)`; WVA's scale-to-zero and scale-from-zero "
                              + "paths are not modelled yet")
        }
    }
}
