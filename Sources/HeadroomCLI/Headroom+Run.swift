import ArgumentParser
import Foundation
import Headroom
import HeadroomEngine
import HeadroomStore

extension Headroom {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate one scenario and print what users saw and what it cost.",
            discussion: """
                Example:
                  headroom run scenarios/quickstart.yaml
                  headroom run scenarios/cold-start-sequential.yaml --seed 7 --duration 30m --json > run.json
                """
        )

        @Argument(help: "The scenario file (YAML).")
        var file: String

        @Option(help: "Override the scenario's seed.")
        var seed: UInt64?

        @Option(help: "Override the scenario's duration, e.g. 30m or 2h.", transform: Headroom.parseDuration)
        var duration: SimTime?

        @Flag(help: "Print the full result (summary, series, cold starts, decisions) as JSON.")
        var json = false

        @Flag(help: "Print the autoscaler's decision log.")
        var decisions = false

        @Option(name: .customLong("sample-requests"), help: "Keep the life of the first N requests (in --json and the store).")
        var sampleRequests = 0

        @OptionGroup var store: StoreOptions

        @Flag(help: "Do not store the run.")
        var noStore = false

        func run() throws {
            var document: ScenarioDocument
            let scenario: Scenario
            do {
                document = try ScenarioDocument.load(file: file)
                if let seed { try document.set("seed", to: String(seed)) }
                if let duration { try document.set("duration", to: duration.description) }
                scenario = try document.scenario()
            } catch {
                Headroom.fail("\(error)")
            }
            let runStore = noStore ? nil : try store.open()
            let progress = ProgressLine(total: scenario.duration)
            let started = Date()
            let result = Simulation.run(scenario, options: RunOptions(requestSample: sampleRequests, progress: progress.update))
            let wall = Date().timeIntervalSince(started)
            progress.clear()
            for line in ResultFormat.inputWarnings(result.summary.inputLosses) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            if json {
                print(try ResultFormat.json(result))
            } else {
                print(ResultFormat.table(result.summary, wall: wall))
                if decisions { print(ResultFormat.decisions(result.decisions)) }
            }
            if let runStore {
                let id = try runStore.save(result, document: document, scenario: scenario,
                                           placement: RunStore.Placement(variant: scenario.policy.kind.rawValue), startedAt: started,
                                           wallSeconds: wall)
                FileHandle.standardError.write(Data("stored as run \(id) in \(store.path)\n".utf8))
            }
        }
    }

    /// Loads a scenario, turning a bad one into a one-line error and exit code 1.
    static func loadScenario(_ file: String) throws -> Scenario {
        do {
            return try Scenario.load(file: file)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func parseDuration(_ text: String) throws -> SimTime {
        guard let value = Units.duration(text), value > .zero else {
            throw ValidationError("'\(text)' is not a duration; write it with a unit, e.g. 30s, 5m or 2h")
        }
        return value
    }
}
