import Foundation
import GRDB

extension RunStore {
    /// The tables an export writes, in order: `runs` (one row per run: its identity, scenario and
    /// sweep names, and every summary column), then each results table.
    public static let exportTables = ["runs"] + resultTables.filter { $0 != "run_summaries" }

    /// One table's rows for the given runs, ordered by run and then by the table's natural order
    /// (time or serial). `runs` is the joined per-run summary.
    public func table(_ name: String, runs ids: [Int64]) throws(StoreError) -> ResultTable {
        guard Self.exportTables.contains(name) else {
            throw StoreError("no table '\(name)'; the tables are \(Self.exportTables.joined(separator: ", "))")
        }
        return try reading("read the \(name) table") { db in
            let placeholders = ids.map { _ in "?" }.joined(separator: ",")
            var columns: [ResultTable.Column]
            let sql: String
            if name == "runs" {
                let runColumns = try Self.columns(of: "runs", db: db).filter { $0.name != "id" }
                let summaryColumns = try Self.columns(of: "run_summaries", db: db).filter { $0.name != "run_id" }
                columns = [.init(name: "run_id", type: .integer), .init(name: "scenario", type: .text), .init(name: "sweep", type: .text)]
                    + runColumns + summaryColumns
                sql = """
                    SELECT runs.id AS run_id, scenarios.name AS scenario, sweeps.name AS sweep,
                           \(runColumns.map { "runs.\($0.name)" }.joined(separator: ", ")),
                           \(summaryColumns.map { "s.\($0.name)" }.joined(separator: ", "))
                    FROM runs JOIN scenarios ON scenarios.id = runs.scenario_id LEFT JOIN sweeps ON sweeps.id = runs.sweep_id
                    JOIN run_summaries s ON s.run_id = runs.id
                    WHERE runs.id IN (\(placeholders)) ORDER BY runs.id
                    """
            } else {
                columns = try Self.columns(of: name, db: db)
                let order = ["time", "serial", "requested_at", "metric, percentile"].first { key in
                    columns.contains { $0.name == key.components(separatedBy: ",")[0] }
                } ?? "rowid"
                sql = "SELECT \(columns.map(\.name).joined(separator: ", ")) FROM \(name) WHERE run_id IN (\(placeholders)) ORDER BY run_id, \(order)"
            }
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(ids)).map { row in
                columns.indices.map { ResultTable.value(row[$0] as DatabaseValue, as: columns[$0].type) }
            }
            return ResultTable(name: name, columns: columns, rows: rows)
        }
    }

    static func columns(of table: String, db: Database) throws -> [ResultTable.Column] {
        try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { row in
            ResultTable.Column(name: row["name"], type: ResultTable.columnType(declared: row["type"]))
        }
    }

    /// The ids of the runs named by a sweep or a list; a clear error for unknown ones.
    public func resolveRuns(sweep: String?, ids: [Int64]?) throws(StoreError) -> [Int64] {
        if let sweep {
            let found = try runs(sweep: sweep, limit: Int.max).map(\.id).sorted()
            guard !found.isEmpty else { throw StoreError("sweep '\(sweep)' has no runs in \(self.name) (see `headroom runs list`)") }
            return found
        }
        let wanted = ids ?? []
        let found = Set(try runs(ids: wanted, limit: Int.max).map(\.id))
        if let missing = wanted.first(where: { !found.contains($0) }) {
            throw StoreError("no run with id \(missing) in \(self.name) (see `headroom runs list`)")
        }
        return wanted
    }
}
