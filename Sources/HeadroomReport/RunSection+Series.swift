import Foundation

/// A run's sampled series as charts (demand, concurrency, capacity, TTFT), each bucketed by
/// `SeriesBuckets` so a long run keeps a readable number of points.
extension RunSection {
    func demand(_ times: [Double], _ buckets: SeriesBuckets) -> SVGChart {
        let arrivals = series.numbers("arrivals").map { $0 ?? 0 }
        let rates = times.indices.map { i -> Double? in
            let interval = i > 0 ? times[i] - times[i - 1] : (times.count > 1 ? times[1] - times[0] : 1)
            return interval > 0 ? arrivals[i] / interval : nil
        }
        let xs = buckets.times(times), ys = buckets.mean(rates)
        var chart = SVGChart(height: 180, xs: xs, ys: ys, xTitle: "simulated time", yTitle: "arrivals (requests/s)")
        chart.line("arrivals per second", xs: xs, ys: ys, color: SVGChart.palette[0])
        return chart
    }

    func concurrency(_ times: [Double], _ buckets: SeriesBuckets) -> SVGChart {
        let xs = buckets.times(times)
        let inFlight = buckets.mean(series.numbers("in_flight")), running = buckets.mean(series.numbers("running"))
        var chart = SVGChart(height: 180, xs: xs, ys: inFlight + running, xTitle: "simulated time", yTitle: "requests (count)")
        chart.line("requests in the system", xs: xs, ys: inFlight, color: SVGChart.palette[1], width: 2)
        chart.line("running in batches", xs: xs, ys: running, color: SVGChart.palette[4], width: 1.4)
        return chart
    }

    /// Replicas stacked by state: steps as stored on a short run, areas of bucket means on a long
    /// one (where a step per sample would leave each state a sliver).
    func capacity(_ times: [Double], _ buckets: SeriesBuckets) -> SVGChart {
        let xs = buckets.times(times)
        let layers: [(name: String, values: [Double], color: String)] = [
            ("ready", "replicas_ready", "#2ca02c"), ("starting", "replicas_starting", "#ff7f0e"),
            ("pending", "replicas_pending", "#9e9e9e"), ("draining", "replicas_draining", "#8c564b"),
        ].map { ($0.0, buckets.mean(series.numbers($0.1).map { $0 ?? 0 }), $0.2) }
        let totals = xs.indices.map { i in layers.reduce(0) { $0 + $1.values[i] } }
        let nodes = buckets.mean(zip(series.numbers("nodes_ready"), series.numbers("nodes_provisioning")).map { ($0 ?? 0) + ($1 ?? 0) })
        let desired = buckets.mean(series.numbers("desired_replicas"))
        var chart = SVGChart(xs: xs, ys: totals.map { $0 } + nodes.map { $0 } + desired, xTitle: "simulated time",
                             yTitle: "replicas, nodes (count)")
        if buckets.aggregated {
            chart.stackedAreas(layers, xs: xs)
        } else {
            chart.stackedSteps(layers, xs: xs)
        }
        chart.line("desired replicas", xs: xs, ys: desired, color: "#1f77b4", width: 1.8, dashed: true, step: !buckets.aggregated)
        chart.line("nodes", xs: xs, ys: nodes, color: "#d62728", width: 1.8, step: !buckets.aggregated)
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

    /// p50 and p99 as lines with a dot per point (an interval where no request finished is a gap,
    /// so a lone value still shows); on a long run the p50 is the buckets' mean and the p99 their worst.
    func ttft(_ times: [Double], _ buckets: SeriesBuckets) -> SVGChart? {
        let xs = buckets.times(times)
        let p50 = buckets.mean(series.numbers("ttft_p50_seconds")), p99 = buckets.maximum(series.numbers("ttft_p99_seconds"))
        guard p99.contains(where: { $0 != nil }) else { return nil }
        let slo = value("slo_ttft_target_seconds")
        var chart = SVGChart(xs: xs, ys: p50 + p99 + [slo], logY: true, xTitle: "simulated time", yTitle: "TTFT (seconds, log)",
                             yLabel: Label.seconds)
        chart.line("TTFT p50", xs: xs, ys: p50, color: SVGChart.palette[0], width: 2, markers: true)
        chart.line("TTFT p99", xs: xs, ys: p99, color: SVGChart.palette[1], width: 2, markers: true)
        if slo > 0 { chart.rule("SLO target \(Label.seconds(slo))", y: slo, color: "#d62728") }
        return chart
    }
}
