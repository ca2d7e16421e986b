import Foundation

/// WVA's V1 saturation analyzer: pools every pod of every variant of a model, finds the replicas
/// below both thresholds, and asks whether their mean spare KV or queue is under its trigger
/// (scale up) and whether one replica fewer would still leave both spares at their triggers (scale down).
///
/// `internal/saturation/analyzer.go` (`AnalyzeModelSaturation`, `analyzeVariant`, `shouldScaleUp`,
/// `isScaleDownSafe`) and `internal/saturation/constants.go`, llm-d-workload-variant-autoscaler@b08b1c7.
public struct WVASaturationAnalysis: Sendable, Equatable {
    /// One variant's share: only variants with at least one pod reporting appear.
    public struct Variant: Sendable, Equatable {
        public var name: String
        public var cost: Double
        public var acceleratorLabel: String?
        /// Pods reporting metrics (`ReplicaCount`).
        public var replicaCount: Int
        public var nonSaturatedCount: Int
        public var avgSpareKv: Double
        public var avgSpareQueue: Double
    }

    public var totalReplicas: Int
    public var nonSaturatedCount: Int
    /// Zero when every replica is saturated, so the triggers fire.
    public var avgSpareKv: Double
    public var avgSpareQueue: Double
    public var shouldScaleUp: Bool
    public var scaleUpReason: String
    public var scaleDownSafe: Bool
    public var variants: [Variant]

    /// `MinNonSaturatedReplicasForScaleDown`.
    public static let minNonSaturatedForScaleDown = 2

    public init(_ input: WVAModelInput, config: WVASaturationConfig) {
        variants = []
        var totalKv = 0.0, totalQueue = 0.0, nonSaturated = 0
        for variant in input.variants where !variant.pods.isEmpty {
            let share = Self.analyze(variant, config: config)
            variants.append(share)
            nonSaturated += share.nonSaturatedCount
            // Upstream re-multiplies each variant's mean by its count; kept for bit-equal sums.
            totalKv += share.avgSpareKv * Double(share.nonSaturatedCount)
            totalQueue += share.avgSpareQueue * Double(share.nonSaturatedCount)
        }
        totalReplicas = input.variants.reduce(0) { $0 + $1.pods.count }
        nonSaturatedCount = nonSaturated
        avgSpareKv = nonSaturated > 0 ? totalKv / Double(nonSaturated) : 0
        avgSpareQueue = nonSaturated > 0 ? totalQueue / Double(nonSaturated) : 0
        (shouldScaleUp, scaleUpReason) = totalReplicas == 0 ? (false, "") : Self.scaleUp(avgSpareKv, avgSpareQueue, config)
        scaleDownSafe = totalReplicas == 0 ? false : Self.scaleDownSafe(nonSaturated, avgSpareKv, avgSpareQueue, config)
    }

    static func analyze(_ variant: WVAVariantInput, config: WVASaturationConfig) -> Variant {
        var spareKv = 0.0, spareQueue = 0.0, nonSaturated = 0
        for pod in variant.pods {
            let saturated = pod.kvCacheUsage >= config.kvCacheThreshold || Double(pod.queueLength) >= config.queueLengthThreshold
            guard !saturated else { continue }
            spareKv += config.kvCacheThreshold - pod.kvCacheUsage
            spareQueue += config.queueLengthThreshold - Double(pod.queueLength)
            nonSaturated += 1
        }
        return Variant(
            name: variant.name, cost: variant.cost, acceleratorLabel: variant.acceleratorLabel, replicaCount: variant.pods.count,
            nonSaturatedCount: nonSaturated, avgSpareKv: nonSaturated > 0 ? spareKv / Double(nonSaturated) : 0,
            avgSpareQueue: nonSaturated > 0 ? spareQueue / Double(nonSaturated) : 0)
    }

    /// `shouldScaleUp`: either trigger, with upstream's reason text.
    static func scaleUp(_ kv: Double, _ queue: Double, _ config: WVASaturationConfig) -> (Bool, String) {
        let kvLow = kv < config.kvSpareTrigger, queueLow = queue < config.queueSpareTrigger
        switch (kvLow, queueLow) {
        case (false, false): return (false, "")
        case (true, true):
            return (
                true,
                String(
                    format: "both KV spare (%.3f < %.3f) and queue spare (%.1f < %.1f)", kv, config.kvSpareTrigger, queue,
                    config.queueSpareTrigger)
            )
        case (true, false): return (true, String(format: "KV spare Saturation low (%.3f < %.3f)", kv, config.kvSpareTrigger))
        case (false, true):
            return (true, String(format: "queue spare Saturation low (%.1f < %.1f)", queue, config.queueSpareTrigger))
        }
    }

    /// `isScaleDownSafe`: spread the non-saturated replicas' mean load over one replica fewer.
    static func scaleDownSafe(_ count: Int, _ spareKv: Double, _ spareQueue: Double, _ config: WVASaturationConfig) -> Bool {
        guard count >= minNonSaturatedForScaleDown else { return false }
        let factor = Double(count) / Double(count - 1)
        let kvAfter = (config.kvCacheThreshold - spareKv) * factor
        let queueAfter = (config.queueLengthThreshold - spareQueue) * factor
        return config.kvCacheThreshold - kvAfter >= config.kvSpareTrigger
            && config.queueLengthThreshold - queueAfter >= config.queueSpareTrigger
    }
}
