import ArgumentParser
import Foundation
import Headroom
import HeadroomEngine

extension Headroom {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: "Measure the engine's events/s and a scenario's simulated requests per wall-second (use a release build).",
            discussion: """
                Example:
                  swift build -c release && .build/release/headroom bench scenarios/benchmark-fixed-fleet.yaml --duration 1h

                Nothing is stored; --store-decisions and --series-interval make the run keep in memory what a \
                run stored with them would keep.
                """
        )

        @Argument(help: "The scenario to time.")
        var file: String

        @Option(parsing: .unconditional, help: "Override the scenario's duration.", transform: Headroom.parseDuration)
        var duration: SimTime?

        @Option(help: "Pop-and-push pairs for the engine-only measurement (0 skips it).")
        var engineEvents = 10_000_000

        @Option(help: ArgumentHelp("Replay this trace instead of the scenario's workload, and time reading it alone (rows/s).",
                                   discussion: "A path (format from the header), or a `trace:` block as YAML, e.g. "
                                       + "'{file: t.csv, columns: {time: arrival, prompt: prompt, output: output}}'."))
        var trace: String?

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a value of the scenario before timing it (repeatable).",
                                          discussion: "PATH=VALUE with a sweep's key paths, e.g. 'workload.arrivals.mean=200/s'.",
                                          valueName: "path=value"))
        var overrides: [String] = []

        @Flag(help: "Print wall µs per request and resident memory for each simulated hour (a cost that grows as the run goes on shows).")
        var progress = false

        /// What a run stored with these settings would keep in memory (the bench stores nothing).
        @OptionGroup var storage: StorageOptions

        func validate() throws {
            guard engineEvents >= 0 else {
                throw ValidationError("--engine-events must be 0 (skip the engine measurement) or more, got \(engineEvents)")
            }
        }

        func run() throws {
            let loading = Date()
            var scenario = try Headroom.loadScenario(file, overrides: overrides)
            if let duration { scenario.duration = duration }
            if let interval = storage.seriesInterval { scenario.seriesInterval = interval }
            if let trace {
                let spec: TraceSpec
                do { spec = try TraceSpec.parse(option: trace) } catch { Headroom.fail("\(error)") }
                scenario.workload = WorkloadSpec(trace: spec)
                print(String(format: "scenario and trace checked in %.3f s", Date().timeIntervalSince(loading)))
                do {
                    let read = try TraceReadBenchmark(spec)
                    print(String(format: "trace read (%@): %d rows in %.3f s, %.2f M rows/s", read.format.rawValue, read.rows, read.seconds,
                                 Double(read.rows) / read.seconds / 1e6))
                } catch { Headroom.fail("\(error)") }
            }

            if engineEvents > 0 {
                let engineRate = EngineBenchmark.eventsPerSecond(pairs: engineEvents, pending: 10_000)
                print(String(format: "engine: %.2f M events/s (hold model, 10k pending events, %d pops+pushes)", engineRate / 1e6, engineEvents))
            } else {
                print("engine: not measured (--engine-events 0)")
            }

            let pace = PaceRecorder(every: .seconds(3600))
            let started = Date()
            let result = Simulation.run(scenario, options: RunOptions(progress: progress ? pace.update : nil, decisions: storage.decisions))
            let wall = Date().timeIntervalSince(started)
            let s = result.summary
            if progress { Self.printPace(RunPace(marks: pace.marks(endingAt: scenario.duration, wallSeconds: wall), series: result.series)) }
            print(String(format: "scenario %@ (%@ simulated): %d requests, %d events in %.4f s wall", s.scenario,
                         ResultFormat.formatDuration(s.durationSeconds), s.requests.arrived, s.events, wall))
            print(String(format: "  %.2f M requests/s, %.2f M events/s, peak RSS %.1f MB",
                         Double(s.requests.arrived) / wall / 1e6, Double(s.events) / wall / 1e6, Self.peakRSSMegabytes()))
        }

        /// One line per simulated hour: its arrivals, wall seconds, µs per request, resident memory.
        static func printPace(_ pace: RunPace) {
            func column(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
            print("  simulated   " + column("requests", 10) + column("wall s", 9) + column("µs/request", 13) + column("RSS MB", 9))
            for row in pace.rows {
                let span = "\(row.start.description)–\(row.end.description)"
                print("  " + span + String(repeating: " ", count: max(0, 12 - span.count))
                      + column(String(row.requests), 10) + column(String(format: "%.2f", row.wallSeconds), 9)
                      + column(row.microsecondsPerRequest.map { String(format: "%.3f", $0) } ?? "-", 13)
                      + column(row.residentMegabytes.map { String(format: "%.1f", $0) } ?? "-", 9))
            }
        }

        /// Peak resident set size of this process (getrusage reports kilobytes on Linux).
        static func peakRSSMegabytes() -> Double {
            var usage = rusage()
            getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
            return Double(usage.ru_maxrss) / 1024
        }
    }
}

/// The engine alone: the classic "hold" model (pop the earliest event, push one a random delay
/// later) over a steady population of pending events.
enum EngineBenchmark {
    static func eventsPerSecond(pairs: Int, pending: Int) -> Double {
        var queue = EventQueue<UInt32>(reservingCapacity: pending + 1)
        var random = RandomStream(seed: 1, name: "bench")
        for i in 0..<pending { queue.schedule(UInt32(i), at: SimTime(nanoseconds: Int64(random.next() % 1_000_000_000))) }
        let started = Date()
        var checksum: UInt64 = 0
        for _ in 0..<pairs {
            let (time, payload) = queue.popNext()!
            checksum &+= UInt64(payload)
            queue.schedule(payload, at: time + SimTime(nanoseconds: Int64(random.next() % 1_000_000_000)))
        }
        let wall = Date().timeIntervalSince(started)
        if checksum == 42 { print("") }  // keeps the loop from being optimised away
        return Double(pairs) / wall
    }
}
