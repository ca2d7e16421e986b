import Foundation
import HeadroomStore

/// The comparison as a terminal table or CSV.
enum CompareFormat {
    static let columns: [(metric: String, title: String, format: @Sendable (Double) -> String)] = [
        ("ttft_p99_seconds", "TTFT p99", seconds), ("itl_p99_seconds", "ITL p99", seconds),
        ("slo_both", "SLO", { String(format: "%.1f%%", $0 * 100) }), ("dropped", "drops", { String(format: "%.0f", $0) }),
        ("cold_starts_started", "cold", { String(format: "%.0f", $0) }),
        ("gpu_hours_serving", "GPU-h srv", { String(format: "%.1f", $0) }), ("gpu_hours_idle", "GPU-h idle", { String(format: "%.1f", $0) }),
        ("gpu_hours_starting", "GPU-h start", { String(format: "%.1f", $0) }), ("cost_dollars", "cost", { String(format: "$%.0f", $0) }),
        ("cost_per_million_output_tokens", "$/Mtok", { String(format: "%.2f", $0) }),
    ]

    static func seconds(_ value: Double) -> String { value >= 1 ? String(format: "%.2fs", value) : String(format: "%.0fms", value * 1000) }

    static func cell(_ estimate: Comparison.Estimate?, _ format: (Double) -> String) -> String {
        guard let estimate, estimate.count > 0 else { return "—" }
        guard estimate.count > 1 else { return format(estimate.mean) }
        return "\(format(estimate.mean))±\(format((estimate.high - estimate.low) / 2))"
    }

    static func table(_ comparison: Comparison) -> String {
        let header = ["", "variant", "runs"] + columns.map(\.title)
        var rows = comparison.rows.map { row in
            [row.paretoOptimal ? "*" : " ", row.variant, "\(row.runs)"] + columns.map { cell(row.metrics[$0.metric], $0.format) }
        }
        if comparison.baseline != nil {
            rows.append([])
            for row in comparison.rows {
                guard let paired = row.pairedDifferences, row.variant != comparison.baseline else { continue }
                rows.append([" ", "Δ \(row.variant)", "\(paired["cost_dollars"]?.count ?? 0)"]
                            + columns.map { signed(paired[$0.metric], $0.format) })
            }
        }
        let widths = header.indices.map { index in ([header] + rows).map { $0.count > index ? $0[index].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == 1 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: max(0, widths[index] - cell.count)) + cell
            }.joined(separator: "  ")
        }
        var text = [line(header)] + rows.map { $0.isEmpty ? "" : line($0) }
        text.append("")
        text.append("* on the cost-vs-p99-TTFT Pareto front; ± is the 95 % confidence half-width across seeds"
                    + (comparison.baseline.map { "; Δ rows: paired difference to \($0) on shared seeds" } ?? ""))
        return text.joined(separator: "\n")
    }

    static func signed(_ estimate: Comparison.Estimate?, _ format: (Double) -> String) -> String {
        guard let estimate, estimate.count > 0 else { return "—" }
        let sign = estimate.mean < 0 ? "-" : "+"
        let magnitude = format(abs(estimate.mean))
        return estimate.count > 1 ? "\(sign)\(magnitude)±\(format((estimate.high - estimate.low) / 2))" : "\(sign)\(magnitude)"
    }

    static func csv(_ comparison: Comparison) -> String {
        var header = ["variant", "runs", "pareto"]
        for metric in Comparison.metrics { header += [metric, "\(metric)_ci_low", "\(metric)_ci_high"] }
        if comparison.baseline != nil { for metric in Comparison.metrics { header.append("\(metric)_minus_baseline") } }
        var lines = [header.joined(separator: ",")]
        for row in comparison.rows {
            var cells = ["\"\(row.variant)\"", "\(row.runs)", row.paretoOptimal ? "1" : "0"]
            for metric in Comparison.metrics {
                let estimate = row.metrics[metric]
                cells += [estimate?.mean, estimate?.low, estimate?.high].map { $0.map { String($0) } ?? "" }
            }
            if comparison.baseline != nil {
                for metric in Comparison.metrics { cells.append(row.pairedDifferences?[metric].map { String($0.mean) } ?? "") }
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }
}
