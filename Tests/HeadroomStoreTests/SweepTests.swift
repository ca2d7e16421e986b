import Foundation
import GRDB
import Headroom
import Testing
@testable import HeadroomStore

@Suite("Sweeps and comparison")
struct SweepTests {
    static func sweepFile() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RunStoreTests.yaml.write(to: folder.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        let sweep = """
            sweep:
              name: test-sweep
              base: base.yaml
              seeds: [1, 2, 3]
              variants:
                - {name: two, set: {policy.replicas: 2}}
                - {name: three, set: {policy: {kind: fixed, replicas: 3}}}
              grid:
                replica.engine.max_num_seqs: [8, 64]
            """
        let path = folder.appendingPathComponent("sweep.yaml").path
        try sweep.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func storedSummaries(_ store: RunStore) throws -> [String: [String: Double]] {
        let runs = try store.runs(limit: 10_000)
        let summaries = try store.summaries(of: runs.map(\.id))
        return Dictionary(uniqueKeysWithValues: runs.map { ("\($0.variant)#\($0.seed)", summaries[$0.id]!) })
    }

    @Test("the grid expands variants × grid × seeds with overrides applied; bad key paths are clear errors")
    func expansion() throws {
        let spec = try SweepSpec.load(file: try Self.sweepFile())
        let jobs = try spec.jobs()
        #expect(jobs.count == 12)
        #expect(Set(jobs.map(\.variant)) == ["two, replica.engine.max_num_seqs=8", "two, replica.engine.max_num_seqs=64",
                                             "three, replica.engine.max_num_seqs=8", "three, replica.engine.max_num_seqs=64"])
        let scenario = try jobs.last!.document.scenario()
        #expect(scenario.seed == 3 && scenario.replica.engine.maxNumSeqs == 64)
        guard case let .fixed(fixed) = scenario.policy else { Issue.record("policy \(scenario.policy)"); return }
        #expect(fixed.replicas == 3)
        var document = spec.base
        #expect(throws: ScenarioError.self) { try document.set("node_pools[4].name", to: "x") }
        try document.set("replica.engine.max_num_sqs", to: "8")
        #expect { try document.scenario() } throws: { "\($0)".contains("did you mean `max_num_seqs`?") }
    }

    @Test("a `sweep:` section inside a scenario sweeps that scenario; a plain run ignores the section")
    func embeddedSweep() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-embedded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("scenario.yaml").path
        try (RunStoreTests.yaml + "\nsweep: {name: embedded, seeds: 2, grid: {policy.replicas: [1, 2]}}\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let jobs = try SweepSpec.load(file: path).jobs()
        #expect(jobs.count == 4)
        #expect(try jobs.map { try $0.document.scenario().seed } == [1, 2, 1, 2])
        #expect(!jobs[0].document.yaml.contains("sweep"))
        #expect(try Scenario.load(file: path).name == "store-test")
        try (RunStoreTests.yaml + "\nsweep: {name: embedded, base: other.yaml}\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try SweepSpec.load(file: path) } throws: { "\($0)".contains("unknown key `base`") }
    }

    @Test("results do not depend on --jobs; a resumed sweep stores every run exactly once; shards merge to the same runs")
    func jobsResumeShards() throws {
        let spec = try SweepSpec.load(file: try Self.sweepFile())
        let jobs = try spec.jobs()
        let one = try RunStore(writer: DatabaseQueue()), two = try RunStore(writer: DatabaseQueue())
        _ = try SweepRunner.run(jobs, store: one, sweepID: try one.sweep(named: spec.name, file: spec.file), workers: 1)
        _ = try SweepRunner.run(jobs, store: two, sweepID: try two.sweep(named: spec.name, file: spec.file), workers: 2)
        let reference = try Self.storedSummaries(one)
        #expect(reference.count == 12)
        var a = reference, b = try Self.storedSummaries(two)
        for key in a.keys { a[key]!["events"] = 0; b[key]!["events"] = 0 }
        #expect(a == b)

        // Stop after a few runs, then resume: each run once.
        let resumed = try RunStore(writer: DatabaseQueue())
        let sweepID = try resumed.sweep(named: spec.name, file: spec.file)
        let counter = Counter()
        let partial = try SweepRunner.run(jobs, store: resumed, sweepID: sweepID, workers: 1, shouldStop: { counter.next() > 4 })
        #expect(partial.stopped && partial.stored < 12)
        let rest = try SweepRunner.run(jobs, store: resumed, sweepID: sweepID, workers: 2)
        #expect(rest.skipped == partial.stored && partial.stored + rest.stored == 12)
        #expect(try Self.storedSummaries(resumed).count == 12)

        // Three shards in three files, merged.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for shard in 1...3 {
            let path = folder.appendingPathComponent("shard-\(shard).sqlite").path
            let store = try RunStore(path: path)
            _ = try SweepRunner.run(SweepRunner.shard(jobs, index: shard, of: 3), store: store,
                                    sweepID: try store.sweep(named: spec.name, file: spec.file), workers: 1)
            paths.append(path)
        }
        let merged = try RunStore(path: folder.appendingPathComponent("all.sqlite").path)
        #expect(try paths.map { try merged.merge(from: $0).merged }.reduce(0, +) == 12)
        #expect(try merged.merge(from: paths[0]) == RunStore.MergeOutcome(merged: 0, alreadyPresent: 4))
        var m = try Self.storedSummaries(merged)
        var r = reference
        for key in r.keys { r[key]!["events"] = 0; m[key]?["events"] = 0 }
        #expect(m == r)
        #expect(try merged.runs(sweep: spec.name, limit: 100).count == 12)
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}
