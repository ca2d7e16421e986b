import ArgumentParser
import Foundation
import Headroom

extension Headroom {
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Describe traces and write synthetic ones.",
                                                        subcommands: [Stats.self, Synth.self])

        struct Stats: ParsableCommand {
            static let configuration = CommandConfiguration(
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
                if stats.skippedRows > 0 { print("skipped \(stats.skippedRows) unreadable rows") }
                print("rate  " + stats.sparkline)
            }
        }

        struct Synth: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write the requests a scenario's workload generates as a CSV trace.",
                discussion: """
                    Columns: time (seconds), prompt_tokens, output_tokens. Replay it with
                    `trace: {file: F, format: csv, columns: {time: time, prompt: prompt_tokens, output: output_tokens}}`.

                    Example:
                      headroom trace synth scenarios/quickstart.yaml -o quickstart-requests.csv
                    """)
            @Argument(help: "The scenario.") var scenario: String
            @Option(name: .shortAndLong, help: "The CSV to write.") var output: String
            @Option(help: "Override the scenario's seed.") var seed: UInt64?

            func run() throws {
                var loaded = try Headroom.loadScenario(scenario)
                if let seed { loaded.seed = seed }
                guard FileManager.default.createFile(atPath: output, contents: nil), let handle = FileHandle(forWritingAtPath: output) else {
                    Headroom.fail("\(output): cannot write the file")
                }
                defer { try? handle.close() }
                var feed = loaded.workload.makeSource(seed: loaded.seed)
                var batch: [IncomingRequest] = []
                var text = "time,prompt_tokens,output_tokens\n"
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
                    handle.write(Data(text.utf8))
                    text = ""
                }
                handle.write(Data(text.utf8))
                print("wrote \(count) requests to \(output)")
            }
        }
    }
}
