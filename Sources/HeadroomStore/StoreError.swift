import GRDB

/// A store error with a sentence a user can act on: it names the store and what to do, never the
/// SQL that failed (GRDB's `DatabaseError` description quotes the statement).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// `error` as a sentence about the store at `path` while it tried `action` ("store the run").
    /// A `StoreError` passes through unchanged.
    public static func wrapping(_ error: any Error, store path: String, while action: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else { return StoreError("\(path): could not \(action): \(error)") }
        return StoreError("\(path): could not \(action): \(advice(for: error.resultCode, store: path))")
    }

    /// What a result code means for a user, and what to do about it.
    static func advice(for code: ResultCode, store path: String) -> String {
        switch code.primaryResultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "another process kept the store locked for over 30 s; try again when it has finished"
        case .SQLITE_READONLY:
            return "the store cannot be written (a read-only file, folder or volume); give a writable store with --db PATH"
        case .SQLITE_PERM, .SQLITE_AUTH, .SQLITE_CANTOPEN:
            return "the file cannot be opened; check that the path exists and that you may read it (and write it, to store runs)"
        case .SQLITE_FULL:
            return "the disk is full; free some space and run the command again"
        case .SQLITE_IOERR:
            return "the disk reported an input/output error; check the volume and run the command again"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return "the file is damaged or is not an SQLite database; give another store with --db PATH"
        case .SQLITE_CONSTRAINT:
            return "the store refused a row that contradicts one it holds (please report this with the command you ran)"
        default:
            return "SQLite result code \(code.primaryResultCode.rawValue); check the file, or give another store with --db PATH"
        }
    }
}
