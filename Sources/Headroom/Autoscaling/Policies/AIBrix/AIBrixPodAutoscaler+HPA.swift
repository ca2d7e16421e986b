import HeadroomEngine

extension AIBrixPodAutoscaler {
    /// `targetValue` as the generated HPA's AverageValue: `int64(targetValue)` truncates it
    /// (`hpa_resources.go`), so 0.5 becomes 0.
    public static func hpaTargetMilli(_ target: Double) -> Int64 { Int64(target) * 1000 }

    /// `scalingStrategy: HPA`: the HorizontalPodAutoscaler AIBrix generates (`hpa_resources.go`):
    /// minReplicas only when above 0 (else the HPA's 1), each metric a Pods AverageValue target
    /// served by a metrics adapter from the pods' series; behavior from the annotations: scale-up
    /// `Percent = (rate − 1) × 100` per 60 s, `selectPolicy: Max`, stabilisation = the scale-up
    /// cooldown; scale-down `Percent = (1 − 1/rate) × 100` per 60 s, `selectPolicy: Min`,
    /// stabilisation = the scale-down cooldown.
    static func horizontalPodAutoscaler(_ spec: AIBrixSpec, scrape: PrometheusScrapeConfig?) -> HorizontalPodAutoscaler {
        func percent(_ value: Double) -> Int {
            let p = Int(Int32(clamping: Int64(value.rounded(.towardZero))))
            return p < 0 ? 100 : max(1, p)
        }
        let up = HPAScalingRules(
            stabilizationWindowSeconds: Int(spec.scaleUpCooldown.seconds), selectPolicy: .max,
            policies: [.init(.percent, value: percent((spec.maxScaleUpRate - 1) * 100), periodSeconds: 60)])
        let down = HPAScalingRules(
            stabilizationWindowSeconds: Int(spec.scaleDownCooldown.seconds), selectPolicy: .min,
            policies: [.init(.percent, value: percent((1 - 1 / spec.maxScaleDownRate) * 100), periodSeconds: 60)])
        let metrics = spec.metrics.map { metric in
            HPAMetric(
                source: .pods, signal: .concurrency, target: .averageValue(milli: max(1, hpaTargetMilli(metric.target))),
                query: QueryMetric(metric.query, reading: .perPod))
        }
        var settings = HPAControllerSettings()
        if let scrape { settings.prometheus = scrape }
        let hpaSpec = HPASpec(
            minReplicas: spec.minReplicas > 0 ? spec.minReplicas : 1, maxReplicas: max(spec.maxReplicas, 1),
            metrics: metrics, behavior: HPABehavior(scaleUp: up, scaleDown: down))
        return HorizontalPodAutoscaler(spec: hpaSpec, settings: settings)
    }
}
