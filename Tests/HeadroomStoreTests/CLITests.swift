import Foundation
import GRDB
import Testing
@testable import HeadroomStore

/// The command line as a script sees it: help with examples everywhere, exit codes as
/// documented, no colour in pipes, JSON that parses, completion scripts that load.
@Suite("Command line conventions")
struct CLITests {
    static let commands = [
        ["run"], ["sweep"], ["compare"], ["runs", "list"], ["runs", "show"], ["report"], ["export"], ["merge"], ["trace", "stats"],
        ["trace", "fit"], ["trace", "synth"], ["policy", "replay"], ["calibrate"], ["profile", "show"], ["profile", "compare"], ["profile", "list"], ["profile", "fidelity"],
        ["validate-profile"], ["bench"],
    ]

    /// Runs the binary with stdout and stderr going to files (pipes, not a terminal).
    static func capture(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let run = try ProcessTests.capture(arguments)
        return (run.status, run.out, run.err)
    }

    @Test("every command's help has an example and no colour codes")
    func helpHasExamples() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first (make test does)")
        for command in Self.commands {
            let (status, out, _) = try Self.capture(command + ["--help"])
            #expect(status == 0, "\(command)")
            #expect(out.contains("Example:"), "`headroom \(command.joined(separator: " ")) --help` has no example")
            #expect(!out.contains("\u{1B}["), "\(command): colour codes in a pipe")
        }
        let (_, root, _) = try Self.capture(["--help"])
        for code in ["0 ", "1 ", "64 ", "130 "] { #expect(root.contains("\n  \(code)"), "exit code \(code)undocumented") }
    }

    @Test("exit codes: 64 for bad usage, 1 for bad input naming the place, 0 for success")
    func exitCodes() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let usage = try Self.capture(["run", "scenarios/quickstart.yaml", "--no-such-flag"])
        #expect(usage.status == 64)
        let format = try Self.capture(["export", "--run", "1", "--format", "xlsx", "-o", "/tmp/x"])
        #expect(format.status == 64 && format.err.contains("csv"), "the allowed formats are named: \(format.err)")
        let missing = try Self.capture(["run", "no-such-scenario.yaml", "--no-store"])
        #expect(missing.status == 1 && missing.err.hasPrefix("error: ") && missing.err.contains("no-such-scenario.yaml"))
        let db = RunStoreTests.temporaryPath("cli")
        defer { try? FileManager.default.removeItem(atPath: db) }
        let run = try Self.capture(["run", "scenarios/quickstart.yaml", "--duration", "2m", "--db", db])
        #expect(run.status == 0)
        let unknownRun = try Self.capture(["report", "--run", "42", "-o", "/tmp/never.html", "--db", db])
        #expect(unknownRun.status == 1 && unknownRun.err.contains("no run with id 42"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never.html"))
    }

    @Test("--json prints JSON that parses, with no colour, from every command that has it")
    func jsonOutputs() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let db = RunStoreTests.temporaryPath("cli-json")
        defer { try? FileManager.default.removeItem(atPath: db) }
        let run = try Self.capture(["run", "scenarios/quickstart.yaml", "--duration", "2m", "--db", db, "--json"])
        #expect(run.status == 0)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-cli-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for arguments in [["runs", "list", "--db", db, "--json"], ["runs", "show", "1", "--db", db, "--json"],
                          ["compare", "--runs", "1", "--db", db, "--json"], ["export", "--run", "1", "-o", folder, "--db", db, "--json"]] {
            let (status, out, err) = try Self.capture(arguments)
            #expect(status == 0, "\(arguments): \(err)")
            #expect(!out.contains("\u{1B}["))
            #expect((try? JSONSerialization.jsonObject(with: Data(out.utf8))) != nil, "\(arguments) printed: \(out.prefix(200))")
        }
        #expect(!run.out.contains("\u{1B}["))
    }

    @Test("completion scripts generate for bash, zsh and fish; bash's parses")
    func completions() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        for shell in ["bash", "zsh", "fish"] {
            let (status, out, _) = try Self.capture(["--generate-completion-script", shell])
            #expect(status == 0 && out.contains("report") && out.contains("export"), "\(shell)")
            if shell == "bash" {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-completion-\(UUID().uuidString).bash")
                defer { try? FileManager.default.removeItem(at: file) }
                try out.write(to: file, atomically: true, encoding: .utf8)
                let check = Process()
                check.executableURL = URL(fileURLWithPath: "/bin/bash")
                check.arguments = ["-n", file.path]
                try check.run()
                check.waitUntilExit()
                #expect(check.terminationStatus == 0)
            }
        }
    }
}
