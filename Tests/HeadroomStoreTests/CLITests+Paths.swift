import Foundation
import GRDB
import HeadroomTestSupport
import Testing
@testable import HeadroomStore

/// Every command that takes a file, given a directory, a FIFO, a missing or an unreadable path:
/// exit 1 with a sentence naming the path, within seconds (a FIFO must not block), never a trap
/// (exit 132/134) or NSError text. And what `trace synth` writes, the other trace commands read.
@Suite("Command line: paths that are not files, and lost input")
struct CLIPathTests {
    /// Runs the binary, killing it after `timeout` seconds (a hang is a failure, not a stuck suite).
    static func capture(_ arguments: [String], timeout: Double = 30) throws -> (status: Int32, out: String, err: String, hung: Bool) {
        try ProcessTests.capture(arguments, timeout: timeout)
    }

    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("headroom-cli-\(UUID().uuidString)-\(name)").path
    }

    /// A scenario replaying `trace` (the quickstart with its workload swapped).
    static func traceScenario(_ trace: String) throws -> String {
        var text = try String(contentsOfFile: "scenarios/quickstart.yaml", encoding: .utf8)
        let start = try #require(text.range(of: "workload:")), end = try #require(text.range(of: "model:"))
        text.replaceSubrange(start.lowerBound..<end.lowerBound, with: "workload:\n  trace: {file: \"\(trace)\"}\n")
        let path = scratch("trace.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("each command that takes a file refuses a directory, a FIFO, a missing and an unreadable path",
          arguments: [FuzzTarget.PathKind.directory, .fifo, .missing, .unreadable, .danglingLink])
    func commandsRefusePaths(kind: FuzzTarget.PathKind) throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        if kind == .unreadable && getuid() == 0 { return }
        let path = Self.scratch("input")
        try #require(kind.make(at: path, contents: Data("x\n".utf8)))
        defer { FuzzTarget.PathKind.remove(path) }
        let traceScenario = try Self.traceScenario(path)
        defer { try? FileManager.default.removeItem(atPath: traceScenario) }
        let out = Self.scratch("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let commands: [[String]] = [
            ["trace", "stats", path], ["trace", "fit", path], ["trace", "synth", path, "-o", out],
            ["run", path, "--no-store"], ["run", traceScenario, "--no-store"], ["sweep", path, "--db", out],
            ["profile", "show", path], ["validate-profile", path],
            ["calibrate", "--backend", "cuda", "--input", path, "-o", out],
            ["policy", "replay", "--policy", "scenarios/quickstart.yaml", "--metrics", path],
            ["policy", "replay", "--policy", path, "--metrics", "notebooks-data/example-metrics.csv"],
        ]
        for command in commands {
            let result = try Self.capture(command)
            let line = "headroom \(command.joined(separator: " ")): \(result.err)"
            #expect(!result.hung, "hung: \(line)")
            #expect(result.status == 1, "exit \(result.status): \(line)")
            #expect(result.err.contains(path), "the path is not named: \(line)")
            #expect(!result.err.contains("Error Domain") && !result.err.contains("Fatal error"), "\(line)")
        }
    }

    @Test("trace synth → trace stats, trace fit and a run replaying it")
    func synthRoundTrip() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let csv = Self.scratch("synth.csv")
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let synth = try Self.capture(["trace", "synth", "scenarios/quickstart.yaml", "-o", csv])
        #expect(synth.status == 0, "\(synth.err)")
        let count = try #require(Int(synth.out.split(separator: " ")[1]))
        let stats = try Self.capture(["trace", "stats", csv, "--json"])
        #expect(stats.status == 0, "\(stats.err)")
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(stats.out.utf8)) as? [String: Any])
        #expect(parsed["requests"] as? Int == count)
        // Seconds, as written: the quickstart's hour.
        #expect(abs((parsed["span_seconds"] as? Double ?? 0) - 3600) < 10)
        let fit = try Self.capture(["trace", "fit", csv])
        #expect(fit.status == 0 && fit.out.contains("process: mmpp") && fit.out.contains("log-likelihood"), "\(fit.out)\(fit.err)")
        let scenario = try Self.traceScenario(csv)
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        let run = try Self.capture(["run", scenario, "--no-store", "--duration", "2m", "--json"])
        #expect(run.status == 0, "\(run.err)")
        let summary = try #require((try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])?["summary"] as? [String: Any])
        #expect(((summary["requests"] as? [String: Any])?["arrived"] as? Int ?? 0) > 500)
        #expect((summary["input_losses"] as? [String: Any])?["trace_rows_skipped"] as? Int == 0)
    }

    @Test("a run on a trace that lost rows says so on stderr, in the summary, --json and the store")
    func lostRowsReported() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let csv = Self.scratch("bad.csv")
        try "time,prompt_tokens,output_tokens\n0,100,10\n1,abc,10\n2,100,10\n3,100,".write(toFile: csv, atomically: true, encoding: .utf8)
        let scenario = try Self.traceScenario(csv)
        let db = RunStoreTests.temporaryPath("lost-rows")
        defer { for path in [csv, scenario, db] { try? FileManager.default.removeItem(atPath: path) } }
        let run = try Self.capture(["run", scenario, "--duration", "1m", "--db", db])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.err.contains("warning: 2 unreadable trace rows skipped") && run.err.contains("\(csv):3: token counts must be numbers")
                && run.err.contains("\(csv):5: truncated last line"), "\(run.err)")
        #expect(run.out.contains("Input lost 2 unreadable trace rows skipped"), "\(run.out)")
        let json = try Self.capture(["run", scenario, "--duration", "1m", "--no-store", "--json"])
        #expect(json.out.contains("\"trace_rows_skipped\" : 2"))
        let store = try DatabaseQueue(path: db)
        let (skipped, messages) = try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT input_rows_skipped FROM run_summaries"),
             try String.fetchAll(db, sql: "SELECT message FROM input_losses ORDER BY position"))
        }
        #expect(skipped == 2 && messages.count == 2, "\(messages)")
        let show = try Self.capture(["runs", "show", "1", "--db", db])
        #expect(show.status == 0 && show.out.contains("Input lost 2 unreadable trace rows skipped"), "\(show.out)\(show.err)")
        let compare = try Self.capture(["compare", "--runs", "1", "--db", db])
        #expect(compare.err.contains("run 1 skipped unreadable trace rows"), "\(compare.err)")
    }
}
