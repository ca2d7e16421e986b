import Foundation
import Testing
@testable import HeadroomStore

/// The store as a user meets it from the command line: running again stores again, processes
/// sharing a store all succeed, read commands work on a store they cannot write and create
/// nothing where there is no store, and `runs show` reads like the run summary.
@Suite("Command line and the store")
struct CLIStoreTests {
    /// A fresh folder with the small test scenario (base.yaml) and a 12-run sweep of it (sweep.yaml).
    static func folder() throws -> URL {
        URL(fileURLWithPath: try SweepTests.sweepFile()).deletingLastPathComponent()
    }

    static func runIDs(_ db: String) throws -> [Int] {
        let (status, out, err) = try CLITests.capture(["runs", "list", "--json", "--db", db])
        #expect(status == 0, "\(err)")
        let objects = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
        return objects.compactMap { $0["id"] as? Int }.sorted()
    }

    static let readCommands: [[String]] = [
        ["runs", "list"], ["runs", "show", "1"], ["compare", "--runs", "1"],
        ["report", "--run", "1", "-o", "REPORT"], ["export", "--run", "1", "-o", "EXPORT"],
    ]

    /// A read command's arguments with its outputs placed in `outputs`.
    static func arguments(_ command: [String], db: String, outputs: URL) -> [String] {
        command.map { $0 == "REPORT" ? outputs.appendingPathComponent("r.html").path : $0 == "EXPORT" ? outputs.appendingPathComponent("x").path : $0 }
            + ["--db", db]
    }

