import ArgumentParser
import Foundation
import HeadroomStore

extension Headroom {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write stored runs as files that pandas, DuckDB or a spreadsheet read directly.",
            discussion: """
                One file per table in the output folder, each with a run_id column:
                  runs          one row per run: identity, scenario, sweep and every summary column
                  run_series    the time series (one row per sample interval)
                  decisions     every autoscaler evaluation, with the signals it saw (JSON) and its reason
                  cold_starts   each cold start, stage by stage
                  request_samples  the sampled requests' lives (when the run stored a sample)
                  latency_quantiles  TTFT, ITL, E2E and queue-wait distributions as quantiles
                  input_losses  the first unreadable trace rows a run skipped
                  pool_costs    cost by node pool and pricing kind (on_demand, reserved): dollars, billed node-seconds
                  deployment_summaries  with several deployments, one row per deployment: its requests, latencies,
                                SLO, GPU-hours held, attributed cost and $ per million input and output tokens
                                (decisions and request_samples then name their deployment too)

                Example:
                  headroom export --sweep signals --format parquet -o exports/signals
                  python3 -c "import pandas as pd; print(pd.read_parquet('exports/signals/runs.parquet'))"
                """)

        @OptionGroup var selection: RunSelection
        @Option(help: "csv, jsonl or parquet.") var format: ExportFormatArgument = .csv
        @Option(name: [.short, .customLong("output")], help: "The folder to write into (created if missing).") var output: String
        @OptionGroup var store: StoreOptions
        @Flag(help: "Print what was written as JSON.") var json = false

        func run() throws {
            let runStore = try store.open()
            do {
                let ids = try selection.resolve(in: runStore)
                let files = try ExportFormat.export(runStore, runs: ids, format: format.value,
                                                    to: URL(fileURLWithPath: output, isDirectory: true))
                if json {
                    let entries = files.map { "{\"file\": \(JSONLinesEncoding.quote($0.file)), \"rows\": \($0.rows)}" }
                    print("[" + entries.joined(separator: ", ") + "]")
                } else {
                    print("exported \(ids.count) run\(ids.count == 1 ? "" : "s") to \(output):")
                    for file in files { print("  \(file.file)  (\(file.rows) rows)") }
                }
            } catch {
                Headroom.fail("\(error)")
            }
        }
    }
}

/// `--format` with the allowed values in its error message.
struct ExportFormatArgument: ExpressibleByArgument {
    var value: ExportFormat
    static let csv = ExportFormatArgument(value: .csv)

    init(value: ExportFormat) { self.value = value }
    init?(argument: String) {
        guard let format = ExportFormat(rawValue: argument) else { return nil }
        value = format
    }
    static var allValueStrings: [String] { ExportFormat.allCases.map(\.rawValue) }
    var defaultValueDescription: String { value.rawValue }
}
