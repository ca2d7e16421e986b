import Foundation
import HeadroomStore

/// Several runs side by side: the comparison table (means with 95 % intervals across seeds),
/// latency CDFs overlaid per variant, and cost against p99 TTFT with the Pareto front.
struct ComparisonSection {
    let comparison: Comparison
    /// Per variant, each metric's quantile curve averaged over its runs (seconds at each percentile).
    let curves: [String: [String: [(percentile: Double, seconds: Double)]]]
    /// The cold starts per variant, request to ready (drawn when the runs had any).
    let waterfall: ColdStartWaterfall
    private(set) var drawn: [String: [String]] = [:]

    init(store: RunStore, runs ids: [Int64], baseline: String?, attainmentTarget: Double = Comparison.defaultAttainmentTarget) throws {
        let runs = try store.table("runs", runs: ids)
        let variants = runs.texts("variant").map { $0 ?? "" }
        let seeds = runs.numbers("seed").map { Int64($0 ?? 0) }
        let runIDs = runs.numbers("run_id").map { Int64($0 ?? 0) }
        let summaries = try store.summaries(of: ids)
        var groups: [String: [(seed: Int64, values: [String: Double])]] = [:]
        var variantOf: [Int64: String] = [:]
        for i in runIDs.indices {
            groups[variants[i], default: []].append((seeds[i], summaries[runIDs[i]] ?? [:]))
            variantOf[runIDs[i]] = variants[i]
        }
        comparison = Comparison(runs: groups, baseline: try baseline.map { try Comparison.resolveVariant($0, among: Array(groups.keys)) },
                                attainmentTarget: attainmentTarget)
        // Averaging quantiles across seeds (not pooling requests) keeps each seed's weight equal.
        let quantiles = try store.table("latency_quantiles", runs: ids)
        var sums: [String: [String: [Double: (Double, Int)]]] = [:]
        let qRun = quantiles.numbers("run_id"), qMetric = quantiles.texts("metric"), qP = quantiles.numbers("percentile"),
            qS = quantiles.numbers("seconds")
        for i in quantiles.rows.indices {
            guard let run = qRun[i], let variant = variantOf[Int64(run)], let metric = qMetric[i], let p = qP[i], let s = qS[i] else { continue }
            let old = sums[variant, default: [:]][metric, default: [:]][p] ?? (0, 0)
            sums[variant, default: [:]][metric, default: [:]][p] = (old.0 + s, old.1 + 1)
        }
        waterfall = try ColdStartWaterfall(store: store, runs: ids, order: comparison.rows.map(\.variant))
        curves = sums.mapValues { metrics in
            metrics.mapValues { points in points.keys.sorted().map { ($0, points[$0]!.0 / Double(points[$0]!.1)) } }
        }
    }

    mutating func html() -> String {
        var out = "<section class=\"comparison\"><h2>Comparison</h2>"
        out += table()
        if let chart = waterfall.chart() {
            let caption = "Cold starts per variant, request to ready: the mean pending, pull, load and warm-up of each variant's "
                + "ready starts; beside it, what the variant bought on its traffic (means over seeds)"
            drawn["cold-start-waterfall"] = chart.seriesNames
            out += "<figure data-chart=\"cold-start-waterfall\">\(chart.render(caption: caption))<figcaption>\(escaped(caption))</figcaption></figure>"
            out += waterfall.worthTable(comparison)
        }
        for (metric, title) in [("ttft", "TTFT"), ("e2e", "end-to-end latency")] {
            if let chart = cdf(metric, title: title) {
                let caption = "\(title) CDF per variant (quantiles averaged over seeds)"
                drawn["cdf-\(metric)"] = chart.seriesNames
                out += "<figure data-chart=\"cdf-\(metric)\">\(chart.render(caption: caption))<figcaption>\(escaped(caption))</figcaption></figure>"
            }
        }
        let scatter = costVersusLatency()
        drawn["pareto"] = scatter.seriesNames
        let target = String(format: "%g", comparison.attainmentTarget * 100)
        let caption = "Cost against p99 TTFT: means over seeds with 95 % bootstrap intervals; the line joins the Pareto front among "
            + "the variants meeting the SLO (mean attainment ≥ \(target) %, filled dots; rings miss it)"
            + (comparison.rows.contains(where: \.meetsSLO) ? "" : " — no variant meets it, so there is no front")
        out += "<figure data-chart=\"pareto\">\(scatter.render(caption: caption))<figcaption>\(escaped(caption))</figcaption></figure>"
        return out + "</section>"
    }

    /// The terminal table's columns and number forms, less E2E p99 and GPU-hours starting (the
    /// CDF and the run sections show those) and cost by pricing kind (the cost column holds it).
    static let columns = ComparisonColumn.all.filter {
        !["e2e_p99_seconds", "gpu_hours_starting", "cost_on_demand_dollars", "cost_reserved_dollars"].contains($0.metric)
    }

