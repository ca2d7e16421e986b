import Foundation
import GRDB

extension RunStore {
    /// Copies every run of the Headroom database at `path` that this store lacks (by run key),
    /// with its scenario, sweep and results, in one transaction per source. Returns the number copied.
    @discardableResult
    public func merge(from path: String) throws -> Int {
        let source = try RunStore(path: path)
        let known = try storedRunKeys()
        return try source.writer.read { src in
            let runs = try RunRecord.fetchAll(src).filter { !known.contains($0.runKey) }
            guard !runs.isEmpty else { return 0 }
            try writer.write { db in
                for var run in runs {
                    let oldID = run.id!
                    guard let scenario = try ScenarioRecord.fetchOne(src, key: run.scenarioId) else {
                        throw StoreError("\(path): run \(oldID) names scenario \(run.scenarioId), which the file lacks (a damaged store?)")
                    }
                    if let existing = try ScenarioRecord.filter(Column("hash") == scenario.hash).fetchOne(db) {
                        run.scenarioId = existing.id!
                    } else {
                        var copy = scenario
                        copy.id = nil
                        try copy.insert(db)
                        run.scenarioId = copy.id!
                    }
                    if let sweepID = run.sweepId, let sweep = try SweepRecord.fetchOne(src, key: sweepID) {
                        if let existing = try SweepRecord.filter(Column("name") == sweep.name).fetchOne(db) {
                            run.sweepId = existing.id!
                        } else {
                            var copy = sweep
                            copy.id = nil
                            try copy.insert(db)
                            run.sweepId = copy.id!
                        }
                    }
                    run.id = nil
                    try run.insert(db)
                    let newID = run.id!
                    for table in Self.resultTables {
                        let rows = try Row.fetchAll(src, sql: "SELECT * FROM \(table) WHERE run_id = ?", arguments: [oldID])
                        for row in rows {
                            let columns = Array(row.columnNames)
                            let values: [DatabaseValueConvertible?] = columns.map { $0 == "run_id" ? newID.databaseValue : row[$0] as DatabaseValue }
                            try db.execute(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                                           arguments: StatementArguments(values))
                        }
                    }
                }
            }
            return runs.count
        }
    }
}
