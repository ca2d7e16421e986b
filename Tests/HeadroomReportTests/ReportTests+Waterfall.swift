import Foundation
import GRDB
import Headroom
import Testing
@testable import HeadroomReport
@testable import HeadroomStore

/// The sweep report's cold-start waterfall: one bar per variant of its ready starts' mean stages,
/// in the sweep's order, with what the variant bought beside it; none when no run had a cold start.
@Suite("HTML reports: cold-start waterfall")
struct WaterfallReportTests {
    @Test("a bar per variant in the table's order; each stage is the mean of that variant's ready starts")
    func barsAreTheStoredMeans() throws {
        let (store, ids) = try ReportTests.store()
        #expect(try ColdStartWaterfall(store: store, runs: ids).bars.map(\.variant) == ["kpa-60s", "kpa-20s"],
                "without an order, the order the runs were stored in")
        let waterfall = try ColdStartWaterfall(store: store, runs: ids, order: ["kpa-20s", "absent", "kpa-60s"])
        #expect(waterfall.bars.map(\.variant) == ["kpa-20s", "kpa-60s"], "as given, variants without starts left out")
        let runs = try store.table("runs", runs: ids)
        let starts = try store.table("cold_starts", runs: ids)
        for bar in waterfall.bars {
            let variantRuns = Set(zip(runs.numbers("run_id"), runs.texts("variant")).filter { $0.1 == bar.variant }.compactMap(\.0))
            let rows = starts.rows.indices.filter {
                starts.numbers("ready_at")[$0] != nil && variantRuns.contains(starts.numbers("run_id")[$0] ?? -1)
            }
            #expect(bar.starts == rows.count && bar.starts > 0)
            for (s, stage) in ["pending", "pull", "load", "warmup"].enumerated() {
                let mean = rows.map { starts.numbers("\(stage)_seconds")[$0] ?? 0 }.reduce(0, +) / Double(rows.count)
                #expect(abs(bar.stages[s] - mean) < 1e-9, "\(bar.variant) \(stage)")
            }
        }
        let report = try Report(store: store, runs: ids, title: "sweep")
        #expect(report.charts["cold-start-waterfall"] == ["cold-start stages", "variant labels"])
        let figure = report.html.components(separatedBy: "data-chart=\"cold-start-waterfall\"")[1]
        #expect(figure.contains("request to ready, mean of the ready starts (seconds)"))
        let worth = figure.components(separatedBy: "<table class=\"comparison worth\">")[1].components(separatedBy: "</table>")[0]
        #expect(worth.contains("SLO met") && worth.contains("cost") && worth.components(separatedBy: "<tr>").count - 1 == 3)
    }

    @Test("the bars stay inside the plot and their labels inside the chart")
    func labelsFit() throws {
        let (store, ids) = try ReportTests.store()
        let chart = try #require(try ColdStartWaterfall(store: store, runs: ids).chart())
        let svg = chart.render(caption: "waterfall")
        let xs = try Regex(#"<text x="([0-9.]+)"[^>]*><title>"#)
        for match in svg.matches(of: xs) {
            let x = Double(match.output[1].substring ?? "") ?? .infinity
            #expect(x >= chart.plotLeft && x < chart.plotRight)
        }
        let longest = try ColdStartWaterfall(store: store, runs: ids).bars.map(\.total).max() ?? 0
        #expect(chart.x(longest) < chart.plotRight - 8 * SVGChart.characterWidth, "room for the label after the longest bar")
    }

    @Test("no waterfall when no run had a cold start")
    func noColdStartsNoWaterfall() throws {
        let store = try RunStore(writer: DatabaseQueue())
        var ids: [Int64] = []
        for (variant, replicas) in [("two", 2), ("three", 3)] {
            var document = try ScenarioDocument.load(file: "scenarios/quickstart.yaml")
            try document.set("duration", to: "2m")
            try document.set("policy.replicas", to: "\(replicas)")
            let scenario = try document.scenario()
            ids.append(try store.save(Simulation.run(scenario), document: document, scenario: scenario, placement: .init(variant: variant),
                                      startedAt: Date(), wallSeconds: 0).id)
        }
        #expect(try ColdStartWaterfall(store: store, runs: ids).bars.isEmpty)
        let report = try Report(store: store, runs: ids, title: "sweep")
        #expect(report.charts["cold-start-waterfall"] == nil && !report.html.contains("comparison worth"))
    }
}
