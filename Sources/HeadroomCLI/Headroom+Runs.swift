import ArgumentParser
import Foundation
import HeadroomStore

extension Headroom {
    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "runs", abstract: "Browse stored runs.", subcommands: [List.self, Show.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored runs, newest first.",
                                                            discussion: "Example:\n  headroom runs list --sweep signals\n  headroom runs list --json | jq '.[0].id'")
            @OptionGroup var store: StoreOptions
            @Option(help: "Only this sweep's runs.") var sweep: String?
            @Option(help: "Only runs of this scenario (by name).") var scenario: String?
            @Option(help: "At most this many.") var limit = 50
            @Flag(help: "Print JSON (one object per run).") var json = false

            func run() throws {
                let runStore = try store.open()
                let runs = Headroom.failing { try runStore.runs(sweep: sweep, scenario: scenario, limit: limit) }
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
            static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one stored run: its summary and what is stored with it.",
                                                            discussion: "Example:\n  headroom runs show 12")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The run id.") var id: Int64
            @Flag(help: "Also print the scenario YAML it ran.") var yaml = false
            @Flag(help: "Print JSON: the run, its summary columns, its deployments' (when several), stored row counts (and the YAML with --yaml).")
            var json = false

            func run() throws {
                let runStore = try store.open()
                guard let listing = Headroom.failing({ try runStore.runs(ids: [id]).first }),
                      let summary = Headroom.failing({ try runStore.summaries(of: [id])[id] }) else {
                    Headroom.fail("no run \(id) in \(store.path) (see `headroom runs list --db \(store.path)`)")
                }
                let counts = Headroom.failing { try runStore.rowCounts(ofRun: id) }
                let scenarioText = yaml ? Headroom.failing { try runStore.scenarioYAML(ofRun: id) } : nil
                if json {
                    var object: [String: Any] = [
                        "id": listing.id, "scenario": listing.scenario, "sweep": listing.sweep ?? NSNull(), "variant": listing.variant,
                        "policy_kind": listing.policyKind, "seed": listing.seed, "wall_seconds": listing.wallSeconds,
                        "summary": summary, "stored_rows": counts,
                        "profile": Headroom.failing({ try runStore.storedSummary(ofRun: id)?.profile }).map {
                            ["name": $0.name, "provenance": $0.provenance, "estimate": $0.estimate] as [String: Any]
                        } ?? NSNull(),
                    ]
                    // Several deployments: each one's stored columns (absent for a run of one).
                    let deployments = Headroom.failing { try runStore.table("deployment_summaries", runs: [id]) }
                    if !deployments.rows.isEmpty { object["deployments"] = RunShowFormat.objects(deployments) }
                    if yaml { object["yaml"] = scenarioText ?? NSNull() }
                    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
                    return
                }
                let stored = Headroom.failing { try runStore.storedSummary(ofRun: id) }
                print(RunShowFormat.heading(listing))
                print("")
                if let stored { print(ResultFormat.table(stored, wall: listing.wallSeconds)) }
                print("")
                print(RunShowFormat.storedRows(counts))
                if let scenarioText { print("\n" + scenarioText) }
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Merge run stores (e.g. the shards of a sweep) into one, without duplicating runs.",
            discussion: "Example:\n  headroom merge all.sqlite shard-1.sqlite shard-2.sqlite")
        @Argument(help: "The database to merge into (created if missing).") var output: String
        @Argument(help: "The databases to merge from.") var inputs: [String]

        func run() throws {
            for input in inputs where !FileManager.default.fileExists(atPath: input) { Headroom.fail("\(input): no such file") }
            let target = Headroom.failing { try RunStore(path: output, access: .readWrite) }
            var total = RunStore.MergeOutcome()
            for input in inputs {
                let outcome = Headroom.failing { try target.merge(from: input) }
                total.merged += outcome.merged
                total.alreadyPresent += outcome.alreadyPresent
            }
            print("merged \(total.merged) runs into \(output)" + (total.alreadyPresent > 0 ? " (\(total.alreadyPresent) already present)" : ""))
        }
    }
}
