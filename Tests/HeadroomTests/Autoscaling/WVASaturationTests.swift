import HeadroomEngine
import Testing

@testable import Headroom

/// WVA V1: cases mirror `internal/saturation/analyzer_test.go` and `internal/engines/pipeline/enforcer_test.go`
/// (llm-d-workload-variant-autoscaler@b08b1c7); the cycle-by-cycle scripts drive `WorkloadVariantAutoscaler`.
struct WVASaturationTests {
    static let config = WVASaturationConfig.shipped

    static func pods(_ pairs: [(Double, Int)]) -> [WVAReplicaMetrics] {
        pairs.map { WVAReplicaMetrics(kvCacheUsage: $0.0, queueLength: $0.1) }
    }

    static func variant(_ name: String, cost: Double = 10, current: Int? = nil, ready: Int? = nil, _ pods: [(Double, Int)])
        -> WVAVariantInput
    {
        WVAVariantInput(
            name: name, acceleratorLabel: "H100", cost: cost, currentReplicas: current ?? pods.count,
            readyReplicas: ready ?? pods.count,
            pods: Self.pods(pods))
    }

    static func analysis(_ pods: [(Double, Int)]) -> WVASaturationAnalysis {
        WVASaturationAnalysis(WVAModelInput(modelID: "m", variants: [variant("v1", pods)]), config: config)
    }

    @Test("TestAnalyzeModelSaturation_ScaleUp: KV spare, queue spare, healthy")
    func scaleUp() {
        let kv = Self.analysis([(0.75, 2), (0.76, 2)])
        #expect(kv.shouldScaleUp && kv.scaleUpReason == "KV spare Saturation low (0.045 < 0.100)")
        let queue = Self.analysis([(0.50, 3), (0.50, 3)])
        #expect(queue.shouldScaleUp && queue.scaleUpReason == "queue spare Saturation low (2.0 < 3.0)")
        #expect(!Self.analysis([(0.50, 1), (0.50, 1)]).shouldScaleUp)
    }

    @Test("TestAnalyzeModelSaturation_ScaleDownSafety: headroom, too little headroom, one replica")
    func scaleDownSafety() {
        #expect(Self.analysis([(0.20, 1), (0.30, 1), (0.25, 1)]).scaleDownSafe)
        #expect(!Self.analysis([(0.70, 2), (0.75, 2)]).scaleDownSafe)
        #expect(!Self.analysis([(0.50, 2)]).scaleDownSafe)
    }

    @Test("TestAnalyzeModelSaturation_MultiVariant and _AllSaturated: pooled counts, zero spare fires both triggers")
    func pooled() {
        let input = WVAModelInput(
            modelID: "model-a",
            variants: [Self.variant("variant-1", [(0.70, 2), (0.75, 3)]), Self.variant("variant-2", [(0.60, 1), (0.65, 2)])])
        let multi = WVASaturationAnalysis(input, config: Self.config)
        #expect(multi.totalReplicas == 4 && multi.nonSaturatedCount == 4 && multi.variants.map(\.replicaCount) == [2, 2])
        let all = Self.analysis([(0.85, 2), (0.50, 6), (0.90, 7)])
        #expect(all.totalReplicas == 3 && all.nonSaturatedCount == 0 && all.avgSpareKv == 0 && all.avgSpareQueue == 0)
        #expect(all.shouldScaleUp && !all.scaleDownSafe)
    }

    static func threeVariants(scaleUp: Bool) -> (WVASaturationAnalysis, WVAModelInput) {
        let input = WVAModelInput(
            modelID: "m",
            variants: [
                variant("v1-expensive", cost: 20, [(0.5, 1), (0.5, 1)]), variant("v2-cheap", cost: 5, [(0.5, 1), (0.5, 1)]),
                variant("v3-medium", cost: 15, [(0.5, 1), (0.5, 1)]),
            ])
        var analysis = WVASaturationAnalysis(input, config: config)
        (analysis.shouldScaleUp, analysis.scaleDownSafe) = (scaleUp, !scaleUp)
        return (analysis, input)
    }

    @Test("TestCalculatesaturationTargets_ScaleUpCheapest and _ScaleDownMostExpensive")
    func cheapestUpPriciestDown() {
        let (up, input) = Self.threeVariants(scaleUp: true)
        #expect(up.targets(input, desired: [:]).replicas == ["v1-expensive": 2, "v2-cheap": 3, "v3-medium": 2])
        let (down, _) = Self.threeVariants(scaleUp: false)
        #expect(down.targets(input, desired: [:]).replicas == ["v1-expensive": 1, "v2-cheap": 2, "v3-medium": 2])
    }

