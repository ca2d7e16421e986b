import ArgumentParser
import Foundation
import Headroom
import HeadroomEngine

extension Headroom {
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "Work with scaling policies.",
            subcommands: [Replay.self]
        )
    }
}

extension Headroom.Policy {
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Shadow mode: replay a recorded metric history through a policy and print what it would have chosen.",
            discussion: """
                The policy file is a scenario: its `policy:` section is replayed (the rest supplies the CPU request).
                The metrics CSV has a header with `time` (s), `ready` and one column per signal the policy reads,
                each the mean per ready replica: concurrency, requests_per_second, completions_per_second,
                gpu_utilization, cpu (cores); optionally `activator` (requests waiting for capacity).
                A policy on PromQL queries (KEDA's prometheus trigger, HPA metrics on vLLM series) replays on a
                Prometheus export instead: the JSON of a range query (/api/v1/query_range), or a CSV with the header
                metric,labels,timestamp,value (labels as {pod="a"} in one quoted field, Unix seconds). Ready replicas
                come from kube_deployment_status_replicas_ready when exported, else from the pods reporting.

                Example:
                  headroom policy replay --policy scenarios/signals/kpa-concurrency.yaml --metrics notebooks-data/example-metrics.csv
                """
        )

        @Option(help: "A scenario file whose policy is replayed.")
        var policy: String

        @Option(help: "The recorded metrics (CSV).")
        var metrics: String

        @Flag(help: "Print CSV (time,ready,desired,reason) instead of a table.")
        var csv = false

        func run() throws {
            let scenario = try Headroom.loadScenario(policy)
            let text: String
            switch InputFile.text(metrics) {
            case let .success(contents): text = contents
            case let .failure(problem):
                FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
                throw ExitCode(1)
            }
            let replayed = scenario.policy.makePolicy(for: scenario)
            let steps: [PolicyReplay.Step]
            do {
                if PrometheusExport.recognizes(text) {
                    try PolicyReplay.requireQueries(of: replayed, file: metrics)
                    steps = PolicyReplay.run(replayed, export: try PrometheusExport.parse(text, file: metrics))
                } else {
                    if let query = replayed.queries.first {
                        throw ScenarioError(file: metrics, line: 1, path: "", message: "the policy queries `\(query.text)`; replay it on a Prometheus "
                            + "export (range-query JSON, or CSV with the header metric,labels,timestamp,value)")
                    }
                    try PolicyReplay.requireSignals(of: replayed, columns: PolicyReplay.columns(csv: text), file: metrics)
                    steps = PolicyReplay.run(replayed, rows: try PolicyReplay.parse(csv: text, file: metrics))
                }
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            if csv {
                print("time,ready,desired,reason")
                for step in steps { print("\(step.time.seconds),\(step.ready),\(step.desired),\"\(step.reason.replacingOccurrences(of: "\"", with: "'"))\"") }
            } else {
                for step in steps {
                    print(String(format: "%9.1f s  ready %3d  → %3d  ", step.time.seconds, step.ready, step.desired) + step.reason)
                }
            }
        }
    }
}
