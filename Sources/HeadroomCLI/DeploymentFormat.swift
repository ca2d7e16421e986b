import Foundation
import Headroom
import HeadroomStore

/// The per-deployment table printed under a run's summary when the scenario runs several
/// deployments (by `headroom run` and `runs show`): what each model's users saw, the GPU-hours its
/// replicas held and the share of the bill those account for, and the dollars no deployment held.
enum DeploymentFormat {
    static let headers = ["arrived", "finished", "dropped", "TTFT p99", "SLO met", "peak", "GPU-h", "cost", "$/M in", "$/M out"]
    /// 99 columns with a name of 10 (the default terminal's 100 fit).
    static let widths = [9, 10, 9, 10, 10, 6, 7, 9, 8, 9]

    static func table(_ deployments: [DeploymentSummary], cost: CostSummary) -> [String] {
        let nameWidth = min(18, max(10, deployments.map(\.name.count).max() ?? 0))
        func name(_ text: String) -> String {
            let cut = text.count > nameWidth ? String(text.prefix(nameWidth - 1)) + "…" : text
            return cut.padding(toLength: nameWidth + 2, withPad: " ", startingAt: 0)
        }
        func line(_ first: String, _ cells: [String]) -> String {
            name(first) + zip(cells, widths).map { $0.leftPad($1) }.joined()
        }
        var lines = ["", line("Deployment", headers)]
        for d in deployments {
            // A deployment serving another's traffic has no requests of its own to show.
            let requests = d.sharesTrafficWith == nil
                ? [d.requests.arrived.grouped, d.requests.finished.grouped, d.requests.dropped.grouped, seconds(d.ttft.p99),
                   String(format: "%.2f %%", d.slo.both * 100)]
                : ["↑", "↑", "↑", "↑", "↑"]
            lines.append(line(d.name, requests + [String(d.peakReplicas),
                String(format: "%.2f", DeploymentSummaryRecord.heldSeconds(d) / 3600), String(format: "$%.2f", d.cost.dollars),
                String(format: "%.3f", d.cost.perMillionInputTokens), String(format: "%.3f", d.cost.perMillionOutputTokens),
            ]))
        }
        var notes: [String] = []
        for d in deployments {
            guard let owner = d.sharesTrafficWith else { continue }
            notes.append("↑ \(d.name) serves \(owner)'s traffic: its requests and latencies count under \(owner)")
        }
        if !notes.isEmpty { notes.append("$/M in and out: each deployment's cost over the tokens its own replicas served") }
        let attributed = deployments.reduce(0) { $0 + $1.cost.dollars }
        let unattributed = cost.unattributedDollars ?? cost.dollars - attributed
        let note = String(format: "Unattributed $%.2f of $%.2f (GPUs no deployment held: nodes provisioning or empty, rounding)",
                          unattributed, cost.dollars)
        return lines + Terminal.fit(notes + [note], width: max(60, Terminal.width()), indent: 13)
    }

    static func seconds(_ value: Double) -> String {
        value >= 1 ? String(format: "%.2f s", value) : String(format: "%.1f ms", value * 1000)
    }
}