    @Test("TestCalculatesaturationTargets_ModelLevelTransitionBlocking and _MetricsMismatchBlocksScaling")
    func transitionGate() {
        let (analysis, input) = Self.threeVariants(scaleUp: true)
        let held = analysis.targets(input, desired: ["v1-expensive": 4])
        #expect(held.replicas == ["v1-expensive": 4, "v2-cheap": 2, "v3-medium": 2])
        #expect(held.reason.contains("v1-expensive: desired(4)!=current(2)"))
        var mismatch = input
        mismatch.variants[0].currentReplicas = 3
        let blocked = WVASaturationAnalysis(mismatch, config: Self.config)
        var forced = blocked
        forced.shouldScaleUp = true
        #expect(forced.targets(mismatch, desired: [:]).replicas == ["v1-expensive": 3, "v2-cheap": 2, "v3-medium": 2])
    }

    @Test("Scale-up skips a variant with pending replicas; ties go to the alphabetically first (CalculateSaturationTargets)")
    func pendingSkipAndTies() {
        // Both pods report, but only one is ready: no gate (metrics == current), yet the variant is pending.
        let input = WVAModelInput(
            modelID: "m",
            variants: [
                Self.variant("a-cheap", cost: 5, current: 2, ready: 1, [(0.79, 4), (0.79, 4)]),
                Self.variant("c-mid", cost: 8, [(0.79, 4)]), Self.variant("b-mid", cost: 8, [(0.79, 4)]),
            ])
        let analysis = WVASaturationAnalysis(input, config: Self.config)
        #expect(analysis.shouldScaleUp)
        #expect(analysis.targets(input, desired: [:]).replicas == ["a-cheap": 2, "b-mid": 2, "c-mid": 1])
    }

    @Test(
        "Enforcer: scale-to-zero off keeps 1 on the cheapest (ties alphabetical, missing cost 10); on with no requests zeroes all"
    )
    func enforcer() {
        let off = WVAEnforcer.enforce(
            ["b": 0, "a": 0, "c": 0], costs: ["a": 12, "b": 12], scaleToZero: .disabled, requestsInRetention: nil)
        #expect(off.replicas == ["a": 0, "b": 0, "c": 1])  // "when variant cost is missing from analysis"
        let tie = WVAEnforcer.enforce(
            ["b": 0, "a": 0], costs: ["a": 5, "b": 5], scaleToZero: .disabled, requestsInRetention: nil)
        #expect(tie.replicas == ["a": 1, "b": 0])  // "when variants have equal cost"
        let on = WVAScaleToZeroConfig(enabled: true)
        #expect(WVAEnforcer.enforce(["a": 2], costs: [:], scaleToZero: on, requestsInRetention: 0).replicas == ["a": 0])
        #expect(WVAEnforcer.enforce(["a": 2], costs: [:], scaleToZero: on, requestsInRetention: 3).replicas == ["a": 2])
        #expect(WVAEnforcer.enforce(["a": 2], costs: [:], scaleToZero: on, requestsInRetention: nil).replicas == ["a": 2])
    }

    /// A100 (cost 40) and H100 (cost 80), one replica each, driven cycle by cycle.
    @Test("Scripted cycles: +1 on the cheaper variant, held while its pod starts, again, then -1 when load falls")
    func scriptedCycles() {
        var wva = WorkloadVariantAutoscaler()
        func model(_ a100: WVAVariantInput, _ h100: WVAVariantInput) -> WVAModelInput {
            WVAModelInput(modelID: "llama", variants: [a100, h100])
        }
        func a100(current: Int, ready: Int, _ pods: [(Double, Int)]) -> WVAVariantInput {
            var v = Self.variant("llama-a100", cost: 40, current: current, ready: ready, pods)
            v.acceleratorLabel = "A100"
            return v
        }
        let h100 = Self.variant("llama-h100", cost: 80, [(0.75, 2)])
        // Cycle 1: both near the KV threshold → +1 on the A100 variant.
        var d = wva.evaluate(model(a100(current: 1, ready: 1, [(0.76, 2)]), h100), at: .seconds(30))
        #expect(d.desiredReplicas == ["llama-a100": 2, "llama-h100": 1])
        // Cycle 2: the HPA made 2 pods, one still loading: metrics(1) != current(2) → held.
        d = wva.evaluate(model(a100(current: 2, ready: 1, [(0.78, 3)]), h100), at: .seconds(60))
        #expect(d.desiredReplicas == ["llama-a100": 2, "llama-h100": 1] && d.reason.contains("metrics(1)!=current(2)"))
        // Cycle 3: both ready, still hot → +1 again on A100.
        d = wva.evaluate(model(a100(current: 2, ready: 2, [(0.76, 2), (0.77, 2)]), h100), at: .seconds(90))
        #expect(d.desiredReplicas["llama-a100"] == 3)
        // Cycle 4: load gone; H100 is at 1 replica, so the most expensive variant above 1 is A100: 3 → 2.
        d = wva.evaluate(
            model(a100(current: 3, ready: 3, [(0.1, 0), (0.1, 0), (0.1, 0)]), Self.variant("llama-h100", cost: 80, [(0.1, 0)])),
            at: .seconds(120))
        #expect(
            d.desiredReplicas == ["llama-a100": 2, "llama-h100": 1]
                && d.reason.hasPrefix("scale-down most expensive variant llama-a100"))
    }

    @Test(
        "A variant without the acceleratorName label is never published; an idle model is skipped and the gauge keeps its value")
    func publishing() {
        var wva = WorkloadVariantAutoscaler()
        var unlabeled = Self.variant("plain", cost: 5, [(0.79, 4)])
        unlabeled.acceleratorLabel = nil
        let input = WVAModelInput(modelID: "m", variants: [unlabeled, Self.variant("labeled", cost: 9, [(0.79, 4)])])
        var d = wva.evaluate(input, at: .seconds(30))
        #expect(d.targets == ["plain": 2, "labeled": 1] && d.desiredReplicas == ["labeled": 1] && d.updated == ["labeled"])
        var idle = input
        for i in idle.variants.indices { idle.variants[i].pods = [] }
        d = wva.evaluate(idle, at: .seconds(60))
        #expect(d.targets == nil && d.desiredReplicas == ["labeled": 1])
    }
}

