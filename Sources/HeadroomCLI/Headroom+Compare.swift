import ArgumentParser
import Foundation
import Headroom
import HeadroomStore

extension Headroom {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare stored policy configurations: means with 95 % confidence intervals across seeds, the Pareto front, paired differences.",
            discussion: """
                Rows are a sweep's variants (or, for --runs and --scenario, the policy kind). * marks the cost-vs-p99-TTFT
                Pareto front. With --baseline, each row also shows its paired difference to the baseline on shared seeds.

                Example:
                  headroom compare --sweep signals --baseline kpa-concurrency --sort cost_dollars
                  headroom compare --runs 3,4,5 --csv > runs.csv
                """
        )

        @OptionGroup var store: StoreOptions
        @Option(help: "Compare a sweep's variants.") var sweep: String?
        @Option(help: "Compare these runs (comma-separated ids).") var runs: String?
        @Option(help: "Compare every run of a scenario (by name).") var scenario: String?
        @Option(help: "The variant the paired differences are taken against.") var baseline: String?
        @Option(help: "Sort by this column (\(Comparison.metrics.joined(separator: ", ")), or variant).") var sort = "variant"
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
            let summaries = try runStore.summaries(of: listings.map(\.id))
            var groups: [String: [(seed: Int64, values: [String: Double])]] = [:]
            for listing in listings {
                let key = sweep != nil ? listing.variant : listing.policyKind
                groups[key, default: []].append((listing.seed, summaries[listing.id] ?? [:]))
            }
            if let baseline, groups[baseline] == nil {
                Headroom.fail("no variant named '\(baseline)'; variants: \(groups.keys.sorted().joined(separator: ", "))")
            }
            var comparison = Comparison(runs: groups, baseline: baseline)
            if sort != "variant" {
                comparison.rows.sort { ($0.metrics[sort]?.mean ?? .infinity) < ($1.metrics[sort]?.mean ?? .infinity) }
            }
            // Runs built on part of their trace say so (on stderr, so --json and --csv stay clean).
            let lossy = listings.filter { (summaries[$0.id]?["input_rows_skipped"] ?? 0) > 0 }.map { String($0.id) }
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
                print(CompareFormat.table(comparison))
            }
        }
    }
}
