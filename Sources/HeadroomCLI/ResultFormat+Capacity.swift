import Foundation
import Headroom

extension ResultFormat {
    /// Spot interruptions, refused node requests by pool and time waiting for a node, when any.
    static func capacityLine(_ s: RunSummary) -> String? {
        var parts: [String] = []
        if let spot = s.spot {
            let total = spot.interruptionsByPool.values.reduce(0, +)
            parts.append("\(total) spot interruption\(total == 1 ? "" : "s") (\(spot.replicasInterrupted) replicas, \(spot.requestsRetried) requests retried)")
        }
        if let byPool = s.stockoutsByPool {
            parts.append("stockouts " + byPool.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if let waited = s.capacityWaitSeconds {
            parts.append(String(format: "%.0f replica-seconds waiting for a node", waited))
        }
        return parts.isEmpty ? nil : "Capacity   " + parts.joined(separator: "; ")
    }

    /// The KV transfers of prefill/decode disaggregation, when the run has it, and each role's
    /// busy share (serving GPU-seconds over those its replicas held) and queueing.
    static func disaggregationLine(_ s: RunSummary) -> String? {
        guard let d = s.disaggregation else { return nil }
        var roles: [String] = []
        for deployment in s.deployments ?? [] {
            let g = deployment.gpuSeconds, held = g.starting + g.serving + g.idle
            guard held > 0 else { continue }
            roles.append(String(format: "%@ busy %.0f %%", deployment.name, g.serving / held * 100))
        }
        let queueing = String(format: "; queue wait %@ (prefill, mean)", DeploymentFormat.seconds(s.queueWait.mean))
        return String(format: "KV moves   %d transfers, %.1f GB; %@ mean, %@ p99; %.1f %% of handed-off TTFT; %d waited for a decode worker; queued %@ on it (mean)",
                      d.transfers, d.gigabytes, DeploymentFormat.seconds(d.transferSeconds.mean), DeploymentFormat.seconds(d.transferSeconds.p99),
                      d.shareOfTTFT * 100, d.waitedForDecodeWorker, DeploymentFormat.seconds(d.meanDecodeQueueSeconds))
            + (roles.isEmpty ? "" : "; " + roles.joined(separator: ", ")) + queueing
    }
}
