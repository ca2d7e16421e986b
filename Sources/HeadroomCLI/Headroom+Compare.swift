import ArgumentParser
import Foundation
import Headroom
import HeadroomStore

extension Headroom {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Compare stored policy configurations: means with 95 % intervals across seeds, the Pareto front, paired differences.",
            discussion: """
                Rows are a sweep's variants (or, for --runs and --scenario, the policy kind). Each cell is the mean over seeds
                and its 95 % interval (low–high): Wilson's score interval for SLO attainment (its sample size the effective
                one, so the seeds' spread widens it; never past 0–100 %), the percentile bootstrap of the mean (4,000
                resamples, fixed seed: the same output every time) for latencies, costs, GPU-hours and counts (never below
                zero). One seed: no interval; under 10 seeds (~) intervals are rough.

                * marks the cost-vs-p99-TTFT Pareto front among the variants that meet the SLO (mean SLO attainment, TTFT and
                ITL both, at least --slo-attainment); ✗ marks a variant that misses it. With --baseline, Δ rows show each
                variant's paired difference to the baseline on the seeds both ran (the same seed gives every variant the same
                requests), with a Student-t interval.

                Runs of several deployments (`deployments:`): the columns are the cluster's (every deployment's requests, the
                whole bill) unless --deployment NAME picks one deployment's figures: its requests' latencies, SLO attainment and
                drops, the GPU-hours its replicas held and the dollars attributed to it.

                The table fits $COLUMNS (default 100): TTFT p99, SLO met, cost and drops, the last left out first
                when too narrow. --columns picks others, --wide shows all.

                Example:
                  headroom compare --sweep signals --baseline kpa-concurrency --sort cost_dollars
                  headroom compare --sweep signals --columns ttft_p99_seconds,slo_both,cost_per_million_output_tokens
                  headroom compare --runs 3,4,5 --csv > runs.csv
                  headroom compare --sweep shared-pool --deployment chat
                """
        )

        @OptionGroup var store: StoreOptions
        @Option(help: "Compare a sweep's variants.") var sweep: String?
        @Option(help: "Compare these runs (comma-separated ids).") var runs: String?
        @Option(help: "Compare every run of a scenario (by name).") var scenario: String?
        @Option(help: "With several deployments: compare this deployment's figures (its latencies, SLO, GPU-hours, attributed cost).")
        var deployment: String?
        @Option(help: "The variant the paired differences are taken against (its name, or the name before a grid point's ', ').")
        var baseline: String?
        @Option(help: "Sort by this column (\(Comparison.metrics.joined(separator: ", ")), or variant).") var sort = "variant"
        @Option(help: ArgumentHelp("The table's columns, comma-separated (default \(ComparisonColumn.defaults.joined(separator: ","))).",
                                   valueName: "metric,..."))
        var columns: String?
        @Flag(help: "Show every column, however wide.") var wide = false
        @Option(help: ArgumentHelp("Percent of requests that must meet the SLO for a variant to count as meeting it.", valueName: "percent"))
        var sloAttainment = Comparison.defaultAttainmentTarget * 100
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print CSV.") var csv = false

        func validate() throws {
            guard [sweep != nil, runs != nil, scenario != nil].filter({ $0 }).count == 1 else {
                throw ValidationError("choose what to compare: exactly one of --sweep NAME, --runs IDS or --scenario NAME")
            }
            guard sort == "variant" || Comparison.metrics.contains(sort) else {
                throw ValidationError("--sort takes variant or one of: \(Comparison.metrics.joined(separator: ", "))")
            }
            guard !(json && csv) else { throw ValidationError("choose --json or --csv, not both") }
            guard !(wide && columns != nil) else { throw ValidationError("choose --wide or --columns, not both") }
            _ = try chosenColumns()
            guard sloAttainment > 0, sloAttainment <= 100 else {
                throw ValidationError("--slo-attainment is a percentage above 0 and at most 100 (e.g. 99); got \(sloAttainment)")
            }
        }

        func chosenColumns() throws -> [ComparisonColumn]? {
            try columns.map { text in
                try text.split(separator: ",").map { part in
                    let name = part.trimmingCharacters(in: .whitespaces)
                    guard let column = ComparisonColumn.named(name) else {
                        throw ValidationError("--columns takes metric names from: \(Comparison.metrics.joined(separator: ", ")); got '\(name)'")
                    }
                    return column
                }
            }
        }

        func run() throws {
            let runStore = try store.open()
            let ids = try runs.map { text in
                try text.split(separator: ",").map { part -> Int64 in
                    guard let id = Int64(part.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--runs takes ids like 3,4,5; got '\(part)'") }
                    return id
                }
            }
            let listings = try runStore.runs(sweep: sweep, scenario: scenario, ids: ids, limit: 1_000_000)
            guard !listings.isEmpty else { Headroom.fail("no stored runs match in \(store.path) (see `headroom runs list`)") }
            let cluster = try runStore.summaries(of: listings.map(\.id))
            let summaries: [Int64: [String: Double]]
            if let deployment {
                summaries = Headroom.failing { try runStore.summaries(of: listings.map(\.id), deployment: deployment) }
            } else {
                summaries = cluster
                let names = try runStore.deploymentNames(of: listings.map(\.id))
                if !names.isEmpty {
                    FileHandle.standardError.write(Data(("note: these runs have deployments \(names.joined(separator: ", ")): the figures are the cluster's; "
                        + "--deployment NAME compares one deployment's\n").utf8))
                }
            }
            var groups: [String: [(seed: Int64, values: [String: Double])]] = [:]
            for listing in listings {
                let key = sweep != nil ? listing.variant : listing.policyKind
                groups[key, default: []].append((listing.seed, summaries[listing.id] ?? [:]))
            }
            var reference: String?
            if let baseline {
                do { reference = try Comparison.resolveVariant(baseline, among: Array(groups.keys)) } catch { Headroom.fail("--baseline: \(error)") }
            }
            var comparison = Comparison(runs: groups, baseline: reference, attainmentTarget: sloAttainment / 100)
            if sort != "variant" {
                comparison.rows.sort { ($0.metrics[sort]?.mean ?? .infinity) < ($1.metrics[sort]?.mean ?? .infinity) }
            }
            // Runs built on part of their trace say so (on stderr, so --json and --csv stay clean).
            let lossy = listings.filter { (cluster[$0.id]?["input_rows_skipped"] ?? 0) > 0 }.map { String($0.id) }
            if !lossy.isEmpty {
                FileHandle.standardError.write(Data(("note: run\(lossy.count == 1 ? "" : "s") \(lossy.joined(separator: ", ")) skipped unreadable "
                    + "trace rows: their numbers rest on part of the trace (see `headroom runs show ID`)\n").utf8))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(comparison.rows), as: UTF8.self))
            } else if csv {
                print(CompareFormat.csv(comparison))
            } else {
                let table = wide ? ComparisonTable.wide : ComparisonTable(columns: try chosenColumns(), width: Terminal.width())
                if let deployment { print("Deployment \(deployment): its requests, the GPU-hours its replicas held, the dollars attributed to it\n") }
                print(table.render(comparison))
            }
        }
    }
}
