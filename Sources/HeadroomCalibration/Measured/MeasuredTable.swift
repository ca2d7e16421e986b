import Foundation

/// Why a measured table cannot be used: the file, and where known the line (1 is the header) and
/// the column, so a user can open the file at the right place.
public struct TableError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var column: String?
    public var message: String
    public init(file: String, line: Int? = nil, column: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }
    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? "")\(column.map { ", column `\($0)`" } ?? ""): \(message)"
    }
}

/// A comma-separated table with a header row, as profilers write it (pandas' `to_csv`): no quoting
/// or embedded commas, so fields are split on commas. Read whole: the tables are at most a few MB.
///
/// The trace reader (`Workload/Trace`) streams requests and knows request columns only; a table of
/// measurements needs random access by column name and typed cells that name their place, so it
/// has this small reader of its own.
public struct MeasuredTable: Sendable {
    public let file: String
    public let columns: [String]
    /// Data rows (header excluded), each with its 1-based line number in the file.
    public let rows: [(line: Int, fields: [Substring])]
    private let index: [String: Int]

    public init(file: String) throws(TableError) {
        guard let data = FileManager.default.contents(atPath: file) else { throw TableError(file: file, message: "cannot read the file") }
        try self.init(text: String(decoding: data, as: UTF8.self), file: file)
    }

    public init(text: String, file: String) throws(TableError) {
        self.file = file
        // `\r\n` is one Character in Swift: a split on "\n" alone would leave a CRLF file one line.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first, !header.isEmpty else { throw TableError(file: file, line: 1, message: "the table is empty") }
        columns = header.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
        var rows: [(line: Int, fields: [Substring])] = []
        for (offset, text) in lines.enumerated().dropFirst() where !text.isEmpty {
            let fields = text.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns.count else {
                throw TableError(file: file, line: offset + 1, message: "expected \(columns.count) fields as in the header, found \(fields.count)")
            }
            rows.append((offset + 1, fields))
        }
        guard !rows.isEmpty else { throw TableError(file: file, line: 2, message: "the table has a header but no rows") }
        self.rows = rows
    }

    /// The position of a column the table must have.
    public func require(_ name: String) throws(TableError) -> Int {
        guard let position = index[name] else {
            throw TableError(file: file, line: 1, column: name, message: "missing column (the header has \(columns.count) columns)")
        }
        return position
    }

    public func has(_ name: String) -> Bool { index[name] != nil }

    /// A finite number at (row, column), or an error naming both.
    public func number(_ row: Int, _ column: Int) throws(TableError) -> Double {
        let text = rows[row].fields[column]
        guard let value = Double(text), value.isFinite else {
            throw TableError(file: file, line: rows[row].line, column: columns[column], message: "`\(text)` is not a number")
        }
        return value
    }

    /// A time (any unit): a finite number that is not negative.
    public func time(_ row: Int, _ column: Int) throws(TableError) -> Double {
        let value = try number(row, column)
        guard value >= 0 else {
            throw TableError(file: file, line: rows[row].line, column: columns[column], message: "negative time \(value)")
        }
        return value
    }

    /// A whole count at least `minimum` (token counts, worker counts, sizes).
    public func count(_ row: Int, _ column: Int, minimum: Int = 0) throws(TableError) -> Int {
        let value = try number(row, column)
        guard value >= Double(minimum), value == value.rounded(), value < 1e15 else {
            throw TableError(file: file, line: rows[row].line, column: columns[column],
                             message: "`\(rows[row].fields[column])` is not a whole number ≥ \(minimum)")
        }
        return Int(value)
    }

    public func text(_ row: Int, _ column: Int) -> String { String(rows[row].fields[column]) }
}
