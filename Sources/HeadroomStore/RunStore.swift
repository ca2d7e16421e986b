import Foundation
import GRDB

/// The SQLite run store: scenarios, runs, their summaries, time series, decisions, cold starts
/// and request samples. Wraps one `DatabaseWriter` (a WAL `DatabasePool` on disk, a
/// `DatabaseQueue` in memory or when opened read-only) whose schema the migrator brings up to date
/// when it opens for writing.
public struct RunStore: Sendable {
    /// The connection. For a store opened `.readOnly` it refuses every write (SQLite opened the
    /// file read-only), so a read command cannot change a colleague's file.
    public let writer: any DatabaseWriter
    /// The path (or a label for an in-memory store), named in every error.
    public let name: String

    /// How a command uses the store.
    public enum Access: Sendable {
        /// Creates the file if missing and migrates it: `run`, `sweep`, the target of `merge`.
        case readWrite
        /// Opens an existing file without writing a byte: `runs`, `compare`, `report`, `export`, merge sources.
        case readOnly
    }

    /// Opens the database at `path`. `.readWrite` creates it if needed; `.readOnly` requires it
    /// (see `init(readOnlyPath:)`). A file that is not a Headroom database, or one written by a
    /// newer Headroom, is refused and left untouched.
    public init(path: String, access: Access = .readWrite) throws(StoreError) {
        if access == .readOnly {
            try self.init(readOnlyPath: path)
            return
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        let writer: DatabasePool
        do {
            writer = try Self.openPool(path: path, configuration: configuration)
        } catch {
            throw StoreError.wrapping(error, store: path, while: "open the store")
        }
        try self.init(writer: writer, name: path)
    }

    /// Opens the pool, retrying while another process holds the file locked. Switching a new file
    /// to WAL needs exclusive access and SQLite does not run the busy handler for it, so two
    /// processes creating one store at once can see "database is locked" despite the timeout.
    static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(30)
        var pause = 0.005
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && Date() < deadline {
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 0.2)
            }
        }
    }

    /// Uses `writer` (an in-memory `DatabaseQueue()` in tests), migrating it.
    public init(writer: any DatabaseWriter, name: String = "database") throws(StoreError) {
        self.writer = writer
        self.name = name
        do {
            try writer.read { db in try Self.checkIsHeadroom(db, name: name) }
            try Self.migrate(writer)
        } catch {
            throw StoreError.wrapping(error, store: name, while: "open the store")
        }
    }

    /// Wraps an already-checked connection as is (read-only stores).
    init(checked writer: any DatabaseWriter, name: String) {
        self.writer = writer
        self.name = name
    }

    /// Refuses a database with tables of its own but no migration table, or migrations this
    /// version does not know (a newer Headroom, or another program). A database another Headroom
    /// process is creating at this moment (migration table, nothing applied yet) is fine.
    static func checkIsHeadroom(_ db: Database, name: String) throws {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        guard !tables.isEmpty else { return }
        guard tables.contains("grdb_migrations") else {
            throw StoreError("\(name) is not a Headroom database (it has tables \(tables.prefix(5).joined(separator: ", ")))")
        }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        let known = Set(migrator.migrations)
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw StoreError("\(name) was written by a newer Headroom or another program (schema migration `\(unknown)`); "
                             + "upgrade Headroom to read it")
        }
    }

    /// Migrates, tolerating another process migrating the same new file at the same moment: its
    /// transaction wins, ours fails on the tables it created, and a second look finds the schema
    /// complete.
    static func migrate(_ writer: any DatabaseWriter) throws {
        var attempt = 0
        while true {
            do {
                try migrator.migrate(writer)
                return
            } catch {
                attempt += 1
                if try writer.read({ try migrator.hasCompletedMigrations($0) }) { return }
                if attempt >= 5 { throw error }
            }
        }
    }

    /// Runs `body` in a read transaction; a database error becomes a sentence naming the store.
    func reading<T>(_ action: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.read(body) } catch { throw StoreError.wrapping(error, store: name, while: action) }
    }

    /// Runs `body` in one (IMMEDIATE) write transaction; a database error becomes a sentence naming the store.
    func writing<T>(_ action: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.write(body) } catch { throw StoreError.wrapping(error, store: name, while: action) }
    }
}
