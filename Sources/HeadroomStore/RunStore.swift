import Foundation
import GRDB

/// The SQLite run store: scenarios, runs, their summaries, time series, decisions, cold starts
/// and request samples. Wraps one `DatabaseWriter` (a WAL `DatabasePool` on disk, a
/// `DatabaseQueue` in memory) whose schema the migrator brings up to date when it opens.
public struct RunStore: Sendable {
    public let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path`. A file that is not a Headroom database,
    /// or one written by a newer Headroom, is refused and left untouched.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        let writer: DatabasePool
        do {
            writer = try Self.openPool(path: path, configuration: configuration)
        } catch {
            throw StoreError("\(path): cannot open as an SQLite database (\(Self.describe(error)))")
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
        do {
            try writer.read { db in try Self.checkIsHeadroom(db, name: name) }
            try Self.migrate(writer)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("\(name): \(Self.describe(error))")
        }
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

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}

/// A store error with a sentence a user can act on.
public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
