import Foundation
import HeadroomStore

extension RunSection {
    /// With several deployments: one row per deployment — its requests, p99 TTFT, SLO attainment,
    /// peak replicas, the GPU-hours its replicas held by state, the dollars attributed to it (each pool's
    /// bill shared by the GPU-seconds held there) and those per million input and output tokens —
    /// then the dollars no deployment held. Empty for a run of one deployment.
    func deploymentTable() -> String {
        guard !deployments.rows.isEmpty else { return "" }
        let names = deployments.texts("deployment"), models = deployments.texts("model"), policies = deployments.texts("policy")
        func column(_ name: String) -> [Double] { deployments.numbers(name).map { $0 ?? 0 } }
        let arrived = column("arrived"), finished = column("finished"), dropped = column("dropped"), p99 = column("ttft_p99_seconds")
        let slo = column("slo_both"), peak = column("peak_replicas"), held = column("gpu_hours_held"), dollars = column("cost_dollars")
        let serving = column("gpu_hours_serving"), idle = column("gpu_hours_idle"), starting = column("gpu_hours_starting")
        let perInput = column("cost_per_million_input_tokens"), perOutput = column("cost_per_million_output_tokens")
        let headers = ["deployment", "model", "policy", "arrived", "finished", "dropped", "TTFT p99", "SLO met", "peak replicas",
                       "GPU-h serving", "GPU-h idle", "GPU-h starting", "GPU-h held", "cost", "$ per M input tokens", "$ per M output tokens"]
        var out = "<div class=\"scroll\"><table class=\"comparison deployments\"><thead><tr>"
            + headers.map { "<th>\(escaped($0))</th>" }.joined() + "</tr></thead><tbody>"
        for i in deployments.rows.indices {
            let cells = [names[i] ?? "", models[i] ?? "", policies[i] ?? "", Label.number(arrived[i]), Label.number(finished[i]),
                         Label.number(dropped[i]), Label.seconds(p99[i]), Label.percent(slo[i]), String(Int(peak[i])),
                         String(format: "%.2f", serving[i]), String(format: "%.2f", idle[i]), String(format: "%.2f", starting[i]),
                         String(format: "%.2f", held[i]), Label.dollars(dollars[i]), String(format: "%.3f", perInput[i]),
                         String(format: "%.3f", perOutput[i])]
            out += "<tr data-deployment=\"\(escaped(names[i] ?? ""))\">" + cells.map { "<td>\(escaped($0))</td>" }.joined() + "</tr>"
        }
        let total = value("cost_dollars")
        let unattributed = runs.numbers("cost_unattributed_dollars").first.flatMap { $0 } ?? total - dollars.reduce(0, +)
        out += "</tbody></table></div>"
        return out + "<p class=\"note\" data-unattributed=\"\(unattributed)\">Unattributed: \(escaped(Label.dollars(unattributed))) of "
            + "\(escaped(Label.dollars(total))) — GPUs no deployment's replicas held (nodes provisioning or empty, billing's rounding).</p>"
    }
}
