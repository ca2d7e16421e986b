import ArgumentParser
import Foundation
import HeadroomStore

extension Headroom {
    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Browse stored runs.", subcommands: [List.self, Show.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List stored runs, newest first.",
                                                            discussion: "Example:\n  headroom runs list --sweep signals\n  headroom runs list --json | jq '.[0].id'")
            @OptionGroup var store: StoreOptions
            @Option(help: "Only this sweep's runs.") var sweep: String?
            @Option(help: "Only runs of this scenario (by name).") var scenario: String?
            @Option(help: "At most this many.") var limit = 50
            @Flag(help: "Print JSON (one object per run).") var json = false

            func run() throws {
                let runs = try store.open().runs(sweep: sweep, scenario: scenario, limit: limit)
                if json {
                    let objects = runs.map { run -> [String: Any] in
                        ["id": run.id, "scenario": run.scenario, "sweep": run.sweep ?? NSNull(), "variant": run.variant,
                         "policy_kind": run.policyKind, "seed": run.seed, "wall_seconds": run.wallSeconds, "slo_both": run.sloBoth,
                         "ttft_p99_seconds": run.ttftP99, "cost_dollars": run.costDollars]
                    }
                    print(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
                    return
                }
                print("   id  scenario                        variant                        seed      SLO   TTFT p99      cost")
                for run in runs {
                    print(String(format: "%5lld  %@  %@  %4lld  %6.1f%%  %8.2fs  %8.2f", run.id,
                                 run.scenario.padding(toLength: 30, withPad: " ", startingAt: 0),
                                 run.variant.padding(toLength: 30, withPad: " ", startingAt: 0), run.seed, run.sloBoth * 100,
                                 run.ttftP99, run.costDollars))
                }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show one stored run: its summary and what is stored with it.",
                                                            discussion: "Example:\n  headroom runs show 12")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The run id.") var id: Int64
            @Flag(help: "Also print the scenario YAML it ran.") var yaml = false
            @Flag(help: "Print JSON: the run, its summary columns, stored row counts (and the YAML with --yaml).") var json = false

            func run() throws {
                let runStore = try store.open()
                guard let listing = try runStore.runs(ids: [id]).first, let summary = try runStore.summaries(of: [id])[id] else {
                    Headroom.fail("no run \(id) in \(store.path) (see `headroom runs list`)")
                }
                if json {
                    var object: [String: Any] = [
                        "id": listing.id, "scenario": listing.scenario, "sweep": listing.sweep ?? NSNull(), "variant": listing.variant,
                        "policy_kind": listing.policyKind, "seed": listing.seed, "wall_seconds": listing.wallSeconds,
                        "summary": summary, "stored_rows": try runStore.rowCounts(ofRun: id),
                    ]
                    if yaml { object["yaml"] = try runStore.scenarioYAML(ofRun: id) ?? NSNull() }
                    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
                    return
                }
                print("run \(listing.id): \(listing.scenario), variant \(listing.variant), seed \(listing.seed)"
                      + (listing.sweep.map { ", sweep \($0)" } ?? "") + String(format: ", %.2f s wall", listing.wallSeconds))
                for key in summary.keys.sorted() { print("  \(key.padding(toLength: 40, withPad: " ", startingAt: 0)) \(summary[key]!)") }
                let counts = try runStore.rowCounts(ofRun: id)
                print("  stored rows: " + counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", "))
                if yaml, let text = try runStore.scenarioYAML(ofRun: id) { print("\n" + text) }
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge run stores (e.g. the shards of a sweep) into one, without duplicating runs.",
            discussion: "Example:\n  headroom merge all.sqlite shard-1.sqlite shard-2.sqlite")
        @Argument(help: "The database to merge into (created if missing).") var output: String
        @Argument(help: "The databases to merge from.") var inputs: [String]

        func run() throws {
            let target: RunStore
            do { target = try RunStore(path: output) } catch { Headroom.fail("\(error)") }
            var total = 0
            for input in inputs {
                guard FileManager.default.fileExists(atPath: input) else { Headroom.fail("\(input): no such file") }
                do { total += try target.merge(from: input) } catch { Headroom.fail("\(error)") }
            }
            print("merged \(total) runs into \(output)")
        }
    }
}
