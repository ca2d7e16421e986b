import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Paths that are not readable regular files, given to every loader, and the trace rows a run
/// could not use: each ends in an error naming the path, or is counted where the results are.
@Suite("Input paths and lost rows")
struct TraceInputTests {
    @Test("every loader refuses a directory, a FIFO, a missing, dangling or unreadable path with its name; none traps or blocks",
          arguments: FuzzTarget.PathKind.allCases.filter { $0 != .regular })
    func pathKinds(kind: FuzzTarget.PathKind) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-path-\(UUID().uuidString)").path
        try #require(kind.make(at: path, contents: Data("x\n".utf8)))
        defer { FuzzTarget.PathKind.remove(path) }
        // Root reads a mode-000 file: nothing to refuse there.
        if kind == .unreadable && getuid() == 0 { return }
        let expected: String = switch kind {
        // Scenario and sweep loaders add "a YAML file" and the YAML files inside.
        case .directory, .linkToDirectory: "is a directory, not a"
        case .fifo: "is a FIFO (named pipe), not a regular file"
        case .unreadable: "permission denied"
        case .missing, .danglingLink, .underAFile: "no such file"
        case .regular: ""
        }
        for loader in FuzzTarget.PathLoader.allCases {
            let message = try #require(loader.load(kind.target(path)), "\(loader) accepted a \(kind)")
            #expect(message.contains(kind.target(path)) && message.contains(expected), "\(loader), \(kind): \(message)")
            #expect(!message.contains("NSCocoaErrorDomain") && !message.contains("Error Domain"), "\(loader): \(message)")
        }
    }

    @Test("the path fuzz target's seeds (every kind × loader) run to an end")
    func pathFuzzTarget() {
        for kind in FuzzTarget.PathKind.allCases.indices {
            for loader in FuzzTarget.PathLoader.allCases.indices {
                FuzzTarget.path.run(Data([UInt8(kind), UInt8(loader)] + Array("time,prompt_tokens,output_tokens\n0,1,1\n".utf8)))
            }
        }
    }

    @Test("trace synth's header is detected: the CSV it writes is read back without `columns:`")
    func synthHeader() throws {
        let path = try TraceTests.write(TraceReader.synthHeader + "\n0.5,100,10\n1.25,200,20\n")
        let (reader, rows) = try TraceTests.readAll(path)
        #expect(reader.format == .csv)
        #expect(rows == [TraceRecord(time: 0, promptTokens: 100, outputTokens: 10), TraceRecord(time: 0.75, promptTokens: 200, outputTokens: 20)])
        let stats = try TraceStatistics(file: path)
        #expect(stats.requests == 2 && stats.spanSeconds == 0.75)
    }

    @Test("`columns:` alone means a generic CSV; with a fixed-column format it is refused by name")
    func columnsImplyCSV() throws {
        let path = try TraceTests.write("id,gap,arrival,prompt,output\n0,0.1,0.1,100,20\n1,0.2,0.3,120,30\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = try TraceSpec.parse(option: "{file: \(path), columns: {time: arrival, prompt: prompt, output: output}}")
        #expect(spec.format == .csv)
        let (_, rows) = try TraceTests.readAll(path, format: spec.format, columns: spec.columns)
        #expect(rows.map(\.promptTokens) == [100, 120])
        #expect { try TraceSpec.parse(option: "{file: \(path), format: azure, columns: {time: arrival, prompt: prompt, output: output}}") } throws: {
            "\($0)".contains("trace.columns: `columns:` names the fields of a generic CSV (`format: csv`); the azure format has fixed columns")
        }
    }

    @Test("a run on a trace with bad rows and a truncated last line reports how many, where and why")
    func runReportsSkippedRows() throws {
        let path = try TraceTests.write(TraceReader.synthHeader + "\n0,100,10\n1,abc,10\n2,100,10\noops\n3,100,10\n4,100,")
        var scenario = TestScenario.make(duration: .seconds(30))
        scenario.workload = WorkloadSpec(trace: TraceSpec(file: path))
        let losses = Simulation.run(scenario).summary.inputLosses
        #expect(losses.traceRowsSkipped == 3)
        #expect(losses.examples == ["\(path):3: token counts must be numbers", "\(path):5: expected 3 fields, found 1",
                                    "\(path):7: truncated last line (token counts must be numbers)"])
        #expect(losses.readError == nil && losses.headline?.hasPrefix("3 unreadable trace rows skipped") == true)
        // A loop re-reads the rows: counted once.
        var looped = scenario.workload.trace!
        looped.loop = true
        scenario.workload = WorkloadSpec(trace: looped)
        #expect(Simulation.run(scenario).summary.inputLosses.traceRowsSkipped == 3)
        // A synthetic workload loses nothing.
        #expect(Simulation.run(TestScenario.make(duration: .seconds(10))).summary.inputLosses.isEmpty)
    }

    @Test("a trace removed after loading is a reported loss, not an empty run")
    func unreadableAtRunTime() throws {
        let path = try TraceTests.write(TraceReader.synthHeader + "\n0,100,10\n")
        var scenario = TestScenario.make(duration: .seconds(10))
        scenario.workload = WorkloadSpec(trace: TraceSpec(file: path))
        try FileManager.default.removeItem(atPath: path)
        let losses = Simulation.run(scenario).summary.inputLosses
        #expect(losses.readError == "\(path): cannot read the file (no such file)")
    }

    @Test("a row decades after the others: statistics without a per-second array, a too-fine fit bin refused")
    func farTimestamp() throws {
        let path = try TraceTests.write(TraceReader.synthHeader + "\n0,1,1\n1,1,1\n900000000,1,1\n")
        let stats = try TraceStatistics(file: path)
        #expect(stats.requests == 3 && stats.spanSeconds == 9e8 && stats.longestGapSeconds == 899_999_999)
        #expect { _ = try TraceFit(file: path, bin: .seconds(1)) } throws: { "\($0)".contains("too fine for this trace") }
    }

    @Test("busy-second counts give the per-second array's peaks, window percentiles and profile")
    func busySecondsMatchDense() {
        var random = RandomStream(seed: 9, name: "busy")
        for _ in 0..<20 {
            var dense: [Int] = [], sparse = BusySeconds()
            var second = 0
            for _ in 0..<Int(random.nextUnit() * 400) + 1 {
                second += random.nextUnit() < 0.3 ? Int(random.nextUnit() * 40) : 0
                if second >= dense.count { dense += Array(repeating: 0, count: second - dense.count + 1) }
                dense[second] += 1
                sparse.add(second)
            }
            #expect(sparse.count == dense.count)
            for width in [1, 10, 60] {
                var best = 0, window = 0
                for (index, count) in dense.enumerated() {
                    window += count
                    if index >= width { window -= dense[index - width] }
                    best = max(best, window)
                }
                #expect(sparse.busiest(width) == best)
            }
            let windows = stride(from: 0, to: dense.count, by: 10).map { Double(dense[$0..<min($0 + 10, dense.count)].reduce(0, +)) / 10 }.sorted()
            for p in [0.5, 0.9, 0.99] {
                #expect(sparse.windowRatePercentile(p, width: 10) == windows[min(windows.count - 1, Int(p * Double(windows.count)))])
            }
            for low in stride(from: 0, to: dense.count, by: 7) {
                let high = min(dense.count, low + 13)
                #expect(sparse.arrivals(in: low..<high) == dense[low..<high].reduce(0, +))
            }
        }
    }
}
