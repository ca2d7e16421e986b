import Foundation
import Testing

@testable import HeadroomStore

/// `headroom run --set PATH=VALUE`, as `bench` and sweeps apply overrides: the result equals the
/// dedicated flags', the stored run keeps the overridden scenario, and a bad override is named.
extension CLITests {
    @Test("run --set overrides a scenario's values as --seed and --duration do, is stored with the run, and names a bad path")
    func runOverrides() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let scenario = "scenarios/quickstart.yaml"
        let flags = try Self.capture(["run", scenario, "--duration", "2m", "--seed", "3", "--no-store", "--json"])
        let set = try Self.capture(["run", scenario, "--set", "duration=2m", "--set", "seed=3", "--no-store", "--json"])
        #expect(flags.status == 0 && set.status == 0, "\(flags.err) \(set.err)")
        #expect(set.out == flags.out)
        #expect(set.out.contains("\"duration_seconds\" : 120"), "\(set.out.prefix(300))")

        let db = RunStoreTests.temporaryPath("cli-run-set")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) } }
        let stored = try Self.capture(["run", scenario, "--set", "duration=2m", "--set", "seed=3", "--db", db])
        #expect(stored.status == 0, "\(stored.err)")
        let show = try Self.capture(["runs", "show", "1", "--db", db])
        #expect(show.out.contains("quickstart — seed 3, 2m simulated"), "\(show.out)")

        let misspelt = try Self.capture(["run", scenario, "--set", "duraton=2m", "--no-store"])
        #expect(misspelt.status == 1)
        #expect(misspelt.err.contains("unknown key `duraton`; did you mean `duration`?"), "\(misspelt.err)")
        let noValue = try Self.capture(["run", scenario, "--set", "duration", "--no-store"])
        #expect(noValue.status == 1 && noValue.err.contains("write an override as PATH=VALUE"), "\(noValue.err)")
    }

    @Test("run --sample-requests refuses a negative count instead of keeping none")
    func negativeSample() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessTests.binary))
        let run = try Self.capture(["run", "scenarios/quickstart.yaml", "--duration", "1m", "--no-store", "--sample-requests=-1"])
        #expect(run.status == 64, "\(run.out) \(run.err)")
        #expect(run.err.contains("--sample-requests must be 0 or more, got -1"), "\(run.err)")
    }
}
