import Foundation
import GRDB
import Headroom
import HeadroomEngine
import Testing
@testable import HeadroomStore

/// A run's identity (docs/DECISIONS.md, "A run is its own row"): running again is a new run, a
/// sweep's resume key belongs to that sweep, and writers that race are told "already stored".
@Suite("Run identity")
struct RunIdentityTests {
    /// Runs the store-test scenario and saves it into `sweepID` (nil: a single run).
    static func save(_ store: RunStore, sweepID: Int64? = nil, seed: UInt64 = 3, variant: String = "fixed") throws -> RunStore.SavedRun {
        var document = ScenarioDocument(yaml: RunStoreTests.yaml, file: "t.yaml")
        try document.set("seed", to: String(seed))
        let scenario = try document.scenario()
        return try store.save(Simulation.run(scenario), document: document, scenario: scenario,
                              placement: .init(sweepID: sweepID, variant: variant), startedAt: Date(), wallSeconds: 0.1)
    }

    @Test("the same scenario and seed run twice are two runs, each with its own id and uid")
    func runTwice() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let first = try Self.save(store), second = try Self.save(store)
        #expect(!first.alreadyStored && !second.alreadyStored && first.id != second.id)
        #expect(try store.runs().count == 2)
        let uids = try store.writer.read { try String.fetchAll($0, sql: "SELECT run_uid FROM runs") }
        #expect(Set(uids).count == 2)
    }

    @Test("a sweep stores each job once: the second save of a job is reported as already stored; another sweep stores it anew")
    func resumeKeyPerSweep() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let a = try store.sweep(named: "a", file: "a.yaml"), b = try store.sweep(named: "b", file: "b.yaml")
        #expect(try store.sweep(named: "a", file: "elsewhere.yaml") == a)
        let first = try Self.save(store, sweepID: a)
        let again = try Self.save(store, sweepID: a)
        #expect(again == RunStore.SavedRun(id: first.id, alreadyStored: true))
        let other = try Self.save(store, sweepID: b)
        let single = try Self.save(store)
        #expect(!other.alreadyStored && !single.alreadyStored)
        #expect(try store.runs(sweep: "a").count == 1 && store.runs(sweep: "b").count == 1 && store.runs().count == 3)
        #expect(try store.storedRunKeys(sweepID: a).count == 1)
        // Sweep b's job under a different seed is a different job.
        #expect(!(try Self.save(store, sweepID: b, seed: 4).alreadyStored))
    }

    @Test("a sweep copied under a new name runs fully; --resume skips only the sweep's own runs")
    func copiedSweep() throws {
        let spec = try SweepSpec.load(file: try SweepTests.sweepFile())
        let jobs = try spec.jobs()
        let store = try RunStore(writer: DatabaseQueue())
        let original = try SweepRunner.run(jobs, store: store, sweepID: try store.sweep(named: spec.name, file: spec.file), workers: 2)
        #expect(original == SweepRunner.Outcome(stored: 12, skipped: 0))
        let copy = try SweepRunner.run(jobs, store: store, sweepID: try store.sweep(named: "copy", file: "copy.yaml"), workers: 2)
        #expect(copy == SweepRunner.Outcome(stored: 12, skipped: 0))
        let resumed = try SweepRunner.run(jobs, store: store, sweepID: try store.sweep(named: spec.name, file: spec.file), workers: 2)
        #expect(resumed == SweepRunner.Outcome(stored: 0, skipped: 12))
        #expect(try store.runs(limit: 100).count == 24)
    }

    @Test("writers racing on one sweep's jobs (two processes resuming at once) store each job once, with no error")
    func racingSweepWriters() throws {
        let path = RunStoreTests.temporaryPath("race")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let a = try RunStore(path: path), b = try RunStore(path: path)
        let sweepID = try a.sweep(named: "raced", file: "s.yaml")
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do { outcomes.add(try Self.save(index.isMultiple(of: 2) ? a : b, sweepID: sweepID, seed: UInt64(index % 2))) } catch { outcomes.fail(error) }
        }
        #expect(outcomes.errors.isEmpty, "\(outcomes.errors)")
        #expect(outcomes.saved.filter { !$0.alreadyStored }.count == 2)
        #expect(try a.runs(sweep: "raced").count == 2)
    }

    @Test("merge: twice is harmless; single runs from two stores both land; one sweep job run in two stores lands once")
    func mergeIdentity() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = ["one", "two"].map { folder.appendingPathComponent("\($0).sqlite").path }
        for path in paths {
            let store = try RunStore(path: path)
            _ = try Self.save(store)
            _ = try Self.save(store, sweepID: try store.sweep(named: "s", file: "s.yaml"))
        }
        let target = try RunStore(path: folder.appendingPathComponent("all.sqlite").path)
        #expect(try target.merge(from: paths[0]) == RunStore.MergeOutcome(merged: 2, alreadyPresent: 0))
        #expect(try target.merge(from: paths[0]) == RunStore.MergeOutcome(merged: 0, alreadyPresent: 2))
        // The second store's single run is another run; its sweep job is the one the target's sweep holds.
        #expect(try target.merge(from: paths[1]) == RunStore.MergeOutcome(merged: 1, alreadyPresent: 1))
        #expect(try target.runs().count == 3 && target.runs(sweep: "s").count == 1)
        // The merged runs carry their results.
        let ids = try target.runs().map(\.id)
        #expect(try target.summaries(of: ids).count == 3)
    }

    @Test("a database error reads as a sentence naming the store and what to do, never the SQL")
    func errorsAreSentences() throws {
        let store = try RunStore(writer: DatabaseQueue(), name: "team.sqlite")
        let failure = #expect(throws: StoreError.self) {
            try store.writing("store the run") { db in
                try db.execute(sql: "INSERT INTO sweeps (name, file, created_at) VALUES ('x', 'f', '2026-01-01')")
                try db.execute(sql: "INSERT INTO sweeps (name, file, created_at) VALUES ('x', 'f', '2026-01-01')")
            }
        }
        let text = failure?.description ?? ""
        #expect(text.hasPrefix("team.sqlite: could not store the run:"))
        for sql in ["INSERT", "SQLite error", "UNIQUE", "sweeps."] { #expect(!text.contains(sql), "\(text)") }
        let locked = StoreError.wrapping(DatabaseError(resultCode: .SQLITE_BUSY, message: "database is locked", sql: "BEGIN IMMEDIATE"),
                                         store: "s.sqlite", while: "store the run")
        #expect(locked.description.contains("try again") && !locked.description.contains("BEGIN"))
    }
}

/// Results gathered from concurrent saves.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var saved: [RunStore.SavedRun] = []
    private(set) var errors: [String] = []
    func add(_ run: RunStore.SavedRun) { lock.lock(); saved.append(run); lock.unlock() }
    func fail(_ error: any Error) { lock.lock(); errors.append("\(error)"); lock.unlock() }
}
