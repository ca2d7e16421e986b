import Foundation

/// A comparison as a plain-text table that fits a terminal: by default the decision columns
/// (`ComparisonColumn.defaults`) in `width` columns, grid-point labels shortened to their values,
/// columns that still do not fit left out and named in a footnote (`--columns` / `--wide` bring
/// them back).
public struct ComparisonTable: Sendable {
    public var columns: [ComparisonColumn]
    /// The most characters a line may take; nil: no limit (`--wide`).
    public var width: Int?
    /// Whether the columns were asked for by name: then none is dropped to fit.
    public var keepColumns: Bool

    public init(columns: [ComparisonColumn]? = nil, width: Int? = 100) {
        self.columns = columns ?? ComparisonColumn.defaults.compactMap(ComparisonColumn.named)
        self.width = width
        keepColumns = columns != nil
    }

    /// Every column, no width limit.
    public static var wide: ComparisonTable { ComparisonTable(columns: ComparisonColumn.all, width: nil) }

    public func render(_ comparison: Comparison) -> String {
        let labels = VariantLabels(comparison.rows.map(\.variant), width: width.map { max(16, $0 / 4) })
        let few = comparison.rows.map(\.runs).filter { $0 > 1 && $0 < ConfidenceInterval.reliableSeeds }
        func rowCells(_ columns: [ComparisonColumn]) -> [[String]] {
            var rows = comparison.rows.map { row in
                [row.paretoOptimal ? "*" : row.meetsSLO ? " " : "✗", labels[row.variant],
                 "\(row.runs)" + (few.contains(row.runs) ? "~" : "") + (row.profileEstimate ? "†" : "")]
                    + columns.map { $0.cell(row.metrics[$0.metric]) }
            }
            if let baseline = comparison.baseline {
                rows.append([])
                for row in comparison.rows where row.variant != baseline {
                    guard let paired = row.pairedDifferences else { continue }
                    let n = paired["cost_dollars"]?.count ?? 0
                    rows.append([" ", "Δ " + labels[row.variant], "\(n)" + (n > 1 && n < ConfidenceInterval.reliableSeeds ? "~" : "")]
                                + columns.map { $0.signedCell(paired[$0.metric]) })
                }
            }
            return rows
        }
        var shown = columns
        var hidden: [ComparisonColumn] = []
        var lines = Self.layout(header: ["", "variant", "seeds"] + shown.map(\.title), rows: rowCells(shown))
        while let width, !keepColumns, shown.count > 1, lines.map(\.count).max() ?? 0 > width {
            hidden.insert(shown.removeLast(), at: 0)
            lines = Self.layout(header: ["", "variant", "seeds"] + shown.map(\.title), rows: rowCells(shown))
        }
        var notes = [
            "* Pareto front of cost against mean p99 TTFT among the variants that meet the SLO (mean SLO attainment, "
                + "TTFT and ITL both, ≥ \(String(format: "%g", comparison.attainmentTarget * 100)) %); ✗ misses it."
                + (comparison.rows.contains(where: \.meetsSLO) ? "" : " No variant meets it: no Pareto front."),
            "Means over seeds with 95 % intervals (low–high): Wilson score (effective sample size) for SLO met, "
                + "percentile bootstrap (fixed seed) for the others; one seed: no interval.",
        ]
        if let n = few.max() {
            notes.append("~ n = \(few.min()! == n ? "\(n)" : "\(few.min()!)–\(n)") seeds: intervals are rough (fewer than "
                         + "\(ConfidenceInterval.reliableSeeds) seeds); add seeds, or compare with --baseline (paired).")
        }
        if comparison.rows.contains(where: \.profileEstimate) {
            notes.append("† ran on an estimated profile (a datasheet roofline, not measured): its latencies and costs are rough; "
                         + "`headroom profile list` shows the measured ones.")
        }
        if let baseline = comparison.baseline {
            notes.append("Δ rows: variant − \(labels[baseline]) on the seeds both ran (common random numbers), Student t.")
        }
        if let legend = labels.legend { notes.append(legend) }
        if !hidden.isEmpty { notes.append("Not shown to fit \(width ?? 0) columns: \(hidden.map(\.metric).joined(separator: ", ")) (--columns or --wide).") }
        return (lines + [""] + notes.map { Self.wrap($0, width: width) }).joined(separator: "\n")
    }

    /// Right-aligned cells (the variant left-aligned), two spaces apart.
    static func layout(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { index in all.map { $0.count > index ? $0[index].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            guard !cells.isEmpty else { return "" }
            let text = cells.enumerated().map { index, cell in
                index == 1 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: max(0, widths[index] - cell.count)) + cell
            }.joined(separator: "  ")
            return String(text.reversed().drop { $0 == " " }.reversed())
        }
        return all.map(line)
    }

    /// `text` broken at spaces into lines of at most `width` characters, continuation lines indented.
    static func wrap(_ text: String, width: Int?) -> String {
        guard let width, text.count > width else { return text }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = "  " + word
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        return (lines + [line]).joined(separator: "\n")
    }
}