    private func table() -> String {
        var out = "<div class=\"scroll\"><table class=\"comparison\"><thead><tr><th>Pareto</th><th>variant</th><th>runs</th>"
        out += Self.columns.map { "<th>\(escaped($0.title))</th>" }.joined() + "</tr></thead><tbody>"
        for row in comparison.rows {
            let mark = row.paretoOptimal ? "★" : row.meetsSLO ? "" : "✗ SLO"
            let few = row.runs > 1 && row.runs < ConfidenceInterval.reliableSeeds ? "~" : ""
            out += "<tr><td>\(mark)</td><td>\(escaped(row.variant))</td><td>\(row.runs)\(few)</td>"
            for column in Self.columns {
                let (mean, interval) = column.parts(row.metrics[column.metric])
                out += "<td>\(escaped(mean))\(interval.map { " <span class=\"ci\">(\(escaped($0)))</span>" } ?? "")</td>"
            }
            out += "</tr>"
        }
        out += "</tbody></table></div>"
        out += "<p class=\"note\">Means over seeds; in brackets the 95 % interval: Wilson's score interval for SLO met, a "
            + "percentile bootstrap (fixed seed) for the others. ~ fewer than \(ConfidenceInterval.reliableSeeds) seeds: the "
            + "interval is rough. ★ on the cost-vs-p99-TTFT Pareto front among the variants that meet the SLO (mean "
            + "attainment ≥ \(String(format: "%g", comparison.attainmentTarget * 100)) %); ✗ SLO: misses it.</p>"
        return out
    }

    private func cdf(_ metric: String, title: String) -> SVGChart? {
        let variants = comparison.rows.map(\.variant)
        let lines = variants.compactMap { v in curves[v]?[metric].map { (v, $0) } }.filter { !$0.1.isEmpty }
        guard !lines.isEmpty else { return nil }
        let xs = lines.flatMap { $0.1.map { Optional($0.seconds) } }
        var chart = SVGChart(xs: xs, ys: [0, 1], logX: true, xTitle: "\(title) (seconds, log)", yTitle: "requests (%)", xLabel: Label.seconds,
                             yLabel: { Label.percent($0).replacingOccurrences(of: ".0 ", with: " ") })
        chart.y = Scale(low: 0, high: 1, from: chart.plotBottom, to: chart.plotTop)
        for (index, (variant, points)) in lines.enumerated() {
            chart.line(variant, xs: points.map(\.seconds), ys: points.map { $0.percentile / 100 },
                       color: SVGChart.palette[index % SVGChart.palette.count])
        }
        return chart
    }

    /// Means with their intervals as error bars; the axes cover every interval (all positive:
    /// bootstrap bounds lie between the seeds' values), so no bar is cut by the log axis.
    func costVersusLatency() -> SVGChart {
        let rows = comparison.rows
        func estimate(_ row: Comparison.Row, _ metric: String) -> Comparison.Estimate {
            row.metrics[metric] ?? Comparison.Estimate(mean: 0, low: 0, high: 0, count: 0)
        }
        let costs: [Double?] = [0] + rows.map { Optional(estimate($0, "cost_dollars").high) }
        let p99s = rows.flatMap { row -> [Double?] in
            let e = estimate(row, "ttft_p99_seconds")
            return [e.mean, e.low, e.high].map { $0 > 0 ? $0 : nil }
        }
        var chart = SVGChart(height: 360, xs: costs, ys: p99s.contains { $0 != nil } ? p99s : [1e-3, 1], logY: true, xTitle: "cost (dollars)",
                             yTitle: "TTFT p99 (seconds, log)", xLabel: Label.dollars, yLabel: Label.seconds)
        let front = rows.filter(\.paretoOptimal).sorted { estimate($0, "cost_dollars").mean < estimate($1, "cost_dollars").mean }
        chart.line("Pareto front", xs: front.map { estimate($0, "cost_dollars").mean },
                   ys: front.map { estimate($0, "ttft_p99_seconds").mean }, color: "#555", width: 1.2, dashed: true)
        let items = rows.enumerated().map { index, row in
            let cost = estimate(row, "cost_dollars"), p99 = estimate(row, "ttft_p99_seconds")
            let title = "\(row.variant): cost \(Label.dollars(cost.mean)) [\(Label.dollars(cost.low)), \(Label.dollars(cost.high))], "
                + "TTFT p99 \(Label.seconds(p99.mean)) [\(Label.seconds(p99.low)), \(Label.seconds(p99.high))], \(row.runs) runs, "
                + "SLO met \(Label.percent(estimate(row, "slo_both").mean))"
                + (row.paretoOptimal ? ", on the Pareto front" : row.meetsSLO ? "" : ", misses the SLO")
            return (x: cost.mean, y: max(p99.mean, chart.y.low), xError: cost.count > 1 ? (cost.low, cost.high) : nil,
                    yError: p99.count > 1 ? (p99.low, p99.high) : nil,
                    color: SVGChart.palette[index % SVGChart.palette.count], title: title, label: row.variant as String?)
        }
        chart.points("variants", items, radius: 5, hollow: Set(rows.indices.filter { !rows[$0].meetsSLO }))
        return chart
    }
}
