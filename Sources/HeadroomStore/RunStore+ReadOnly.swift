import Foundation
import GRDB

extension RunStore {
    /// Opens an existing store for reading only: SQLite opens the file read-only, so nothing a
    /// read command does can change it (a colleague's file, a read-only volume, a merged shard set).
    ///
    /// - A missing path is an error that creates nothing.
    /// - A WAL store in a folder this user cannot write (no `-shm` file can be made beside it) is
    ///   opened `immutable`: nobody can be writing it then, since a writer needs that folder too.
    /// - A store of an older schema is copied into memory and the copy migrated: reading never
    ///   upgrades the file (the next `run` or `sweep` into it does).
    public init(readOnlyPath path: String) throws(StoreError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw StoreError("\(path): no such run store. Store runs there first (`headroom run SCENARIO --db \(path)` "
                             + "or `headroom sweep FILE --db \(path)`), or give an existing store with --db PATH")
        }
        guard !isFolder.boolValue else {
            throw StoreError("\(path) is a folder, not a run store; give the store's file with --db PATH (e.g. --db \(path)/headroom.sqlite)")
        }
        let queue: DatabaseQueue
        do {
            queue = try Self.openReadOnly(path: path)
        } catch {
            throw StoreError.wrapping(error, store: path, while: "open the store for reading")
        }
        do {
            try queue.read { db in try Self.checkIsHeadroom(db, name: path) }
            if try queue.read({ try Self.migrator.hasCompletedMigrations($0) }) {
                self.init(checked: queue, name: path)
            } else {
                let copy = try DatabaseQueue()
                try queue.backup(to: copy)
                try Self.migrator.migrate(copy)
                self.init(checked: copy, name: path)
            }
        } catch {
            throw StoreError.wrapping(error, store: path, while: "read the store")
        }
    }

    /// A read-only connection, falling back to an `immutable` one when SQLite cannot set up WAL
    /// shared memory beside a file in a read-only folder (`SQLITE_READONLY_DIRECTORY`, `_CANTINIT`).
    static func openReadOnly(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sqlite_master") }
            return queue
        } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_READONLY
            || error.resultCode.primaryResultCode == .SQLITE_CANTOPEN {
            guard let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else { throw error }
            let queue = try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: configuration)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sqlite_master") }
            return queue
        }
    }
}
