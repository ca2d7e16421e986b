import HeadroomEngine

/// The scale-from-zero engine (`internal/engines/scalefromzero/engine.go`, llm-d-workload-variant-autoscaler@b08b1c7).
extension WorkloadVariantAutoscaler {
    /// Its polling period (`Interval: 100 * time.Millisecond`).
    public static let scaleFromZeroInterval = SimTime.seconds(0.1)

    /// When the EPP flow-control queue (`inference_extension_flow_control_queue_size`) holds requests
    /// for the model, each inactive variant's Deployment is patched straight to 1 replica (no HPA
    /// involved) and its status set to 1. Returns the variants to patch; the gauge is not written here.
    public mutating func scaleFromZero(_ model: WVAModelInput, flowControlQueueSize: Int) -> [String] {
        guard flowControlQueueSize > 0 else { return [] }
        var woken: [String] = []
        for variant in model.variants where variant.specReplicas == 0 {
            let accelerator = state.status[variant.name]?.accelerator ?? variant.acceleratorLabel ?? ""
            state.status[variant.name] = Alloc(replicas: 1, accelerator: accelerator)
            woken.append(variant.name)
        }
        return woken
    }
}
