import Foundation
import GRDB
import Testing
@testable import HeadroomStore

/// `headroom tune` as a process: killed with SIGKILL it resumes to the answer an uninterrupted
/// tune gives, every run stored once; bad arguments are answered with the forms allowed.
@Suite("CLI: tune")
struct TuneCLITests {
    static func fleetFile() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-tune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("fleet.yaml").path
        try TuneTests.fleet.replacingOccurrences(of: "duration: 2m", with: "duration: 10m").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let arguments = ["--param", "policy.replicas=1..12", "--constraint", "slo.both >= 0.99", "--constraint", "dropped == 0",
                            "--budget", "30", "--jobs", "2"]

    @Test("a tune killed with SIGKILL resumes to the same answer, every run stored once")
    func killAndResume() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary), "build the headroom binary first")
        let file = try Self.fleetFile()
        let (killed, clean) = (RunStoreTests.temporaryPath("tune-killed"), RunStoreTests.temporaryPath("tune-clean"))
        defer { for db in [killed, clean] { try? FileManager.default.removeItem(atPath: db) } }
        let first = try ProcessTests.launch(["tune", file, "--db", killed] + Self.arguments)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && first.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
            let stored = (try? DatabaseQueue(path: killed).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runs") ?? 0 }) ?? 0
            if stored >= 3 { break }
        }
        #expect(first.isRunning, "the tune finished before it could be killed")
        if first.isRunning { kill(first.processIdentifier, SIGKILL) }
        first.waitUntilExit()
        let refused = try ProcessTests.capture(["tune", file, "--db", killed] + Self.arguments)
        #expect(refused.status == 1 && refused.err.contains("--resume"))
        let resumed = try ProcessTests.capture(["tune", file, "--db", killed, "--resume"] + Self.arguments)
        let fresh = try ProcessTests.capture(["tune", file, "--db", clean] + Self.arguments)
        #expect(resumed.status == 0 && fresh.status == 0, "\(resumed.err)\(fresh.err)")
        #expect(resumed.out.contains("reused from the store"))
        func answer(_ out: String) -> String { out.components(separatedBy: "\n").filter { !$0.hasPrefix("tune ") && !$0.contains("stored as") }.joined(separator: "\n") }
        #expect(answer(resumed.out) == answer(fresh.out))
        #expect(resumed.out.contains("replicas: 3"))
        for db in [killed, clean] {
            let keys = try DatabaseQueue(path: db).read { try String.fetchAll($0, sql: "SELECT run_key FROM runs") }
            #expect(Set(keys).count == keys.count && keys.count <= 30)
        }
    }

    @Test("bad --param and --constraint strings are usage errors that list the allowed forms")
    func badArguments() throws {
        let file = try Self.fleetFile()
        let param = try ProcessTests.capture(["tune", file, "--param", "policy.replicas=many", "--db", RunStoreTests.temporaryPath()])
        #expect(param.status == 64 && param.err.contains("LOW..HIGH:log") && param.err.contains("a|b|c"), "\(param.err)")
        let constraint = try ProcessTests.capture(["tune", file, "--param", "policy.replicas=1..4", "--constraint", "slo >= 0.99",
                                                   "--db", RunStoreTests.temporaryPath()])
        #expect(constraint.status == 64 && constraint.err.contains("METRIC OP VALUE") && constraint.err.contains("slo_both"), "\(constraint.err)")
        let path = try ProcessTests.capture(["tune", file, "--param", "policy.replicaz=1..4", "--db", RunStoreTests.temporaryPath()])
        #expect(path.status == 1 && path.err.contains("replicaz"), "\(path.err)")
    }
}
