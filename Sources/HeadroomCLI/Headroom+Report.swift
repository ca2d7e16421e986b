import ArgumentParser
import Foundation
import HeadroomReport
import HeadroomStore

extension Headroom {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write an HTML report of stored runs: charts of demand, capacity, cold starts, latency, decisions and cost.",
            discussion: """
                One self-contained file (inline SVG and CSS, nothing fetched), to open in any browser. For one run: demand
                against replicas by state and nodes, cold starts stage by stage, TTFT p50/p99 over time against the SLO, the
                autoscaler's decisions (hover for the reason and signals) and GPU-hours by state with their cost. For a sweep
                or several runs: the comparison table (intervals as in `headroom compare`), latency CDFs per variant and cost
                against p99 TTFT with the Pareto front among the variants that meet the SLO.

                Example:
                  headroom report --run 12 -o run-12.html
                  headroom report --sweep signals --baseline kpa-concurrency -o signals.html
                """)

        @OptionGroup var selection: RunSelection
        @Option(name: [.short, .customLong("output")], help: "The HTML file to write.") var output: String
        @Option(help: "For several runs: the variant paired differences are taken against (its name, or the name before a grid point's ', ').")
        var baseline: String?
        @Option(help: ArgumentHelp("For several runs: percent of requests that must meet the SLO for a variant to count as meeting it.",
                                   valueName: "percent"))
        var sloAttainment = Comparison.defaultAttainmentTarget * 100
        @Option(help: "The page title (default: what was selected).") var title: String?
        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard sloAttainment > 0, sloAttainment <= 100 else {
                throw ValidationError("--slo-attainment is a percentage above 0 and at most 100 (e.g. 99); got \(sloAttainment)")
            }
        }

        func run() throws {
            let runStore = try store.open()
            do {
                let ids = try selection.resolve(in: runStore)
                let heading = title ?? selection.sweep.map { "Sweep \($0)" } ?? (ids.count == 1 ? "Run \(ids[0])" : "Runs \(ids.map(String.init).joined(separator: ", "))")
                let report = try HeadroomReport.Report(store: runStore, runs: ids, title: "Headroom — \(heading)", baseline: baseline,
                                                        attainmentTarget: sloAttainment / 100)
                try Data(report.html.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                print("wrote \(output) (\(report.charts.count) charts, \(ids.count) run\(ids.count == 1 ? "" : "s"))")
            } catch {
                Headroom.fail("\(error)")
            }
        }
    }
}