extension WVASaturationTests {
    @Test(
        "Inactive variants (spec.replicas 0) are not analysed or published; scale-from-zero wakes them to 1 when the EPP queue holds requests"
    )
    func inactiveAndScaleFromZero() {
        var wva = WorkloadVariantAutoscaler()
        var asleep = WVAVariantInput(
            name: "asleep", acceleratorLabel: "A100", cost: 1, specReplicas: 0, currentReplicas: 0, readyReplicas: 0, pods: [])
        let awake = Self.variant("awake", cost: 9, [(0.79, 4)])
        let d = wva.evaluate(WVAModelInput(modelID: "m", variants: [asleep, awake]), at: .seconds(30))
        // Without the inactive one, the only (and so cheapest) variant takes the +1.
        #expect(d.targets == ["awake": 2] && d.desiredReplicas == ["awake": 2])
        #expect(wva.scaleFromZero(WVAModelInput(modelID: "m", variants: [asleep, awake]), flowControlQueueSize: 0).isEmpty)
        #expect(wva.scaleFromZero(WVAModelInput(modelID: "m", variants: [asleep, awake]), flowControlQueueSize: 3) == ["asleep"])
        #expect(wva.state.status["asleep"] == .init(replicas: 1, accelerator: "A100") && wva.state.gauge["asleep"] == nil)
        asleep.specReplicas = 1
        #expect(
            wva.evaluate(WVAModelInput(modelID: "m", variants: [asleep]), at: .seconds(60)).reason.hasPrefix(
                "no saturation metrics"))
    }

    @Test("A variant with no pod reporting does not trip the transition gate (only variants with metrics are checked)")
    func startingVariantDoesNotGate() {
        let starting = WVAVariantInput(
            name: "starting", acceleratorLabel: "A100", cost: 1, currentReplicas: 1, readyReplicas: 0, pods: [])
        let input = WVAModelInput(modelID: "m", variants: [starting, Self.variant("busy", cost: 9, [(0.79, 4)])])
        let analysis = WVASaturationAnalysis(input, config: Self.config)
        #expect(analysis.targets(input, desired: [:]).replicas == ["busy": 2])
    }
}

extension WVASaturationTests {
    @Test(
        "Boundaries: at a threshold a replica is saturated; a spare equal to its trigger neither scales up nor blocks scale-down")
    func boundaries() {
        let atThresholds = Self.analysis([(0.80, 0), (0.0, 5), (0.0, 0)])
        #expect(atThresholds.nonSaturatedCount == 1)
        // Spare queue exactly 3 (= queueSpareTrigger): `<` does not fire.
        #expect(!Self.analysis([(0.0, 2), (0.0, 2)]).shouldScaleUp)
        // Queue load 1 spread over one replica fewer: 2, spare 3 >= 3 → safe; load 1.5 → 3, spare 2 → unsafe.
        #expect(Self.analysis([(0.0, 1), (0.0, 1)]).scaleDownSafe)
        #expect(!Self.analysis([(0.0, 1), (0.0, 2)]).scaleDownSafe)
    }
}

extension WVASaturationTests {
    /// `docs/integrations/hpa-integration.md`, `config/samples/hpa-integration.yaml`: External metric
    /// `wva_desired_replicas`, target AverageValue "1". The HPA's 10 % tolerance applies to the ratio
    /// desired / current, so WVA's +1 is lost from 10 replicas up.
    @Test("The gauge through an HPA External AverageValue 1 target: ceil(desired), but +1 on 10 replicas is within tolerance")
    func throughHPA() {
        func hpa(current: Int, desired: Int) -> Int {
            HPAReplicaCalculator.averageValueReplicas(statusReplicas: current, total: Int64(desired) * 1000, targetPerPod: 1000)
        }
        #expect(hpa(current: 2, desired: 3) == 3 && hpa(current: 3, desired: 2) == 2)
        #expect(hpa(current: 10, desired: 11) == 10 && hpa(current: 10, desired: 9) == 10 && hpa(current: 9, desired: 10) == 10)
    }
}
