import ArgumentParser
import Foundation
import Headroom
import HeadroomEngine
import HeadroomStore

extension Headroom {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Simulate one scenario and print what users saw and what it cost.",
            discussion: """
                Example:
                  headroom run scenarios/quickstart.yaml
                  headroom run scenarios/cold-start-sequential.yaml --seed 7 --duration 30m --json > run.json
                """
        )

        @Argument(help: "The scenario file (YAML).")
        var file: String

        // `.unconditional` hands `-1` and `-5m` to the parser below instead of reading them as flags,
        // so the message names the real fault.
        @Option(parsing: .unconditional, help: "Override the scenario's seed (a whole number, 0 or more).", transform: Headroom.parseSeed)
        var seed: UInt64?

        @Option(parsing: .unconditional, help: "Override the scenario's duration, e.g. 30m or 2h.", transform: Headroom.parseDuration)
        var duration: SimTime?

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a value of the scenario (repeatable; stored with the run).",
                                          discussion: "PATH=VALUE with a sweep's key paths, e.g. 'workload.arrivals.mean=200/s'; "
                                              + "--seed and --duration are applied after them.",
                                          valueName: "path=value"))
        var overrides: [String] = []

        @Flag(help: "Print the full result (summary, series, cold starts, decisions) as JSON.")
        var json = false

        @Flag(help: "Print the autoscaler's decision log.")
        var decisions = false

        @Option(name: .customLong("sample-requests"), help: "Keep the life of the first N requests (in --json and the store).")
        var sampleRequests = 0

        @OptionGroup var store: StoreOptions

        @Flag(help: "Do not store the run.")
        var noStore = false

        @OptionGroup var storage: StorageOptions

        func validate() throws {
            guard sampleRequests >= 0 else { throw ValidationError("--sample-requests must be 0 or more, got \(sampleRequests)") }
        }

        func run() throws {
            var document: ScenarioDocument
            let scenario: Scenario
            do {
                document = try ScenarioDocument.load(file: file)
                try Headroom.apply(overrides, to: &document, file: file)
                if let seed { try document.set("seed", to: String(seed)) }
                if let duration { try document.set("duration", to: duration.description) }
                try storage.apply(to: &document)
                scenario = try document.scenario()
            } catch {
                Headroom.fail("\(error)")
            }
            let runStore = noStore ? nil : try store.open(.readWrite)
            let progress = ProgressLine(total: scenario.duration)
            let started = Date()
            // The decisions the store will not keep are not kept in memory either, unless printed.
            let kept: DecisionStorage = json || decisions ? .all : storage.decisions
            let result = Simulation.run(scenario, options: RunOptions(requestSample: sampleRequests, progress: progress.update, decisions: kept))
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
                let saved = Headroom.failing {
                    try runStore.save(result, document: document, scenario: scenario,
                                      placement: RunStore.Placement(variant: scenario.policy.kind.rawValue), startedAt: started,
                                      wallSeconds: wall, decisions: storage.decisions)
                }
                FileHandle.standardError.write(Data("stored as run \(saved.id) in \(store.path)\n".utf8))
            }
        }
    }

    /// Loads a scenario, with `PATH=VALUE` overrides applied as a sweep applies them, turning a bad
    /// one into a one-line error and exit code 1.
    static func loadScenario(_ file: String, overrides: [String] = []) throws -> Scenario {
        do {
            guard !overrides.isEmpty else { return try Scenario.load(file: file) }
            var document = try ScenarioDocument.load(file: file)
            try apply(overrides, to: &document, file: file)
            return try document.scenario()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Applies `PATH=VALUE` overrides (`--set`) to the document of scenario file `file`, in order.
    static func apply(_ overrides: [String], to document: inout ScenarioDocument, file: String) throws {
        for override in overrides {
            guard let equals = override.firstIndex(of: "=") else {
                throw ScenarioError(file: file, path: override, message: "write an override as PATH=VALUE, e.g. duration=30m")
            }
            try document.set(String(override[..<equals]), to: String(override[override.index(after: equals)...]))
        }
    }

    /// A positive duration, or a message that names what is wrong with it (no unit, not a
    /// number, too large, not positive).
    static func parseDuration(_ text: String) throws -> SimTime {
        switch Units.checkedDuration(text) {
        case let .success(value) where value > .zero: return value
        case .success: throw ValidationError("the duration must be positive, e.g. 30s, 5m or 2h")
        case let .failure(problem): throw ValidationError("\(problem)")
        }
    }

    /// A seed: a whole number from 0 to 2^64 − 1 (a negative one would otherwise read as a flag).
    static func parseSeed(_ text: String) throws -> UInt64 {
        guard let seed = UInt64(text.replacingOccurrences(of: "_", with: "")) else {
            throw ValidationError("seeds are whole numbers from 0 to \(UInt64.max), e.g. 7")
        }
        return seed
    }
}
