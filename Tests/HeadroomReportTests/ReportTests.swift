import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GRDB
import Headroom
import Testing
@testable import HeadroomReport
@testable import HeadroomStore

@Suite("HTML reports")
struct ReportTests {
    /// A store with two variants × two seeds of a scale-to-zero scenario (cold starts, decisions
    /// and drops all happen in 20 simulated minutes).
    static func store() throws -> (RunStore, [Int64]) {
        let store = try RunStore(writer: DatabaseQueue())
        var ids: [Int64] = []
        for (variant, rate) in [("kpa-60s", "2/s"), ("kpa-20s", "4/s")] {
            for seed in [1, 2] {
                var document = try ScenarioDocument.load(file: "scenarios/scale-to-zero/scale-to-zero.yaml")
                try document.set("duration", to: "20m")
                try document.set("seed", to: "\(seed)")
                try document.set("workload.arrivals.burst_rate", to: rate)
                let scenario = try document.scenario()
                let result = Simulation.run(scenario)
                ids.append(try store.save(result, document: document, scenario: scenario, placement: .init(variant: variant),
                                          startedAt: Date(), wallSeconds: 0).id)
            }
        }
        return (store, ids)
    }

    /// Parses the page as XML: every tag closed, every attribute quoted, every `&` escaped.
    final class Counter: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) { elements[name, default: 0] += 1 }
    }

    static func parse(_ html: String) -> (ok: Bool, elements: [String: Int], error: String) {
        let xml = html.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
        let parser = XMLParser(data: Data(xml.utf8))
        let counter = Counter()
        parser.delegate = counter
        let ok = parser.parse()
        return (ok, counter.elements, "\(parser.parserError.map { "\($0)" } ?? "") at line \(parser.lineNumber)")
    }

    @Test("one run: well-formed, self-contained, every chart with its expected series")
    func oneRun() throws {
        let (store, ids) = try Self.store()
        let report = try Report(store: store, runs: [ids[0]], title: "Run <1> & co")
        let parsed = Self.parse(report.html)
        #expect(parsed.ok, "\(parsed.error)")
        #expect(report.html.contains("Run &lt;1&gt; &amp; co"))
        for external in ["http:", "https:", "src=", "<link", "<script", "url(", "@import"] {
            #expect(!report.html.contains(external), "the page must not fetch anything (\(external))")
        }
        let id = ids[0]
        #expect(report.charts["run-\(id)/demand"] == ["arrivals per second"])
        #expect(report.charts["run-\(id)/concurrency"] == ["requests in the system", "running in batches"])
        #expect(report.charts["run-\(id)/capacity"] == ["ready", "starting", "pending", "draining", "desired replicas", "nodes", "cold starts"])
        #expect(report.charts["run-\(id)/cold-starts"] == ["cold starts"])
        #expect(report.charts["run-\(id)/ttft"]?.first == "TTFT p50")
        #expect(report.charts["run-\(id)/ttft"]?.last?.hasPrefix("SLO target") == true)
        #expect(report.charts["run-\(id)/decisions"] == ["desired replicas", "ready when deciding", "decisions"])
        #expect(report.charts["run-\(id)/gpu-time"] == ["GPU-hours by state"])
        #expect(parsed.elements["svg"] == 7)
        // One tooltip per cold start on the capacity chart, and one per change of the desired count.
        let coldStarts = try store.table("cold_starts", runs: [id]).rows.count
        let desired = try store.table("decisions", runs: [id]).numbers("desired_replicas")
        let changes = desired.indices.filter { $0 == 0 || desired[$0] != desired[$0 - 1] }.count
        #expect(coldStarts > 0 && changes > 1)
        #expect(report.html.components(separatedBy: "<title>cold start requested at").count - 1 == coldStarts * 5 - stagesSkipped(store, id))
        #expect(report.html.components(separatedBy: "<title>t = ").count - 1 == changes)
    }

    /// Cold-start tooltips: one on the capacity chart marker plus one per non-zero stage segment
    /// (four stages); this counts the zero-length stages that draw no segment.
    func stagesSkipped(_ store: RunStore, _ id: Int64) -> Int {
        let table = (try? store.table("cold_starts", runs: [id])) ?? ResultTable(name: "", columns: [], rows: [])
        return ["pending", "pull", "load", "warmup"].reduce(0) { sum, stage in
            sum + table.numbers("\(stage)_seconds").filter { ($0 ?? 0) <= 0 }.count
        }
    }

    @Test("several runs: the comparison table, a CDF line per variant, the Pareto scatter with error bars")
    func comparison() throws {
        let (store, ids) = try Self.store()
        let report = try Report(store: store, runs: ids, title: "sweep", baseline: "kpa-60s")
        let parsed = Self.parse(report.html)
        #expect(parsed.ok, "\(parsed.error)")
        #expect(report.charts["cdf-ttft"] == ["kpa-20s", "kpa-60s"])
        #expect(report.charts["cdf-e2e"] == ["kpa-20s", "kpa-60s"])
        #expect(report.charts["pareto"] == ["Pareto front", "variants"])
        // A header and a row per variant, in the comparison and in the cold-start waterfall's table.
        #expect(parsed.elements["tr"] == 6, "a header and a row per variant, twice")
        // The first run of each variant in full: 2 variants × 7 charts, plus 4 comparison charts
        // (the cold-start waterfall, two CDFs, the Pareto scatter).
        #expect(parsed.elements["svg"] == 18)
        // Two seeds per variant: both error bars drawn for each variant.
        let pareto = report.html.components(separatedBy: "data-chart=\"pareto\"")[1].components(separatedBy: "</figure>")[0]
        #expect(pareto.components(separatedBy: "class=\"error-bar\"").count - 1 == 4)
    }

    @Test("scales: round ticks, decades on a log axis, values clamped to the plot")
    func scales() {
        let linear = Scale.covering([3, 97], pixels: (0, 100))
        #expect(linear.low == 0 && linear.high == 100)
        #expect(linear.ticks() == [0, 20, 40, 60, 80, 100])
        #expect(linear(50) == 50 && linear(1000) == 100)
        let log = Scale.covering([0.02, 3, nil, -1], pixels: (0, 300), logarithmic: true)
        #expect(log.low == 0.01 && log.high == 10)
        #expect(log.ticks() == [0.01, 0.1, 1, 10])
        #expect(abs(log(0.1) - 100) < 1e-9)
        #expect(Scale.niceStep(0.13) == 0.2 && Scale.niceStep(7) == 10 && Scale.niceStep(30) == 50)
        #expect(Label.seconds(0.25) == "250 ms" && Label.seconds(2) == "2 s" && Label.number(12_500) == "12.5k")
        #expect(escaped("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
    }

    @Test("every chart's axes carry a title with its unit; TTFT has markers; the cold-start chart a y title")
    func axesHaveUnits() throws {
        let (store, ids) = try Self.store()
        let report = try Report(store: store, runs: ids, title: "sweep")
        let axes = report.html.components(separatedBy: "<g data-axis=").dropFirst()
        #expect(axes.count >= 2 * 17 - 2, "x and y on every chart but the one-bar GPU-hours charts")
        let title = try Regex(#"class="axis-title"[^>]*>([^<]*)</text>"#)
        for axis in axes {
            let found = try #require(axis.firstMatch(of: title), "an axis without a title: \(axis.prefix(120))")
            let text = String(found.output[1].substring ?? "")
            #expect(text.contains(try Regex(#"\([^()]*[A-Za-z%$][^()]*\)"#)), "axis title without a unit in parentheses: \(text)")
        }
        let coldStarts = report.html.components(separatedBy: "data-chart=\"cold-starts\"")[1].components(separatedBy: "</figure>")[0]
        #expect(coldStarts.contains("cold starts (lanes)"))
        let ttft = report.html.components(separatedBy: "data-chart=\"ttft\"")[1].components(separatedBy: "</figure>")[0]
        #expect(ttft.contains("class=\"markers\"") && ttft.contains("stroke-width=\"2.0\""))
        #expect(report.html.contains("TTFT (seconds, log)") && report.html.contains("end-to-end latency (seconds, log)"))
    }

    @Test("the Pareto chart's log axis covers every interval, and error bars stay inside the plot")
    func errorBarsInsideLogAxis() throws {
        let (store, ids) = try Self.store()
        let section = try ComparisonSection(store: store, runs: ids, baseline: "kpa-60s")
        let chart = section.costVersusLatency()
        for row in section.comparison.rows {
            let p99 = try #require(row.metrics["ttft_p99_seconds"])
            #expect(p99.low > 0 && chart.y.low <= p99.low && p99.high <= chart.y.high, "\(row.variant): \(p99)")
        }
        let svg = chart.render(caption: "")
        let numbers = try Regex(#"class="error-bar" d="([^"]*)""#)
        for match in svg.matches(of: numbers) {
            let path = String(match.output[1].substring ?? "")
            let values = path.split(whereSeparator: { "MVHhv,".contains($0) }).compactMap { Double($0) }
            // Absolute coordinates alternate x, y for M; caps add ±4 px; all within the plot plus the caps.
            for value in values where value > 8 {
                #expect(value >= chart.plotTop - 4.5 && value <= chart.plotRight + 4.5, "\(path)")
            }
        }
        #expect(svg.contains("class=\"error-bar\""))
    }

    @Test("long series are bucketed to a readable number of points: means, and the worst for a tail")
    func buckets() {
        let samples = 1440  // 4 h every 10 s
        let buckets = SeriesBuckets(count: samples)
        #expect(buckets.ranges.count <= SeriesBuckets.defaultLimit && buckets.size == 6 && buckets.aggregated)
        let times = (1...samples).map { Double($0) * 10 }
        #expect(buckets.times(times).prefix(2) == [60, 120])
        let values: [Double?] = (0..<samples).map { $0 % 6 == 5 ? nil : Double($0 % 6) }
        #expect(buckets.mean(values).first == 2 && buckets.maximum(values).first == 4)
        #expect(buckets.note(times: times) == " (each point: mean over 1 min)")
        let short = SeriesBuckets(count: 60)
        #expect(!short.aggregated && short.ranges.count == 60 && short.note(times: Array(times.prefix(60))) == "")
    }

    @Test("tick labels near an edge are anchored to stay inside the SVG")
    func tickAnchors() {
        #expect(SVGChart.anchor("1000 s", at: 904, within: 1...919) == ("end", 919))
        #expect(SVGChart.anchor("100 s", at: 500, within: 1...919) == ("middle", 500))
        #expect(SVGChart.anchor("0.001 s", at: 10, within: 1...919).0 == "start")
        var chart = SVGChart(xs: [0.001, 1000], ys: [0, 1], logX: true, xTitle: "TTFT (seconds, log)", yTitle: "requests (%)",
                             xLabel: Label.seconds)
        chart.line("a", xs: [0.001, 1000], ys: [0, 1], color: "#000")
        #expect(chart.render(caption: "").contains("text-anchor=\"end\">1000 s</text>"))
    }
}
