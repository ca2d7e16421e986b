import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

@Suite("Trace replay")
struct TraceTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../notebooks-data/traces")
        .standardizedFileURL
    static let azure = folder.appendingPathComponent("AzureLLMInferenceTrace_code_2023.csv").path
    static let mooncake = folder.appendingPathComponent("mooncake_synthetic_trace.jsonl").path

    static func write(_ text: String, name: String = "trace.csv") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-\(UUID().uuidString)-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func readAll(_ path: String, format: TraceSpec.Format? = nil, columns: TraceSpec.Columns? = nil) throws -> (TraceReader, [TraceRecord]) {
        var reader = try TraceReader(file: path, format: format, columns: columns)
        var records: [TraceRecord] = []
        while let record = try reader.next() { records.append(record) }
        return (reader, records)
    }

    @Test("the shipped Azure and Mooncake traces: exact row counts, first and last rows")
    func shippedTraces() throws {
        let (azureReader, azure) = try Self.readAll(Self.azure)
        #expect(azureReader.format == .azure && azure.count == 8819 && azureReader.skipped == 0)
        #expect(azure.first == TraceRecord(time: 0, promptTokens: 4808, outputTokens: 10))
        #expect(abs(azure.last!.time - 3435.948056) < 1e-6)
        #expect(azure.last!.promptTokens == 549 && azure.last!.outputTokens == 173)
        // 18:17:04.0319600 − 18:17:03.9799600
        #expect(abs(azure[1].time - 0.052) < 1e-6)
        let (moonReader, moon) = try Self.readAll(Self.mooncake)
        #expect(moonReader.format == .mooncake && moon.count == 3993)
        #expect(moon.first == TraceRecord(time: 0, promptTokens: 40160, outputTokens: 6, hashIDs: Array(0...78)))
        #expect(abs(moon.last!.time - 1022.025) < 1e-9)
        #expect(moon.last!.promptTokens == 18440)
    }

    @Test("BurstGPT and a generic CSV with a column mapping")
    func otherFormats() throws {
        let burst = try Self.write("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n5,ChatGPT,100,20,120,Conversation log\n7.5,GPT-4,50,5,55,API log\n")
        let (reader, rows) = try Self.readAll(burst)
        #expect(reader.format == .burstgpt)
        #expect(rows == [TraceRecord(time: 0, promptTokens: 100, outputTokens: 20), TraceRecord(time: 2.5, promptTokens: 50, outputTokens: 5)])
        let csv = try Self.write("id,t_ms,in,out\na,1000,10,2\nb,1250,30,4\n")
        let (_, generic) = try Self.readAll(csv, format: .csv, columns: TraceSpec.Columns(time: "t_ms", prompt: "in", output: "out", timeUnitSeconds: 1e-3))
        #expect(generic == [TraceRecord(time: 0, promptTokens: 10, outputTokens: 2), TraceRecord(time: 0.25, promptTokens: 30, outputTokens: 4)])
    }

    @Test("bad rows are skipped with their line numbers, or fatal; a truncated last line is not a crash")
    func badRows() throws {
        let text = """
            TIMESTAMP,ContextTokens,GeneratedTokens
            2023-11-16 18:17:03.0000000,100,10
            2023-11-16 18:17:04.0000000,abc,10
            2023-11-16 18:17:05.0000000,-5,10
            2023-11-16 18:17:02.0000000,100,10
            2023-11-16 18:17:06.0000000,100
            2023-11-16 18:17:07.0000000,100,10
            2023-11-16 18:17:0
            """
        let path = try Self.write(text)
        let (reader, rows) = try Self.readAll(path)
        #expect(rows.count == 2)
        #expect(reader.skipped == 5)
        #expect(reader.skippedExamples.map(\.line) == [3, 4, 5, 6, 8])
        #expect(reader.skippedExamples[2].message.contains("backwards"))
        #expect(reader.skippedExamples[4].message.contains("truncated last line"))
        var strict = try TraceReader(file: path, badRows: .fail)
        _ = try strict.next()
        #expect { _ = try strict.next() } throws: { "\($0)".contains(":3: token counts must be numbers") }
        #expect { _ = try TraceReader(file: try Self.write("when,what\n1,2\n")) } throws: { "\($0)".contains("cannot tell the trace format") }
        #expect { _ = try TraceReader(file: "/nonexistent.csv") } throws: { "\($0)".contains("cannot read") }
    }

    @Test("streaming: a 300,000-row trace is read with one 64 KiB chunk (plus a partial line) in memory")
    func streaming() throws {
        var text = "TIMESTAMP,ContextTokens,GeneratedTokens\n"
        text.reserveCapacity(300_000 * 40)
        for second in 0..<300_000 {
            text += "2023-11-16 \(String(format: "%02d:%02d:%02d", 10 + second / 3600 % 12, second / 60 % 60, second % 60)).0000000,100,10\n"
        }
        let path = try Self.write(text)
        var reader = try TraceReader(file: path)
        var count = 0
        while try reader.next() != nil { count += 1 }
        #expect(count + reader.skipped == 300_000)
        #expect(reader.peakBufferBytes < 70_000)
    }

    @Test("replay options: time scale, thinning and replication, window, loop, token overrides")
    func replayOptions() throws {
        let path = try Self.write("time,p,o\n0,10,1\n10,20,2\n20,30,3\n30,40,4\n")
        var spec = TraceSpec(file: path, format: .csv)
        spec.columns = TraceSpec.Columns(time: "time", prompt: "p", output: "o")
        func arrivals(_ spec: TraceSpec, limit: Int = 100) throws -> [IncomingRequest] {
            var replay = try TraceReplay(spec, seed: 1, loopPeriod: spec.loop ? try TraceScan(spec).loopPeriod : nil)
            var result: [IncomingRequest] = []
            while result.count < limit, let request = replay.next() { result.append(request) }
            return result
        }
        #expect(try arrivals(spec).map(\.arrival.seconds) == [0, 10, 20, 30])
        var fast = spec
        fast.timeScale = 4
        #expect(try arrivals(fast).map(\.arrival.seconds) == [0, 2.5, 5, 7.5])
        var doubled = spec
        doubled.rateMultiplier = 2
        #expect(try arrivals(doubled).map(\.promptTokens) == [10, 10, 20, 20, 30, 30, 40, 40])
        var window = spec
        window.windowStart = .seconds(10)
        window.windowEnd = .seconds(30)
        #expect(try arrivals(window).map(\.arrival.seconds) == [0, 10])
        var looped = window
        looped.loop = true
        // Window span 10 s + one mean gap (10 s): period 20 s.
        #expect(try arrivals(looped, limit: 6).map(\.arrival.seconds) == [0, 10, 20, 30, 40, 50])
        var overridden = spec
        overridden.outputTokens = .constant(77)
        #expect(try arrivals(overridden).allSatisfy { $0.outputTokens == 77 })
        // Thinning keeps about the share asked for.
        let many = try Self.write("time,p,o\n" + (0..<10_000).map { "\($0),1,1" }.joined(separator: "\n"))
        var thin = TraceSpec(file: many, format: .csv)
        thin.columns = spec.columns
        thin.rateMultiplier = 0.3
        let kept = try arrivals(thin, limit: 20_000).count
        #expect(abs(Double(kept) / 10_000 - 0.3) < 0.02)
    }

    @Test("statistics against hand-computed values")
    func statistics() throws {
        // Arrivals at 0, 1, 2, 3 and 20 s: gaps 1, 1, 1, 17 (mean 5, sd 8), one idle gap.
        let path = try Self.write("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
                                  + "0,m,10,1,11,x\n1,m,20,2,22,x\n2,m,30,3,33,x\n3,m,40,4,44,x\n20,m,50,5,55,x\n")
        let stats = try TraceStatistics(file: path)
        #expect(stats.requests == 5 && stats.spanSeconds == 20)
        #expect(abs(stats.meanRate - 0.2) < 1e-12)
        #expect(abs(stats.interArrivalCV - 8.0 / 5.0) < 1e-9)
        #expect(stats.idleGaps == 1 && stats.longestGapSeconds == 17)
        #expect(stats.promptTokens.mean == 30 && stats.promptTokens.max == 50 && stats.outputTokens.p50 == 3)
        // 21 one-second buckets, 5 requests; the busiest second holds 1: 1 / (5/21).
        #expect(abs(stats.peakToMean1s - 21.0 / 5.0) < 1e-9)
    }

    @Test("a scenario replays a trace end to end, with every request accounted for")
    func scenarioReplay() throws {
        let yaml = """
            name: trace-test
            duration: 20m
            workload:
              trace:
                file: \(Self.mooncake)
                time_scale: 2
                output_tokens: {dist: lognormal, median: 50, sigma: 0.5}
            model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3-8b
            node_pools: [{name: p, gpu: H100, price_per_hour: 10, max_nodes: 2}]
            policy: {kind: fixed, replicas: 8}
            """
        let scenario = try Scenario.parse(yaml: yaml)
        let result = Simulation.run(scenario, options: RunOptions(requestSample: 3))
        #expect(result.summary.requests.arrived == 3993)
        #expect(result.brokenInvariant == nil)
        #expect(abs(result.requests[0].arrival) < 1e-9 && result.requests[0].promptTokens == 40160)
        #expect { try Scenario.parse(yaml: yaml.replacingOccurrences(of: Self.mooncake, with: "/missing.jsonl")) } throws: {
            "\($0)".contains("workload.trace.file") && "\($0)".contains("cannot read")
        }
        #expect { try Scenario.parse(yaml: yaml.replacingOccurrences(of: "time_scale: 2", with: "time_scale: 2\n    arrivals: x")) } throws: {
            "\($0)".contains("unknown key `arrivals`")
        }
    }
}

