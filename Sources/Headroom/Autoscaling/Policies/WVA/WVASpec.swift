import HeadroomEngine

/// Pasted WVA objects: the `VariantAutoscaling`s (`api/v1alpha1/variantautoscaling_types.go`) and the
/// ConfigMaps the controller reads (`wva-saturation-scaling-config`, `wva-model-scale-to-zero-config`),
/// llm-d-workload-variant-autoscaler@b08b1c7. `WVASpec.parse(yaml:file:)` reads them.
public struct WVASpec: Sendable, Equatable {
    /// The gauge WVA publishes per variant (`internal/metrics/metrics.go`), labelled `variant_name`,
    /// `namespace` and `accelerator_type`.
    public static let gaugeName = "wva_desired_replicas"

    /// One `VariantAutoscaling`: one Deployment of the model on one accelerator.
    public struct Variant: Sendable, Equatable {
        public var name: String
        /// `metadata.namespace`; "default" when omitted, as kubectl applies it.
        public var namespace: String
        public var modelID: String
        /// `spec.scaleTargetRef.name` (kind Deployment).
        public var deployment: String
        /// `spec.variantCost`, default "10.0".
        public var cost: Double
        /// `metadata.labels["inference.optimization/acceleratorName"]`: without it WVA never publishes this
        /// variant's `wva_desired_replicas` (see `WVAVariantInput.acceleratorLabel`).
        public var acceleratorLabel: String?
    }

    /// One model's variants (`GroupVariantAutoscalingByModel`: modelID and namespace).
    public struct Model: Sendable, Equatable {
        public var modelID: String
        public var namespace: String
        public var variants: [Variant]
    }

    /// `wva-model-scale-to-zero-config`: an entry whose fields are nil inherits the next level.
    public struct ScaleToZeroEntry: Sendable, Equatable {
        public var enabled: Bool?
        public var retention: SimTime?
    }

    public var variants: [Variant]
    /// The `default` entry, or the shipped ConfigMap's values when no saturation ConfigMap is pasted.
    public var saturation: WVASaturationConfig
    /// `default` and per-model entries, keyed `default` or by model_id.
    public var scaleToZeroEntries: [String: ScaleToZeroEntry]

    public init(
        variants: [Variant], saturation: WVASaturationConfig = .shipped, scaleToZeroEntries: [String: ScaleToZeroEntry] = [:]
    ) {
        self.variants = variants
        self.saturation = saturation
        self.scaleToZeroEntries = scaleToZeroEntries
    }

    /// Models in the order their first variant is listed.
    public var models: [Model] {
        var out: [Model] = []
        for v in variants {
            if let i = out.firstIndex(where: { $0.modelID == v.modelID && $0.namespace == v.namespace }) {
                out[i].variants.append(v)
            } else {
                out.append(Model(modelID: v.modelID, namespace: v.namespace, variants: [v]))
            }
        }
        return out
    }

    /// `IsScaleToZeroEnabled` and `ScaleToZeroRetentionPeriod`: the model's entry, then `default`, then
    /// the `WVA_SCALE_TO_ZERO` default (off) and 10 minutes.
    public func scaleToZero(for modelID: String) -> WVAScaleToZeroConfig {
        let own = scaleToZeroEntries[modelID], global = scaleToZeroEntries["default"]
        return WVAScaleToZeroConfig(
            enabled: own?.enabled ?? global?.enabled ?? false,
            retention: own?.retention ?? global?.retention ?? WVAScaleToZeroConfig.disabled.retention)
    }

    /// A ready autoscaler for one model of this spec.
    public func autoscaler(for modelID: String) -> WorkloadVariantAutoscaler {
        WorkloadVariantAutoscaler(config: saturation, scaleToZero: scaleToZero(for: modelID))
    }
}