    @Test("the same scenario run twice into one store: both exit 0 and both are stored")
    func runTwice() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = folder.appendingPathComponent("base.yaml").path, db = folder.appendingPathComponent("h.sqlite").path
        for expected in 1...2 {
            let run = try CLITests.capture(["run", scenario, "--db", db])
            #expect(run.status == 0 && run.err.contains("stored as run \(expected) in \(db)"), "\(run.err)")
            #expect(!run.err.contains("SQLite"))
        }
        #expect(try Self.runIDs(db) == [1, 2])
    }

    @Test("two `headroom run` processes of one scenario and seed on one fresh store both succeed")
    func concurrentRuns() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = folder.appendingPathComponent("base.yaml").path, db = folder.appendingPathComponent("h.sqlite").path
        let logs = (1...2).map { folder.appendingPathComponent("err-\($0).txt") }
        let processes = try logs.map { try ProcessTests.launch(["run", scenario, "--db", db], errors: $0) }
        for process in processes { process.waitUntilExit() }
        let errors = logs.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "\(errors)")
        #expect(try Self.runIDs(db) == [1, 2])
    }

    @Test("a sweep file copied under a new name runs fully; --resume skips only that sweep's runs")
    func copiedSweep() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = folder.appendingPathComponent("sweep.yaml").path, copy = folder.appendingPathComponent("sweep-copy.yaml").path
        try String(contentsOfFile: original, encoding: .utf8).replacingOccurrences(of: "name: test-sweep", with: "name: test-sweep-copy")
            .write(toFile: copy, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("h.sqlite").path
        let first = try CLITests.capture(["sweep", original, "--db", db, "--jobs", "2"])
        #expect(first.status == 0 && first.out.contains("sweep test-sweep: 12 runs stored ("), "\(first.out) \(first.err)")
        let copied = try CLITests.capture(["sweep", copy, "--db", db, "--jobs", "2"])
        #expect(copied.status == 0 && copied.out.contains("sweep test-sweep-copy: 12 runs stored ("), "\(copied.out) \(copied.err)")
        let resumed = try CLITests.capture(["sweep", original, "--db", db, "--resume"])
        #expect(resumed.status == 0 && resumed.out.contains("0 runs stored, 12 already stored"), "\(resumed.out) \(resumed.err)")
        let again = try CLITests.capture(["sweep", copy, "--db", db])
        #expect(again.status == 1 && again.err.contains("--resume") && !again.err.contains("SQLite"), "\(again.err)")
        #expect(try Self.runIDs(db).count == 24)
    }

    @Test("two `sweep --resume` processes of one sweep on one store both succeed and store each job once")
    func concurrentSweeps() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sweep = folder.appendingPathComponent("sweep.yaml").path, db = folder.appendingPathComponent("h.sqlite").path
        let logs = (1...2).map { folder.appendingPathComponent("err-\($0).txt") }
        let processes = try logs.map { try ProcessTests.launch(["sweep", sweep, "--db", db, "--resume", "--jobs", "2"], errors: $0) }
        for process in processes { process.waitUntilExit() }
        let errors = logs.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "\(errors)")
        #expect(try Self.runIDs(db).count == 12)
    }

    @Test("merge: runs from two stores land; merging again reports them as already present; a missing input creates nothing")
    func mergeTwice() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = folder.appendingPathComponent("base.yaml").path
        let inputs = ["a", "b"].map { folder.appendingPathComponent("\($0).sqlite").path }
        for input in inputs { #expect(try CLITests.capture(["run", scenario, "--db", input]).status == 0) }
        let all = folder.appendingPathComponent("all.sqlite").path
        let first = try CLITests.capture(["merge", all] + inputs)
        #expect(first.status == 0 && first.out == "merged 2 runs into \(all)\n", "\(first.out) \(first.err)")
        let second = try CLITests.capture(["merge", all] + inputs)
        #expect(second.status == 0 && second.out == "merged 0 runs into \(all) (2 already present)\n", "\(second.out) \(second.err)")
        #expect(try Self.runIDs(all) == [1, 2])
        let fresh = folder.appendingPathComponent("fresh.sqlite").path
        let missing = try CLITests.capture(["merge", fresh, inputs[0], folder.appendingPathComponent("typo.sqlite").path])
        #expect(missing.status == 1 && missing.err.contains("typo.sqlite: no such file") && !FileManager.default.fileExists(atPath: fresh))
    }

    @Test("read commands work on a read-only store and change none of its bytes")
    func readOnlyStore() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        let storeFolder = folder.appendingPathComponent("colleague")
        try FileManager.default.createDirectory(at: storeFolder, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: storeFolder.path)
            try? FileManager.default.removeItem(at: folder)
        }
        let db = storeFolder.appendingPathComponent("team.sqlite").path
        #expect(try CLITests.capture(["run", folder.appendingPathComponent("base.yaml").path, "--db", db]).status == 0)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: db)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: storeFolder.path)
        let before = try ReadOnlyStoreTests.fingerprint(db)
        for command in Self.readCommands {
            let (status, _, err) = try CLITests.capture(Self.arguments(command, db: db, outputs: folder))
            #expect(status == 0, "\(command): \(err)")
        }
        let after = try ReadOnlyStoreTests.fingerprint(db)
        #expect(before.0 == after.0 && before.1 == after.1, "a read command changed the store")

        // As root, chmod denies nothing: where setpriv exists, read (and try to write) as nobody too.
        let setpriv = "/usr/bin/setpriv"
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: setpriv) else { return }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", ProcessTests.binary]
        // Where nobody cannot run the binary at all (its path or libraries unreadable), there is nothing to check.
        guard try Self.capture(setpriv, asNobody + ["--help"]).status == 0 else { return }
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-nobody-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: outputs.path)
        defer { try? FileManager.default.removeItem(at: outputs) }
        for command in Self.readCommands {
            let (status, _, err) = try Self.capture(setpriv, asNobody + Self.arguments(command, db: db, outputs: outputs))
            #expect(status == 0, "as nobody, \(command): \(err)")
        }
        let write = try Self.capture(setpriv, asNobody + ["run", folder.appendingPathComponent("base.yaml").path, "--db", db])
        #expect(write.status == 1 && write.err.contains("\(db): could not open the store: the store cannot be written"), "\(write.err)")
        #expect(!write.err.contains("SQLite error") && !write.err.contains("INSERT"))
        #expect(try ReadOnlyStoreTests.fingerprint(db).0 == before.0)
    }

    @Test("a read command given a store that does not exist says so, exits 1 and creates nothing")
    func missingStore() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("typo.sqlite").path
        let outputs = folder.appendingPathComponent("out")
        for command in Self.readCommands {
            let (status, _, err) = try CLITests.capture(Self.arguments(command, db: db, outputs: outputs))
            #expect(status == 1, "\(command)")
            #expect(err.hasPrefix("error: \(db): no such run store") && err.contains("headroom run"), "\(command): \(err)")
            #expect(!FileManager.default.fileExists(atPath: db), "\(command) created the store")
            #expect(!FileManager.default.fileExists(atPath: outputs.path), "\(command) wrote output")
        }
    }

    @Test("`runs show` prints the run summary as `headroom run` did: units, rounding, no raw floats")
    func runsShowReadsLikeTheSummary() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("h.sqlite").path
        let run = try CLITests.capture(["run", folder.appendingPathComponent("base.yaml").path, "--db", db,
                                        "--duration", "6m", "--sample-requests", "1200"])
        #expect(run.status == 0)
        let show = try CLITests.capture(["runs", "show", "1", "--db", db])
        #expect(show.status == 0, "\(show.err)")
        // Everything after the first line (which carries the wall time) is the same table.
        let summary = run.out.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(summary.contains("Latency") && summary.contains(" ms") && summary.contains(" %"))
        #expect(show.out.contains(summary), "runs show:\n\(show.out)\nrun:\n\(run.out)")
        #expect(show.out.hasPrefix("run 1 · variant fixed · policy fixed · seed 3 · stored "))
        #expect(show.out.contains("\nStored     ") && show.out.contains("series points") && show.out.contains(" 1,200 sampled requests"),
                "\(show.out)")
        #expect(show.out.range(of: #"\d\.\d{5,}"#, options: .regularExpression) == nil, "raw floats: \(show.out)")
    }

    /// Runs `executable` with `arguments`, capturing stdout and stderr.
    static func capture(_ executable: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let run = try ProcessTests.capture(arguments, executable: executable)
        return (run.status, run.out, run.err)
    }
}
