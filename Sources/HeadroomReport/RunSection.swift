import Foundation
import HeadroomStore

/// One run in pictures: demand against capacity, cold starts stage by stage, TTFT over time
/// against the SLO, the autoscaler's decisions, and where the GPU-hours and dollars went.
struct RunSection {
    let runs: ResultTable
    let series: ResultTable
    let coldStarts: ResultTable
    let decisions: ResultTable
    /// One row per deployment (none for a run of one).
    let deployments: ResultTable
    /// `data-series` names of every chart drawn, by chart id (tests read them).
    private(set) var drawn: [String: [String]] = [:]

    static let stageColors = [("pending", "#9e9e9e"), ("pull", "#ff7f0e"), ("load", "#9467bd"), ("warmup", "#2ca02c")]
    /// More decision markers than this would make the page heavy; the step line still shows every change.
    static let maxDecisionMarkers = 1500
    static let maxColdStartLanes = 24

    init(store: RunStore, run id: Int64) throws {
        runs = try store.table("runs", runs: [id])
        series = try store.table("run_series", runs: [id])
        coldStarts = try store.table("cold_starts", runs: [id])
        decisions = try store.table("decisions", runs: [id])
        deployments = try store.table("deployment_summaries", runs: [id])
    }

    func value(_ column: String) -> Double { runs.numbers(column).first.flatMap { $0 } ?? 0 }
    func text(_ column: String) -> String { runs.texts(column).first.flatMap { $0 } ?? "" }

    mutating func html() -> String {
        let id = Int(value("run_id"))
        var out = "<section class=\"run\" id=\"run-\(id)\">"
        out += "<h2>Run \(id): \(escaped(text("scenario"))) — \(escaped(text("variant"))), seed \(Int(value("seed")))</h2>"
        out += profileLine()
        out += figures()
        out += deploymentTable()
        let times = series.numbers("time").map { $0 ?? 0 }
        if times.count < 2 {
            out += "<p>No time series stored for this run (it is shorter than one sample interval).</p>"
        } else {
            let buckets = SeriesBuckets(count: times.count)
            let mean = buckets.note(times: times)
            out += chart("demand", demand(times, buckets), caption: "Demand: arrivals per second" + mean)
            out += chart("concurrency", concurrency(times, buckets),
                         caption: "Concurrency: requests in the system (queued anywhere or running) and sequences running in batches" + mean)
            out += chart("capacity", capacity(times, buckets),
                         caption: "Capacity: replicas by state (stacked), desired replicas and nodes\(mean); ● marks a cold start (hover for its stages)")
            out += chart("cold-starts", coldStartLanes(times), caption: "Cold starts, stage by stage (pending for a node, image pull, weight load, warm-up)")
            out += chart("ttft", ttft(times, buckets), caption: "TTFT of the requests finishing in each interval, against the SLO target"
                         + (buckets.aggregated ? buckets.note(times: times, what: "p50 mean, p99 worst") : ""))
            out += chart("decisions", decisionTimeline(times), caption: "The autoscaler's decisions: desired replicas, a dot where it changed (hover for the reason and the signals it saw)")
        }
        out += chart("gpu-time", gpuTime(), caption: "GPU-hours by state and what they cost")
        return out + "</section>"
    }

    mutating func chart(_ name: String, _ chart: SVGChart?, caption: String) -> String {
        guard let chart else { return "" }
        drawn[name] = chart.seriesNames
        return "<figure data-chart=\"\(name)\">\(chart.render(caption: caption))<figcaption>\(escaped(caption))</figcaption></figure>"
    }

    /// Which iteration-time profile the run used and whether it was measured (absent for runs stored
    /// before it was recorded); an estimate is flagged, as its latencies and costs are rough.
    func profileLine() -> String {
        let name = text("profile")
        guard !name.isEmpty else { return "" }
        let estimate = value("profile_estimate") == 1
        return "<p class=\"profile\(estimate ? " estimate" : "")\">Iteration-time profile: <b>\(escaped(name))</b> — "
            + escaped(text("profile_provenance"))
            + (estimate ? " <b>(an estimate, not measured: latencies and costs are rough)</b>" : "") + "</p>"
    }

    private func figures() -> String {
        let cells: [(String, String)] = [
            ("arrived", Label.number(value("arrived"))), ("finished", Label.number(value("finished"))),
            ("dropped", Label.number(value("dropped"))), ("SLO met (TTFT and ITL)", Label.percent(value("slo_both"))),
            ("TTFT p50 / p99", "\(Label.seconds(value("ttft_p50_seconds"))) / \(Label.seconds(value("ttft_p99_seconds")))"),
            ("ITL p99", Label.seconds(value("itl_p99_seconds"))), ("cold starts", Label.number(value("cold_starts_started"))),
            ("peak replicas / nodes", "\(Int(value("peak_replicas"))) / \(Int(value("peak_nodes")))"),
            ("GPU-hours", String(format: "%.1f", value("gpu_hours_total"))), ("cost", Label.dollars(value("cost_dollars"))),
            ("$ per M output tokens", String(format: "%.2f", value("cost_per_million_output_tokens"))),
        ]
        return "<dl class=\"figures\">" + cells.map { "<div><dt>\(escaped($0.0))</dt><dd>\(escaped($0.1))</dd></div>" }.joined() + "</dl>"
    }

    func gpuTime() -> SVGChart {
        let states = [("serving", "#2ca02c"), ("idle", "#bcbd22"), ("starting", "#ff7f0e"), ("provisioning", "#9e9e9e"),
                      ("unallocated", "#c7c7c7")]
        let total = value("gpu_hours_total"), cost = value("cost_dollars")
        var chart = SVGChart(height: 110, xs: [0, max(total, 1e-9)], ys: [0], xTitle: "GPU time (GPU-hours): total \(String(format: "%.2f", total)), cost \(Label.dollars(cost))",
                             yTitle: "", xLabel: Label.number, yLabel: { _ in "" })
        chart.y = Scale(low: -0.5, high: 0.5, from: chart.plotBottom, to: chart.plotTop)
        var x0 = 0.0
        var items: [(x0: Double, x1: Double, lane: Double, color: String, title: String)] = []
        for (state, color) in states {
            let hours = value("gpu_hours_\(state)")
            guard hours > 0 else { continue }
            let share = total > 0 ? hours / total : 0
            items.append((x0, x0 + hours, 0, color,
                          "\(state): \(String(format: "%.2f", hours)) GPU-h (\(Label.percent(share))), about \(Label.dollars(cost * share))"))
            x0 += hours
        }
        chart.segments("GPU-hours by state", items, laneHeight: 28)
        for (state, color) in states where value("gpu_hours_\(state)") > 0 { chart.legendEntry(state, color: color) }
        return chart
    }
}