@Suite("Trace fitting")
struct TraceFitTests {
    @Test("an MMPP fit recovers the rates and dwell times of a synthetic two-state MMPP")
    func recoversMMPP() throws {
        let truth = ArrivalProcess.mmpp(states: [MMPPState(rate: 1, meanDwell: .seconds(300)), MMPPState(rate: 10, meanDwell: .seconds(60))])
        var generator = SyntheticWorkload(WorkloadSpec(arrivals: truth, promptTokens: try Distribution(.lognormal(median: 500, sigma: 0.5)),
                                                       outputTokens: .constant(50)), seed: 4)
        var text = "time,prompt,output\n"
        // A day: ~240 low/high cycles. (With 8 hours, one seed in six missed the 30 % dwell bound.)
        while let request = generator.next(), request.arrival.seconds < 24 * 3600 {
            text += "\(request.arrival.seconds),\(request.promptTokens),\(request.outputTokens)\n"
        }
        // A BurstGPT-shaped header so the format is detected.
        let path = try TraceTests.write(text.replacingOccurrences(of: "time,prompt,output", with: "Timestamp,Model,Request tokens,Response tokens")
            .split(separator: "\n").enumerated().map { $0.offset == 0 ? String($0.element) + ",Total tokens,Log Type"
                : { let f = $0.split(separator: ","); return "\(f[0]),m,\(f[1]),\(f[2]),0,x" }($0.element) }
            .joined(separator: "\n") + "\n")
        let fit = try TraceFit(file: path, model: .mmpp, states: 2, bin: .seconds(10))
        guard case let .mmpp(states) = fit.arrivals else { Issue.record("not an MMPP"); return }
        #expect(abs(states[0].rate / 1 - 1) < 0.15, "low rate \(states[0].rate)")
        #expect(abs(states[1].rate / 10 - 1) < 0.1, "high rate \(states[1].rate)")
        #expect(abs(states[0].meanDwell.seconds / 300 - 1) < 0.3, "low dwell \(states[0].meanDwell)")
        #expect(abs(states[1].meanDwell.seconds / 60 - 1) < 0.3, "high dwell \(states[1].meanDwell)")
        guard case let .lognormal(median, sigma) = fit.promptTokens.shape else { Issue.record("not lognormal"); return }
        #expect(abs(median / 500 - 1) < 0.02 && abs(sigma / 0.5 - 1) < 0.05)
        #expect(abs(fit.fitted.meanRate / fit.trace.meanRate - 1) < 0.1)
        // Coarse bins straddle state switches and pull the rates together; the bin chosen from the
        // data (about ten arrivals a bin) is finer and closer.
        let auto = try TraceFit(file: path, model: .mmpp, states: 2)
        guard case let .mmpp(fine) = auto.arrivals else { Issue.record("not an MMPP"); return }
        #expect(try #require(auto.goodness.bin) < .seconds(10))
        #expect(abs(fine[0].rate / 1 - 1) < 0.05 && abs(fine[1].rate / 10 - 1) < 0.05, "\(fine)")
        #expect(abs(fine[0].meanDwell.seconds / 300 - 1) < 0.2 && abs(fine[1].meanDwell.seconds / 60 - 1) < 0.2, "\(fine)")
    }

    @Test("a gamma fit reads the gaps' mean and CV")
    func gamma() throws {
        let path = try TraceTests.write("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
                                        + "0,m,10,1,0,x\n1,m,10,1,0,x\n3,m,10,1,0,x\n4,m,10,1,0,x\n6,m,10,1,0,x\n")
        let fit = try TraceFit(file: path, model: .gamma)
        // Gaps 1, 2, 1, 2: mean 1.5, sample sd 0.5774.
        guard case let .gamma(rate, cv) = fit.arrivals else { Issue.record("not gamma"); return }
        #expect(abs(rate - 1 / 1.5) < 1e-9)
        #expect(abs(cv - 0.57735 / 1.5) < 1e-4)
    }
}
