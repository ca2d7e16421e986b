import ArgumentParser
import Foundation
import Headroom
import HeadroomEngine

extension Headroom {
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "trace", abstract: "Describe traces and write synthetic ones.",
                                                        subcommands: [Stats.self, Fit.self, Synth.self])

        struct Fit: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "fit",
                abstract: "Fit a bursty arrival generator (MMPP or gamma renewal) and token lengths to a trace.",
                discussion: """
                    Prints a `workload:` block to paste into a scenario, and how the fit compares with the trace.

                    Example:
                      headroom trace fit notebooks-data/traces/AzureLLMInferenceTrace_code_2023.csv --states 3
                    """)
            @Argument(help: "The trace file.") var file: String
            @Option(help: "The generator: mmpp or gamma.") var model: TraceFit.Model = .mmpp
            @Option(help: "MMPP states (2 or more).") var states = 2
            @Option(help: "Bin width for the MMPP fit (default: chosen from the trace, about ten arrivals a bin).",
                    transform: Headroom.parseDuration) var bin: SimTime?

            func validate() throws {
                guard states >= 2 && states <= 8 else { throw ValidationError("--states takes 2 to 8") }
            }

            func run() throws {
                let fit: TraceFit
                do { fit = try TraceFit(file: file, model: model, states: states, bin: bin) } catch { Headroom.fail("\(error)") }
                print("workload:")
                print("  arrivals: " + Self.yaml(fit.arrivals))
                print("  prompt_tokens: " + Self.yaml(fit.promptTokens))
                print("  output_tokens: " + Self.yaml(fit.outputTokens))
                print("")
                let g = fit.goodness
                if let bin = g.bin, let perBin = g.logLikelihoodPerBin, let poisson = g.poissonLogLikelihoodPerBin {
                    print(String(format: "fit on %@ bins: log-likelihood %.3f per bin (one Poisson rate: %.3f)", bin.description, perBin, poisson))
                }
                for note in g.notes { print("note: \(note)") }
                if fit.trace.skippedRows > 0 {
                    print("note: \(fit.trace.skippedRows) unreadable rows skipped (first: \(fit.trace.skippedExamples.first ?? "?"))")
                }
                print("                      trace      fit")
                let rows: [(String, Double, Double)] = [
                    ("mean rate (req/s)", fit.trace.meanRate, fit.fitted.meanRate),
                    ("rate p50 (10 s)", fit.trace.rate10sP50, fit.fitted.rate10sP50),
                    ("rate p90 (10 s)", fit.trace.rate10sP90, fit.fitted.rate10sP90),
                    ("rate p99 (10 s)", fit.trace.rate10sP99, fit.fitted.rate10sP99),
                    ("inter-arrival CV", fit.trace.interArrivalCV, fit.fitted.interArrivalCV),
                    ("peak/mean 1 s", fit.trace.peakToMean1s, fit.fitted.peakToMean1s),
                    ("peak/mean 10 s", fit.trace.peakToMean10s, fit.fitted.peakToMean10s),
                    ("peak/mean 1 min", fit.trace.peakToMean60s, fit.fitted.peakToMean60s),
                    ("prompt mean", fit.trace.promptTokens.mean, fit.fitted.promptTokens.mean),
                    ("output mean", fit.trace.outputTokens.mean, fit.fitted.outputTokens.mean),
                ]
                for (name, a, b) in rows { print(String(format: "  %@ %9.2f %9.2f", name.padding(toLength: 18, withPad: " ", startingAt: 0), a, b)) }
            }

            static func yaml(_ arrivals: ArrivalProcess) -> String {
                switch arrivals {
                case let .mmpp(states):
                    return "{process: mmpp, states: [" + states.map { String(format: "{rate: %.4g/s, dwell: %@}", $0.rate, $0.meanDwell.description) }
                        .joined(separator: ", ") + "]}"
                case let .gamma(rate, cv):
                    return String(format: "{process: gamma, rate: %.4g/s, cv: %.3g}", rate, cv)
                case let .poisson(rate):
                    return String(format: "{process: poisson, rate: %.4g/s}", rate)
                default:
                    return "\(arrivals)"
                }
            }

            static func yaml(_ distribution: Distribution) -> String {
                guard case let .lognormal(median, sigma) = distribution.shape else { return "\(distribution.unclippedMean ?? 0)" }
                return String(format: "{dist: lognormal, median: %.4g, sigma: %.3g, min: %.0f, max: %.0f}", median, sigma,
                              distribution.min ?? 1, distribution.max ?? 1)
            }
        }

        struct Stats: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "stats",
                abstract: "Requests, span, rates and burstiness, idle gaps and token lengths of a trace.",
                discussion: """
                    The format (Azure CSV, Mooncake JSONL, BurstGPT CSV) is detected from the header.

                    Example:
                      headroom trace stats notebooks-data/traces/AzureLLMInferenceTrace_code_2023.csv
                    """)
            @Argument(help: "The trace file.") var file: String
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let stats: TraceStatistics
                do { stats = try TraceStatistics(file: file) } catch { Headroom.fail("\(error)") }
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    encoder.keyEncodingStrategy = .convertToSnakeCase
                    print(String(decoding: try encoder.encode(stats), as: UTF8.self))
                    return
                }
                print(String(format: "%@: %d requests over %.1f s, %.2f req/s", file, stats.requests, stats.spanSeconds, stats.meanRate))
                print(String(format: "peak-to-mean  1 s %.1f×   10 s %.1f×   1 min %.1f×   inter-arrival CV %.2f",
                             stats.peakToMean1s, stats.peakToMean10s, stats.peakToMean60s, stats.interArrivalCV))
                print(String(format: "idle gaps > 10 s: %d, longest %.1f s", stats.idleGaps, stats.longestGapSeconds))
                for (name, lengths) in [("prompt", stats.promptTokens), ("output", stats.outputTokens)] {
                    print(String(format: "%@ tokens  mean %.0f  p50 %.0f  p99 %.0f  max %.0f", name, lengths.mean, lengths.p50, lengths.p99, lengths.max))
                }
                if stats.skippedRows > 0 {
                    print("skipped \(stats.skippedRows) unreadable rows; the figures above leave them out")
                    for example in stats.skippedExamples { print("  \(example)") }
                }
                print("rate  " + stats.sparkline)
            }
        }

        struct Synth: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "synth",
                abstract: "Write the requests a scenario's workload generates as a CSV trace.",
                discussion: """
                    Columns: time (seconds from the start), prompt_tokens, output_tokens. `trace stats`,
                    `trace fit` and a scenario's `trace: {file: F}` recognise this header.

                    Example:
                      headroom trace synth scenarios/quickstart.yaml -o quickstart-requests.csv
                    """)
            @Argument(help: "The scenario.") var scenario: String
            @Option(name: .shortAndLong, help: "The CSV to write.") var output: String
            @Option(parsing: .unconditional, help: "Override the scenario's seed.", transform: Headroom.parseSeed) var seed: UInt64?

            func run() throws {
                var loaded = try Headroom.loadScenario(scenario)
                if let seed { loaded.seed = seed }
                guard FileManager.default.createFile(atPath: output, contents: nil), let handle = FileHandle(forWritingAtPath: output) else {
                    Headroom.fail("\(output): cannot write the file")
                }
                defer { try? handle.close() }
                var feed = loaded.workload.makeSource(seed: loaded.seed)
                var batch: [IncomingRequest] = []
                var text = TraceReader.synthHeader + "\n"
                var count = 0
                outer: while true {
                    batch.removeAll(keepingCapacity: true)
                    feed.next(4096, into: &batch)
                    if batch.isEmpty { break }
                    for request in batch {
                        guard request.arrival <= loaded.duration else { break outer }
                        text += "\(request.arrival.seconds),\(request.promptTokens),\(request.outputTokens)\n"
                        count += 1
                    }
                    write(text, to: handle)
                    text = ""
                }
                write(text, to: handle)
                print("wrote \(count) requests to \(output)")
            }

            /// Foundation's `write(_:)` traps on an I/O error (a full disk); this says so instead.
            private func write(_ text: String, to handle: FileHandle) {
                do { try handle.write(contentsOf: Data(text.utf8)) } catch {
                    Headroom.fail("\(output): cannot write the file (\(InputFile.readReason(error)))")
                }
            }
        }
    }
}

extension TraceFit.Model: ExpressibleByArgument {}
