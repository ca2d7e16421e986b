import Foundation
import GRDB
import Testing
@testable import HeadroomStore

/// The `headroom` binary against real files: a sweep killed with SIGKILL resumes with every run
/// stored exactly once, and two processes write to one database.
@Suite("Processes and the store")
struct ProcessTests {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/debug/headroom").standardized.path

    /// Starts the binary; `environment` is laid over this process's (a nil value removes a variable).
    static func launch(_ arguments: [String], errors: URL? = nil, environment: [String: String?] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = overlaid(environment) }
        process.standardOutput = FileHandle.nullDevice
        if let errors {
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errors)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// This process's environment with `changes` laid over it (a nil value removes a variable).
    static func overlaid(_ changes: [String: String?]) -> [String: String] {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in changes { merged[key] = value }
        return merged
    }

    /// A handle writing to a fresh file at `url`.
    static func launchErrors(_ url: URL) throws -> FileHandle {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return try FileHandle(forWritingTo: url)
    }

    @Test("a sweep killed with SIGKILL mid-way resumes and stores every run exactly once")
    func killAndResume() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build the headroom binary first (make test does)")
        let sweep = try SweepTests.sweepFile()
        let db = RunStoreTests.temporaryPath("killed")
        defer { try? FileManager.default.removeItem(atPath: db) }
        let first = try Self.launch(["sweep", sweep, "--db", db, "--jobs", "2"])
        // Wait until some runs are stored, then kill without warning.
        let deadline = Date().addingTimeInterval(120)
        var stored = 0
        while Date() < deadline && first.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
            stored = (try? DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runs") ?? 0 }) ?? 0
            if stored >= 3 { break }
        }
        if first.isRunning { kill(first.processIdentifier, SIGKILL) }
        first.waitUntilExit()
        let second = try Self.launch(["sweep", sweep, "--db", db, "--jobs", "2", "--resume"])
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let store = try RunStore(path: db)
        let runs = try store.runs(limit: 1000)
        #expect(runs.count == 12)
        #expect(Set(runs.map { "\($0.variant)#\($0.seed)" }).count == 12)
        #expect(try store.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM run_summaries") } == 12)
    }

    @Test("two processes storing runs into one database at once both land")
    func twoProcesses() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary))
        let folder = URL(fileURLWithPath: try SweepTests.sweepFile()).deletingLastPathComponent()
        let scenario = folder.appendingPathComponent("base.yaml").path
        let db = RunStoreTests.temporaryPath("shared")
        defer { try? FileManager.default.removeItem(atPath: db) }
        let logs = (1...4).map { folder.appendingPathComponent("stderr-\($0).txt") }
        let processes = try (1...4).map { seed in try Self.launch(["run", scenario, "--db", db, "--seed", "\(seed)"], errors: logs[seed - 1]) }
        for process in processes { process.waitUntilExit() }
        let errors = logs.compactMap { try? String(contentsOf: $0, encoding: .utf8) }.filter { !$0.hasPrefix("stored as run") }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "\(errors)")
        #expect(try RunStore(path: db).runs().count == 4)
    }
}
