import Foundation

/// The file formats `headroom export` writes, one file per table: what pandas, DuckDB or a
/// spreadsheet open directly.
public enum ExportFormat: String, CaseIterable, Sendable {
    case csv, jsonl, parquet

    public var fileExtension: String { rawValue }

    /// The bytes of `table` in this format.
    public func encode(_ table: ResultTable) -> [UInt8] {
        switch self {
        case .csv: CSVEncoding.encode(table)
        case .jsonl: JSONLinesEncoding.encode(table)
        case .parquet: ParquetEncoding.encode(table)
        }
    }

    /// Writes every table of the given runs into `directory` (created if needed) as
    /// `<table>.<ext>`; returns the files written with their row counts.
    public static func export(
        _ store: RunStore, runs: [Int64], format: ExportFormat, to directory: URL
    ) throws -> [(file: String, rows: Int)] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError("\(directory.path): cannot create the export folder (\(error.localizedDescription))")
        }
        var written: [(String, Int)] = []
        for name in RunStore.exportTables {
            let table = try store.table(name, runs: runs)
            let file = directory.appendingPathComponent("\(name).\(format.fileExtension)")
            // Written beside the target and renamed, so a reader never sees half a file.
            let partial = directory.appendingPathComponent(".\(name).\(format.fileExtension).partial")
            do {
                try Data(format.encode(table)).write(to: partial)
                _ = try? FileManager.default.removeItem(at: file)
                try FileManager.default.moveItem(at: partial, to: file)
            } catch {
                throw StoreError("\(file.path): cannot write (\(error.localizedDescription))")
            }
            written.append((file.path, table.rows.count))
        }
        return written
    }
}

/// RFC 4180 CSV with a header row; NULL is an empty field, booleans are `true`/`false`, reals
/// keep every digit (Swift's shortest round-trip form).
enum CSVEncoding {
    static func encode(_ table: ResultTable) -> [UInt8] {
        var out = ""
        out += table.columns.map { quoted($0.name) }.joined(separator: ",") + "\r\n"
        for row in table.rows {
            var first = true
            for (index, value) in row.enumerated() {
                if !first { out += "," }
                first = false
                switch value {
                case .null: break
                case .integer(let v): out += table.columns[index].type == .boolean ? (v != 0 ? "true" : "false") : String(v)
                case .real(let v): out += v.isFinite ? "\(v)" : (v.isNaN ? "NaN" : (v > 0 ? "inf" : "-inf"))
                case .text(let s): out += quoted(s)
                }
            }
            out += "\r\n"
        }
        return Array(out.utf8)
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// One JSON object per line, keys in column order; NULL and non-finite reals are `null`.
public enum JSONLinesEncoding {
    static func encode(_ table: ResultTable) -> [UInt8] {
        let keys = table.columns.map { escaped($0.name) }
        var out = ""
        for row in table.rows {
            out += "{"
            for (index, value) in row.enumerated() {
                if index > 0 { out += "," }
                out += keys[index] + ":"
                switch value {
                case .null: out += "null"
                case .integer(let v): out += table.columns[index].type == .boolean ? (v != 0 ? "true" : "false") : String(v)
                case .real(let v): out += v.isFinite ? "\(v)" : "null"
                case .text(let s): out += escaped(s)
                }
            }
            out += "}\n"
        }
        return Array(out.utf8)
    }

    /// `text` as a JSON string literal.
    public static func quote(_ text: String) -> String { escaped(text) }

    static func escaped(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
