import Foundation
import HeadroomStore

/// One run in pictures: demand against capacity, cold starts stage by stage, TTFT over time
/// against the SLO, the autoscaler's decisions, and where the GPU-hours and dollars went.
struct RunSection {
    let runs: ResultTable
    let series: ResultTable
    let coldStarts: ResultTable
    let decisions: ResultTable
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
    }

    func value(_ column: String) -> Double { runs.numbers(column).first.flatMap { $0 } ?? 0 }
    func text(_ column: String) -> String { runs.texts(column).first.flatMap { $0 } ?? "" }

    mutating func html() -> String {
        let id = Int(value("run_id"))
        var out = "<section class=\"run\" id=\"run-\(id)\">"
        out += "<h2>Run \(id): \(escaped(text("scenario"))) — \(escaped(text("variant"))), seed \(Int(value("seed")))</h2>"
        out += figures()
        let times = series.numbers("time").map { $0 ?? 0 }
        if times.count < 2 {
            out += "<p>No time series stored for this run (it is shorter than one sample interval).</p>"
        } else {
            out += chart("demand", demand(times), caption: "Demand: arrivals per second")
            out += chart("concurrency", concurrency(times), caption: "Concurrency: requests in the system (queued anywhere or running) and sequences running in batches")
            out += chart("capacity", capacity(times), caption: "Capacity: replicas by state, desired replicas and nodes; ● marks a cold start (hover for its stages)")
            out += chart("cold-starts", coldStartLanes(times), caption: "Cold starts, stage by stage (pending for a node, image pull, weight load, warm-up)")
            out += chart("ttft", ttft(times), caption: "TTFT of the requests finishing in each interval, against the SLO target")
            out += chart("decisions", decisionTimeline(times), caption: "The autoscaler's decisions: desired replicas, a dot where it changed (hover for the reason and the signals it saw)")
        }
        out += chart("gpu-time", gpuTime(), caption: "GPU-hours by state and what they cost")
        return out + "</section>"
    }

    private mutating func chart(_ name: String, _ chart: SVGChart?, caption: String) -> String {
        guard let chart else { return "" }
        drawn[name] = chart.seriesNames
        return "<figure data-chart=\"\(name)\">\(chart.render(caption: caption))<figcaption>\(escaped(caption))</figcaption></figure>"
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

    private func demand(_ times: [Double]) -> SVGChart {
        let arrivals = series.numbers("arrivals").map { $0 ?? 0 }
        let rates = times.indices.map { i -> Double? in
            let interval = i > 0 ? times[i] - times[i - 1] : (times.count > 1 ? times[1] - times[0] : 1)
            return interval > 0 ? arrivals[i] / interval : nil
        }
        var chart = SVGChart(height: 180, xs: times, ys: rates, xTitle: "simulated time", yTitle: "requests/s")
        chart.line("arrivals per second", xs: times, ys: rates, color: SVGChart.palette[0])
        return chart
    }

    private func concurrency(_ times: [Double]) -> SVGChart {
        let inFlight = series.numbers("in_flight"), running = series.numbers("running")
        var chart = SVGChart(height: 180, xs: times, ys: inFlight + running, xTitle: "simulated time", yTitle: "requests")
        chart.line("requests in the system", xs: times, ys: inFlight, color: SVGChart.palette[1])
        chart.line("running in batches", xs: times, ys: running, color: SVGChart.palette[4], width: 1.2)
        return chart
    }

    private func capacity(_ times: [Double]) -> SVGChart {
        let layers: [(name: String, values: [Double], color: String)] = [
            ("ready", series.numbers("replicas_ready").map { $0 ?? 0 }, "#2ca02c"),
            ("starting", series.numbers("replicas_starting").map { $0 ?? 0 }, "#ff7f0e"),
            ("pending", series.numbers("replicas_pending").map { $0 ?? 0 }, "#9e9e9e"),
            ("draining", series.numbers("replicas_draining").map { $0 ?? 0 }, "#8c564b"),
        ]
        let totals = times.indices.map { i in layers.reduce(0) { $0 + $1.values[i] } }
        let nodes = zip(series.numbers("nodes_ready"), series.numbers("nodes_provisioning")).map { ($0 ?? 0) + ($1 ?? 0) }
        let desired = series.numbers("desired_replicas")
        var chart = SVGChart(xs: times, ys: totals.map { $0 } + nodes.map { $0 } + desired, xTitle: "simulated time", yTitle: "replicas · nodes")
        chart.stackedSteps(layers, xs: times)
        chart.line("desired replicas", xs: times, ys: desired, color: "#1f77b4", dashed: true, step: true)
        chart.line("nodes", xs: times, ys: nodes, color: "#d62728", width: 1.2, step: true)
        let starts = coldStarts.numbers("requested_at").compactMap { $0 }
        if !starts.isEmpty {
            let items = starts.indices.map { i in
                (x: starts[i], y: chart.y.low, xError: nil as (Double, Double)?, yError: nil as (Double, Double)?, color: "#ff7f0e",
                 title: coldStartTitle(i), label: nil as String?)
            }
            chart.points("cold starts", items, radius: 3)
        }
        return chart
    }

    private func coldStartTitle(_ i: Int) -> String {
        func n(_ c: String) -> Double { coldStarts.numbers(c)[i] ?? 0 }
        // Runs stored before `v-input-losses` have no outcome (every start on record became ready).
        let stopped = (coldStarts.texts("stopped_at").dropFirst(i).first ?? nil).map { $0.replacingOccurrences(of: "_", with: " ") }
        let ready = coldStarts.numbers("ready_at")[i].map { "ready at \(Label.clock($0, span: 0))" }
            ?? (coldStarts.texts("outcome").dropFirst(i).first == "cancelled" ? "cancelled while \(stopped ?? "starting")"
                : "not ready by the end" + (stopped.map { " (\($0))" } ?? ""))
        let cached = [("image cached", "image_cached"), ("weights cached", "weights_cached")].filter { n($0.1) != 0 }.map(\.0)
        return "cold start requested at \(String(format: "%.1f", n("requested_at"))) s, \(ready): pending \(Label.seconds(n("pending_seconds"))), "
            + "pull \(Label.seconds(n("pull_seconds"))), load \(Label.seconds(n("load_seconds"))), warm-up \(Label.seconds(n("warmup_seconds")))"
            + (cached.isEmpty ? "" : " (\(cached.joined(separator: ", ")))")
    }

    private func coldStartLanes(_ times: [Double]) -> SVGChart? {
        let starts = coldStarts.numbers("requested_at").map { $0 ?? 0 }
        guard !starts.isEmpty else { return nil }
        let end = times.last ?? 0
        var laneEnds: [Double] = []
        var items: [(x0: Double, x1: Double, lane: Double, color: String, title: String)] = []
        for i in starts.indices {
            let stages = Self.stageColors.map { (coldStarts.numbers("\($0.0)_seconds")[i] ?? 0, $0.1) }
            let finish = coldStarts.numbers("ready_at")[i] ?? min(end, starts[i] + stages.reduce(0) { $0 + $1.0 })
            let lane: Int
            if let free = laneEnds.firstIndex(where: { $0 <= starts[i] }) {
                lane = free
            } else if laneEnds.count < Self.maxColdStartLanes {
                lane = laneEnds.count
                laneEnds.append(0)
            } else {
                lane = laneEnds.indices.min { laneEnds[$0] < laneEnds[$1] }!
            }
            laneEnds[lane] = finish
            var t = starts[i]
            for (seconds, color) in stages where seconds > 0 {
                items.append((t, min(t + seconds, end), Double(lane), color, coldStartTitle(i)))
                t += seconds
            }
        }
        let lanes = Double(max(laneEnds.count, 1))
        var chart = SVGChart(height: 76 + 14 * lanes, xs: times, ys: [0], xTitle: "simulated time", yTitle: "", yLabel: { _ in "" })
        chart.y = Scale(low: -0.5, high: lanes - 0.5, from: chart.plotBottom, to: chart.plotTop)
        chart.segments("cold starts", items, laneHeight: 10)
        for (stage, color) in Self.stageColors { chart.legendEntry(stage, color: color) }
        return chart
    }

    private func ttft(_ times: [Double]) -> SVGChart? {
        let p50 = series.numbers("ttft_p50_seconds"), p99 = series.numbers("ttft_p99_seconds")
        guard p99.contains(where: { $0 != nil }) else { return nil }
        let slo = value("slo_ttft_target_seconds")
        var chart = SVGChart(xs: times, ys: p50 + p99 + [slo], logY: true, xTitle: "simulated time", yTitle: "TTFT",
                             yLabel: Label.seconds)
        chart.line("TTFT p50", xs: times, ys: p50, color: SVGChart.palette[0])
        chart.line("TTFT p99", xs: times, ys: p99, color: SVGChart.palette[1])
        if slo > 0 { chart.rule("SLO target \(Label.seconds(slo))", y: slo, color: "#d62728") }
        return chart
    }

    private func decisionTimeline(_ times: [Double]) -> SVGChart? {
        let t = decisions.numbers("time").map { $0 ?? 0 }
        guard !t.isEmpty else { return nil }
        let desired = decisions.numbers("desired_replicas").map { $0 ?? 0 }
        let ready = decisions.numbers("replicas_ready")
        let reasons = decisions.texts("reason"), signals = decisions.texts("signals")
        let end = times.last ?? t.last!
        var chart = SVGChart(xs: times + t, ys: desired + ready, xTitle: "simulated time", yTitle: "replicas")
        chart.line("desired replicas", xs: t + [end], ys: desired + [desired.last], color: SVGChart.palette[0], step: true)
        chart.line("ready when deciding", xs: t, ys: ready, color: "#2ca02c", width: 1, step: true)
        var items: [(x: Double, y: Double, xError: (Double, Double)?, yError: (Double, Double)?, color: String, title: String, label: String?)] = []
        for i in t.indices where i == 0 || desired[i] != desired[i - 1] {
            guard items.count < Self.maxDecisionMarkers else { break }
            let title = "t = \(String(format: "%.1f", t[i])) s: desired \(Int(desired[i])) — \(reasons[i] ?? "")\nsignals: \(signals[i] ?? "[]")"
            items.append((t[i], desired[i], nil, nil, SVGChart.palette[0], title, nil))
        }
        chart.points("decisions", items, radius: 3)
        return chart
    }

    private func gpuTime() -> SVGChart {
        let states = [("serving", "#2ca02c"), ("idle", "#bcbd22"), ("starting", "#ff7f0e"), ("provisioning", "#9e9e9e"),
                      ("unallocated", "#c7c7c7")]
        let total = value("gpu_hours_total"), cost = value("cost_dollars")
        var chart = SVGChart(height: 110, xs: [0, max(total, 1e-9)], ys: [0], xTitle: "GPU-hours (total \(String(format: "%.2f", total)), cost \(Label.dollars(cost)))",
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
