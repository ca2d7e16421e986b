import Foundation
import HeadroomStore

/// A sweep's cold starts as a waterfall: one bar per variant from request to ready, split into the
/// mean pending, pull, load and warm-up seconds of its ready starts (over every run and seed), and
/// beside it what the variant bought on the traffic it ran: SLO met, drops, GPU-hours idle and
/// starting, cost. Made for the cold-start what-if (scenarios/sweeps/cold-start-whatif.yaml), whose
/// variants are fixes; drawn for any sweep whose runs have ready cold starts.
struct ColdStartWaterfall {
    struct Bar {
        var variant: String
        /// Mean seconds per stage, in `RunSection.stageColors` order.
        var stages: [Double]
        var starts: Int
        var total: Double { stages.reduce(0, +) }
    }

    /// Variants in `order` (the comparison table's), then any other in the order of its first run;
    /// those with no ready start left out.
    let bars: [Bar]

    init(store: RunStore, runs ids: [Int64], order given: [String] = []) throws {
        let runs = try store.table("runs", runs: ids)
        var variantOf: [Int64: String] = [:]
        var order = given
        for (id, variant) in zip(runs.numbers("run_id"), runs.texts("variant")).sorted(by: { ($0.0 ?? 0) < ($1.0 ?? 0) }) {
            let name = variant ?? ""
            variantOf[Int64(id ?? 0)] = name
            if !order.contains(name) { order.append(name) }
        }
        let starts = try store.table("cold_starts", runs: ids)
        let runOf = starts.numbers("run_id"), readyAt = starts.numbers("ready_at")
        let stageColumns = RunSection.stageColors.map { starts.numbers("\($0.0)_seconds") }
        var sums: [String: (stages: [Double], count: Int)] = [:]
        for i in starts.rows.indices {
            guard readyAt[i] != nil, let run = runOf[i], let variant = variantOf[Int64(run)] else { continue }
            var sum = sums[variant] ?? (Array(repeating: 0, count: stageColumns.count), 0)
            for (s, column) in stageColumns.enumerated() { sum.stages[s] += column[i] ?? 0 }
            sum.count += 1
            sums[variant] = sum
        }
        bars = order.compactMap { variant in
            sums[variant].map { sum in Bar(variant: variant, stages: sum.stages.map { $0 / Double(sum.count) }, starts: sum.count) }
        }
    }

    /// The waterfall, or nil when no run had a ready cold start. Each bar is labelled at its end
    /// with its variant and mean total; the x axis leaves room for the longest label.
    func chart() -> SVGChart? {
        guard let longest = bars.map(\.total).max() else { return nil }
        let labels = bars.map { "\($0.variant) · \(Label.seconds(($0.total * 10).rounded() / 10))" }
        var chart = SVGChart(height: max(150, 76 + 18 * Double(bars.count)), xs: [0, max(longest, 1)], ys: [0],
                             xTitle: "request to ready, mean of the ready starts (seconds)", yTitle: "variants (bars)",
                             xLabel: Label.seconds, yLabel: { _ in "" })
        let plot = chart.plotRight - chart.plotLeft
        let room = min(plot / 2, Double(labels.map(\.count).max() ?? 0) * SVGChart.characterWidth + 8)
        chart.x = Scale(low: 0, high: max(longest, 1) * plot / (plot - room), from: chart.plotLeft, to: chart.plotRight)
        chart.y = Scale(low: -0.5, high: Double(bars.count) - 0.5, from: chart.plotTop, to: chart.plotBottom)
        var items: [(x0: Double, x1: Double, lane: Double, color: String, title: String)] = []
        for (lane, bar) in bars.enumerated() {
            let title = "\(bar.variant): \(bar.starts) ready starts, mean \(Label.seconds(bar.total)) = "
                + zip(RunSection.stageColors, bar.stages).map { "\($0.0.0) \(Label.seconds($0.1))" }.joined(separator: " + ")
            var t = 0.0
            for ((_, color), seconds) in zip(RunSection.stageColors, bar.stages) where seconds > 0 {
                items.append((t, t + seconds, Double(lane), color, title))
                t += seconds
            }
        }
        chart.segments("cold-start stages", items, laneHeight: 12)
        let maxChars = Int((room - 8) / SVGChart.characterWidth)
        chart.marks.append("<g data-series=\"variant labels\">" + zip(bars, labels).enumerated().map { lane, pair in
            let shown = pair.1.count > maxChars ? String(pair.1.prefix(max(1, maxChars - 1))) + "…" : pair.1
            return "<text x=\"\(SVGChart.f(chart.x(pair.0.total) + 4))\" y=\"\(SVGChart.f(chart.y(Double(lane)) + 4))\" font-size=\"11\">"
                + "<title>\(escaped(pair.1))</title>\(escaped(shown))</text>"
        }.joined() + "</g>")
        chart.seriesNames.append("variant labels")
        for (stage, color) in RunSection.stageColors { chart.legendEntry(stage, color: color) }
        return chart
    }

    /// What each variant bought, in the waterfall's order: the comparison's means.
    func worthTable(_ comparison: Comparison) -> String {
        let columns = ["slo_both", "dropped", "gpu_hours_idle", "gpu_hours_starting", "cost_dollars"]
            .compactMap { metric in ComparisonColumn.all.first { $0.metric == metric } }
        var out = "<div class=\"scroll\"><table class=\"comparison worth\"><thead><tr><th>start</th><th>variant</th>"
        out += columns.map { "<th>\(escaped($0.title))</th>" }.joined() + "</tr></thead><tbody>"
        for bar in bars {
            guard let row = comparison.rows.first(where: { $0.variant == bar.variant }) else { continue }
            out += "<tr><td>\(escaped(Label.seconds((bar.total * 10).rounded() / 10)))</td><td>\(escaped(bar.variant))</td>"
            out += columns.map { "<td>\(escaped($0.parts(row.metrics[$0.metric]).mean))</td>" }.joined() + "</tr>"
        }
        return out + "</tbody></table></div>"
    }
}
