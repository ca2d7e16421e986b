import Foundation
import GRDB

/// Rows of one stored table for some runs, with each column's type taken from the schema: what
/// reports draw and exports write (CSV, JSON lines, Parquet) without knowing the table.
public struct ResultTable: Sendable, Equatable {
    public enum ColumnType: String, Sendable, Equatable {
        case integer, real, text, boolean
    }

    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: ColumnType
    }

    /// One cell; `null` where SQL has NULL.
    public enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)

        public var double: Double? {
            switch self {
            case .integer(let v): Double(v)
            case .real(let v): v
            case .null, .text: nil
            }
        }

        public var string: String? {
            if case .text(let s) = self { return s }
            return nil
        }
    }

    public var name: String
    public var columns: [Column]
    public var rows: [[Value]]

    public init(name: String, columns: [Column], rows: [[Value]]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    /// The index of the column called `name`.
    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// A numeric column, nil for NULLs (empty when the column does not exist).
    public func numbers(_ name: String) -> [Double?] {
        guard let i = index(of: name) else { return [] }
        return rows.map { $0[i].double }
    }

    /// A text column (empty when the column does not exist).
    public func texts(_ name: String) -> [String?] {
        guard let i = index(of: name) else { return [] }
        return rows.map { $0[i].string }
    }

    /// Only the rows whose `column` equals `value` (e.g. one run's rows of a multi-run table).
    public func filtered(_ column: String, equals value: Value) -> ResultTable {
        guard let i = index(of: column) else { return ResultTable(name: name, columns: columns, rows: []) }
        return ResultTable(name: name, columns: columns, rows: rows.filter { $0[i] == value })
    }

    /// The column type for an SQLite declared type (as GRDB's schema builder writes them).
    static func columnType(declared: String) -> ColumnType {
        switch declared.uppercased() {
        case "INTEGER", "INT": .integer
        case "DOUBLE", "REAL", "FLOAT", "NUMERIC": .real
        case "BOOLEAN": .boolean
        default: .text
        }
    }

    /// A cell as its column's type. SQLite lets any column hold any type (a hand-edited or damaged
    /// store): a value that does not convert is NULL, never a trap.
    static func value(_ database: DatabaseValue, as type: ColumnType) -> Value {
        switch (database.storage, type) {
        case (.null, _): return .null
        case (.int64(let v), .real): return .real(Double(v))
        case (.int64(let v), .text): return .text(String(v))
        case (.int64(let v), _): return .integer(v)
        case (.double(let v), .integer), (.double(let v), .boolean):
            return v.isFinite && abs(v) < 9.2e18 ? .integer(Int64(v)) : .null
        case (.double(let v), .text): return .text(String(v))
        case (.double(let v), .real): return .real(v)
        case (.string(let s), .text): return .text(s)
        case (.string(let s), .real): return Double(s).map(Value.real) ?? .null
        case (.string(let s), _): return Int64(s).map(Value.integer) ?? .null
        case (.blob(let data), .text): return .text(data.base64EncodedString())
        case (.blob, _): return .null
        }
    }
}
