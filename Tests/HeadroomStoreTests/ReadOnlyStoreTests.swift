import Foundation
import GRDB
import Headroom
import Testing
@testable import HeadroomStore

/// Read commands open the store read-only: a colleague's file, a read-only volume or an older
/// schema is read without a byte changing, and a missing path creates nothing.
@Suite("Read-only stores")
struct ReadOnlyStoreTests {
    /// The file's bytes and modification time, to show that reading changed nothing.
    static func fingerprint(_ path: String) throws -> (Data, Date?) {
        (try Data(contentsOf: URL(fileURLWithPath: path)),
         try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
    }

    /// A checkpointed store with one run, closed, so the main file holds everything.
    static func storeWithOneRun(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("team.sqlite").path
        do {
            let store = try RunStore(path: path)
            _ = try RunStoreTests.runAndSave(store)
            try store.writer.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        }
        return path
    }

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-ro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func remove(_ folder: URL) {
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("a read-only store reads every table; a write is refused with a sentence; the file does not change")
    func readsWithoutWriting() throws {
        let folder = try Self.folder()
        defer { Self.remove(folder) }
        let path = try Self.storeWithOneRun(in: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        let before = try Self.fingerprint(path)
        Thread.sleep(forTimeInterval: 0.01)
        let store = try RunStore(path: path, access: .readOnly)
        let id = try #require(try store.runs().first?.id)
        #expect(try store.summaries(of: [id])[id]?["arrived"] != nil)
        #expect(try store.storedSummary(ofRun: id)?.scenario == "store-test")
        for table in RunStore.exportTables { _ = try store.table(table, runs: [id]) }
        let refused = #expect(throws: StoreError.self) { try RunStoreTests.runAndSave(store) }
        #expect(refused?.description.hasPrefix("\(path): could not store the run: the store cannot be written") == true)
        #expect(refused?.description.contains("INSERT") == false)
        let after = try Self.fingerprint(path)
        #expect(before.0 == after.0 && before.1 == after.1)
    }

    @Test("a path that does not exist is named, with what to do, and nothing is created; a folder is refused")
    func missingPath() throws {
        let folder = try Self.folder()
        defer { Self.remove(folder) }
        let path = folder.appendingPathComponent("nope.sqlite").path
        let missing = #expect(throws: StoreError.self) { try RunStore(path: path, access: .readOnly) }
        #expect(missing?.description.contains(path) == true && missing?.description.contains("headroom run") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        let notAFile = #expect(throws: StoreError.self) { try RunStore(path: folder.path, access: .readOnly) }
        #expect(notAFile?.description.contains("is a folder") == true)
        let garbage = folder.appendingPathComponent("notes.txt")
        try Data("not a database, only text that is long enough to have a header".utf8).write(to: garbage)
        let refused = #expect(throws: StoreError.self) { try RunStore(path: garbage.path, access: .readOnly) }
        #expect(refused?.description.hasPrefix(garbage.path) == true && refused?.description.contains("not an SQLite database") == true,
                "\(String(describing: refused))")
    }

    @Test("an older store opened read-only is read through a migrated in-memory copy; the file keeps its schema")
    func olderSchema() throws {
        let path = try MigrationTests.v2Store()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let before = try Self.fingerprint(path)
        let store = try RunStore(path: path, access: .readOnly)
        #expect(try store.runs().map(\.id) == [2, 1])
        #expect(try store.table("runs", runs: [1]).rows.count == 1)
        #expect(try Self.fingerprint(path).0 == before.0)
        let applied = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied.last == MigrationTests.v2)
    }

    @Test("a newer or foreign store opened read-only is refused, as for writing")
    func newerSchema() throws {
        let folder = try Self.folder()
        defer { Self.remove(folder) }
        let path = try Self.storeWithOneRun(in: folder)
        try DatabaseQueue(path: path).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: from the future')") }
        #expect { try RunStore(path: path, access: .readOnly) } throws: { "\($0)".contains("newer Headroom") }
    }

    @Test("a stored summary reads back as the RunSummary that was stored")
    func summaryRoundTrip() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (id, result) = try RunStoreTests.runAndSave(store)
        var stored = try #require(try store.storedSummary(ofRun: id))
        var expected = result.summary
        for keyPath in [\RunSummary.ttft, \.itl, \.e2e, \.queueWait] { expected[keyPath: keyPath].count = 0 }
        #expect(abs(stored.gpuSeconds.total - expected.gpuSeconds.total) < 1e-6)
        stored.gpuSeconds = expected.gpuSeconds
        #expect(stored == expected)
        #expect(try store.storedSummary(ofRun: 999) == nil)
    }

    @Test("the losses a run counted read back too: skipped rows with examples, a read error, stockouts, cancelled starts")
    func summaryRoundTripWithLosses() throws {
        let store = try RunStore(writer: DatabaseQueue())
        var document = ScenarioDocument(yaml: RunStoreTests.yaml, file: "t.yaml")
        try document.set("seed", to: "4")
        let scenario = try document.scenario()
        var result = Simulation.run(scenario)
        result.summary.inputLosses = InputLosses(traceRowsSkipped: 3, examples: ["t.csv:7: negative prompt", "t.csv:9: short row"],
                                                 readError: "t.csv: the file changed")
        result.summary.stockouts = 2
        result.summary.coldStarts.cancelled = 1
        result.summary.coldStarts.unfinished = 4
        let id = try store.save(result, document: document, scenario: scenario, placement: .init(variant: "v"),
                                startedAt: Date(), wallSeconds: 0.1).id
        let stored = try #require(try store.storedSummary(ofRun: id))
        #expect(stored.inputLosses == result.summary.inputLosses)
        #expect(stored.stockouts == 2 && stored.coldStarts.cancelled == 1 && stored.coldStarts.unfinished == 4)
    }
}
