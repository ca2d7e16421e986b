import ArgumentParser
import Foundation
import Headroom
import HeadroomEngine
import HeadroomStore

extension Headroom {
    struct Tune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tune",
            abstract: "Search a scenario's settings for the cheapest configuration that meets constraints.",
            discussion: """
                Every run is stored as a sweep (--name), so compare, report and export read it; a killed tune
                continues with --resume, reusing the runs stored. The same --seed gives the same search whatever --jobs.
                --grid runs every point of the same space on every seed instead (the exhaustive baseline).

                \(TuneParameter.forms)
                \(TuneConstraint.forms)

                \(TuneObjective.forms)

                Example:
                  headroom tune scenarios/signals/kpa-concurrency.yaml \\
                    --param 'policy.annotations."autoscaling.knative.dev/target"=4..40/4' \\
                    --param 'policy.annotations."autoscaling.knative.dev/window"=6s..2m/6s' \\
                    --constraint 'slo.both >= 0.99' --constraint 'dropped == 0' \\
                    --objective cost_dollars --budget 36
                """
        )

        @Argument(help: "The scenario (YAML).")
        var file: String

        @Option(name: .customLong("param"), help: "KEYPATH=RANGE, repeatable (forms below).", transform: Tune.parameter)
        var parameters: [TuneParameter] = []

        @Option(name: .customLong("constraint"), help: "METRIC OP VALUE on a metric's mean over seeds, repeatable.", transform: Tune.constraint)
        var constraints: [TuneConstraint] = []

        @Option(help: "The metric to minimize, or max:METRIC.", transform: Tune.objective)
        var objective = TuneObjective(metric: "cost_dollars", maximize: false)

        @Option(help: "The most simulation runs to spend.")
        var budget = 60

        @Option(help: "Seeds a configuration is judged on (seeds 1…N, the same for every configuration).")
        var seeds = 3

        @Option(help: "The search's seed (its proposals depend on it; the simulations' seeds are 1…--seeds).", transform: Headroom.parseSeed)
        var seed: UInt64 = 1

        @Option(help: "Parallel runs (default: every core).")
        var jobs = ProcessInfo.processInfo.activeProcessorCount

        @Option(parsing: .unconditional, help: "Override the scenario's duration, e.g. 30m.", transform: Headroom.parseDuration)
        var duration: SimTime?

        @Option(help: "The sweep the runs are stored under (default: tune-SCENARIO, or grid-SCENARIO with --grid).")
        var name: String?

        @Flag(help: "Run every point of the space on every seed (no budget): the grid a tune is measured against.")
        var grid = false

        @Flag(help: "Continue a tune already in the database, reusing its stored runs.")
        var resume = false

        @OptionGroup var store: StoreOptions

        static func parameter(_ text: String) throws -> TuneParameter {
            do { return try TuneParameter.parse(text) } catch { throw ValidationError(error.message) }
        }

        static func constraint(_ text: String) throws -> TuneConstraint {
            do { return try TuneConstraint.parse(text) } catch { throw ValidationError(error.message) }
        }

        static func objective(_ text: String) throws -> TuneObjective {
            do { return try TuneObjective.parse(text) } catch { throw ValidationError(error.message) }
        }

        func validate() throws {
            guard !parameters.isEmpty else { throw ValidationError("give at least one --param KEYPATH=RANGE\n\(TuneParameter.forms)") }
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
            guard budget >= 1 else { throw ValidationError("--budget must be at least 1") }
            guard (1...1000).contains(seeds) else { throw ValidationError("--seeds takes 1 to 1000") }
            if Set(parameters.map(\.path)).count < parameters.count { throw ValidationError("a key path is given twice in --param") }
        }

        func run() throws {
            var base: ScenarioDocument
            let scenario: Scenario
            do {
                base = try ScenarioDocument.load(file: file)
                if let duration { try base.set("duration", to: duration.description) }
                scenario = try base.scenario()
            } catch {
                Headroom.fail("\(error)")
            }
            let settings = TuneSettings(parameters: parameters, constraints: constraints, objective: objective, budget: budget,
                                        seeds: seeds, searchSeed: seed)
            if grid, settings.spaceSize > 100_000 { Headroom.fail("the grid has \(settings.spaceSize) points; the most --grid runs is 100000") }
            // A key path that does not fit the scenario (the scenario refuses both ends of the range
            // set alone) is an error before any run, not a refused candidate.
            for parameter in parameters {
                var refusals: [String] = []
                for level in [parameter.levels[0], parameter.levels[parameter.levels.count - 1]] {
                    var probe = base
                    do { try probe.set(parameter.path, to: level); _ = try probe.scenario() } catch { refusals.append(error.description) }
                }
                if refusals.count == 2 { Headroom.fail("--param '\(parameter.written)': \(refusals[0])") }
            }
            let sweepName = name ?? "\(grid ? "grid" : "tune")-\(scenario.name)"
            let runStore = try store.open(.readWrite)
            if !resume, !(Headroom.failing { try runStore.runs(sweep: sweepName, limit: 1) }).isEmpty {
                Headroom.fail("sweep '\(sweepName)' already has runs in \(store.path); pass --resume to continue it, or give --name another name")
            }
            let sweepID = Headroom.failing { try runStore.sweep(named: sweepName, file: file) }
            var runner = TuneRunner(store: runStore, sweepID: sweepID, base: base, settings: settings, workers: jobs)
            StopSignal.install()
            runner.shouldStop = { StopSignal.requested }
            let check = runner
            var search = TuneSearch(settings: settings, validate: { check.refusal($0) })
            let report: @Sendable (TuneProgress) -> Void = { progress in
                FileHandle.standardError.write(Data((TuneReport.progressLine(progress, objective: settings.objective) + "\n").utf8))
            }
            do {
                if grid {
                    try search.runGrid(evaluate: { try runner.evaluate($0) }, progress: report)
                } else {
                    try search.run(evaluate: { try runner.evaluate($0) }, progress: report)
                }
            } catch is TuneStopped {
                print("tune \(sweepName): stopped after \(search.runs) runs; run again with --resume to continue (\(store.path))")
                throw ExitCode(130)
            } catch {
                Headroom.fail("\(error)")
            }
            let yaml = search.incumbent.flatMap { try? runner.document(search.candidates[$0].levels).excerpt(covering: parameters.map(\.path)) }
            print(TuneReport(search: search, yaml: yaml, scenario: scenario.name, sweep: sweepName, store: store.path,
                             reused: runner.reused, grid: grid).text)
            print("\nstored as sweep '\(sweepName)' in \(store.path): headroom compare --sweep \(sweepName) --db \(store.path)")
        }
    }
}
