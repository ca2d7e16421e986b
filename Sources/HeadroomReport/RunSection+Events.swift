import Foundation

/// A run's events as charts: each cold start as a bar split into its stages, and the
/// autoscaler's decisions over time.
extension RunSection {
    func coldStartTitle(_ i: Int) -> String {
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

    func coldStartLanes(_ times: [Double]) -> SVGChart? {
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
        // Tall enough for the y title beside even one lane.
        var chart = SVGChart(height: max(150, 76 + 14 * lanes), xs: times, ys: [0], xTitle: "simulated time",
                             yTitle: "cold starts (lanes)", yLabel: { _ in "" })
        chart.y = Scale(low: -0.5, high: lanes - 0.5, from: chart.plotBottom, to: chart.plotTop)
        chart.segments("cold starts", items, laneHeight: 10)
        for (stage, color) in Self.stageColors { chart.legendEntry(stage, color: color) }
        return chart
    }

    func decisionTimeline(_ times: [Double]) -> SVGChart? {
        let t = decisions.numbers("time").map { $0 ?? 0 }
        guard !t.isEmpty else { return nil }
        let desired = decisions.numbers("desired_replicas").map { $0 ?? 0 }
        let ready = decisions.numbers("replicas_ready")
        let reasons = decisions.texts("reason"), signals = decisions.texts("signals")
        // Stores from before `v-query-values` have no such column: no query line.
        let queryValues = decisions.columns.contains { $0.name == "query_values" } ? decisions.texts("query_values") : []
        let end = times.last ?? t.last!
        var chart = SVGChart(xs: times + t, ys: desired + ready, xTitle: "simulated time", yTitle: "replicas (count)")
        chart.line("desired replicas", xs: t + [end], ys: desired + [desired.last], color: SVGChart.palette[0], step: true)
        chart.line("ready when deciding", xs: t, ys: ready, color: "#2ca02c", width: 1, step: true)
        var items: [(x: Double, y: Double, xError: (Double, Double)?, yError: (Double, Double)?, color: String, title: String, label: String?)] = []
        for i in t.indices where i == 0 || desired[i] != desired[i - 1] {
            guard items.count < Self.maxDecisionMarkers else { break }
            let queries = i < queryValues.count ? queryValues[i].map { "\nqueries: \($0)" } ?? "" : ""
            let title = "t = \(String(format: "%.1f", t[i])) s: desired \(Int(desired[i])) — \(reasons[i] ?? "")\nsignals: \(signals[i] ?? "[]")"
                + queries
            items.append((t[i], desired[i], nil, nil, SVGChart.palette[0], title, nil))
        }
        chart.points("decisions", items, radius: 3)
        return chart
    }
}
