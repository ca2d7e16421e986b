import Foundation
import HeadroomStore

/// The comparison as CSV (the terminal table is `ComparisonTable`).
enum CompareFormat {
    static func csv(_ comparison: Comparison) -> String {
        var header = ["variant", "runs", "meets_slo", "pareto"]
        for metric in Comparison.metrics { header += [metric, "\(metric)_ci_low", "\(metric)_ci_high"] }
        if comparison.baseline != nil { for metric in Comparison.metrics { header.append("\(metric)_minus_baseline") } }
        var lines = [header.joined(separator: ",")]
        for row in comparison.rows {
            var cells = ["\"\(row.variant.replacingOccurrences(of: "\"", with: "\"\""))\"", "\(row.runs)", row.meetsSLO ? "1" : "0", row.paretoOptimal ? "1" : "0"]
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
