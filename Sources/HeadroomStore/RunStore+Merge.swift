import Foundation
import GRDB

extension RunStore {
    /// What a merge did with one source's runs.
    public struct MergeOutcome: Sendable, Equatable {
        public var merged = 0
        /// Runs the target already held: the same run (by `run_uid`), or the same job of the same
        /// sweep (by sweep name and resume key) stored by another shard or process.
        public var alreadyPresent = 0
        public init(merged: Int = 0, alreadyPresent: Int = 0) {
            self.merged = merged
            self.alreadyPresent = alreadyPresent
        }
    }

    /// Copies every run of the Headroom database at `path` that this store lacks, with its
    /// scenario, sweep and results, in one transaction per source. The source is opened read-only
    /// (a colleague's file, a shard on a read-only volume) and never changed.
    ///
    /// A run is present when its `run_uid` is — merging a file twice, or a file and a copy of it,
    /// copies nothing the second time — or, for a sweep run, when the target's sweep of that name
    /// already holds that job: a sweep keeps one run per job, so `--resume` and `compare` see one.
    @discardableResult
    public func merge(from path: String) throws(StoreError) -> MergeOutcome {
        let source = try RunStore(path: path, access: .readOnly)
        do {
            return try source.writer.read { src in
                let runs = try RunRecord.order(Column("id")).fetchAll(src)
                guard !runs.isEmpty else { return MergeOutcome() }
                return try writer.write { db in try Self.copy(runs, from: src, into: db) }
            }
        } catch let error as StoreError {
            throw StoreError("\(path): cannot merge it into \(name): \(error.description)")
        } catch {
            throw StoreError.wrapping(error, store: name, while: "merge \(path) into it")
        }
    }

    /// Inserts the runs `db` lacks; called inside the target's write transaction, so the presence
    /// checks and the inserts cannot interleave with another writer's.
    static func copy(_ runs: [RunRecord], from src: Database, into db: Database) throws -> MergeOutcome {
        var outcome = MergeOutcome()
        var sweepIDs: [Int64: Int64] = [:]
        for var run in runs {
            guard let oldID = run.id else { continue }
            if try RunRecord.filter(Column("run_uid") == run.runUid).fetchCount(db) > 0 {
                outcome.alreadyPresent += 1
                continue
            }
            if let sourceSweep = run.sweepId {
                let targetSweep = try sweepIDs[sourceSweep] ?? targetSweepID(for: sourceSweep, from: src, into: db)
                sweepIDs[sourceSweep] = targetSweep
                run.sweepId = targetSweep
                if let targetSweep,
                   try RunRecord.filter(Column("sweep_id") == targetSweep && Column("run_key") == run.runKey).fetchCount(db) > 0 {
                    outcome.alreadyPresent += 1
                    continue
                }
            }
            guard let scenario = try ScenarioRecord.fetchOne(src, key: run.scenarioId) else {
                throw StoreError("its run \(oldID) names scenario \(run.scenarioId), which it does not hold; the source is damaged")
            }
            if let existing = try ScenarioRecord.filter(Column("hash") == scenario.hash).fetchOne(db), let id = existing.id {
                run.scenarioId = id
            } else {
                var copy = scenario
                copy.id = nil
                try copy.insert(db)
                guard let id = copy.id else { throw StoreError("the copied scenario has no id") }
                run.scenarioId = id
            }
            run.id = nil
            try run.insert(db)
            guard let newID = run.id else { throw StoreError("the copied run has no id") }
            for table in resultTables {
                let rows = try Row.fetchAll(src, sql: "SELECT * FROM \(table) WHERE run_id = ?", arguments: [oldID])
                for row in rows {
                    let columns = Array(row.columnNames)
                    let values: [DatabaseValueConvertible?] = columns.map { $0 == "run_id" ? newID.databaseValue : row[$0] as DatabaseValue }
                    try db.execute(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                                   arguments: StatementArguments(values))
                }
            }
            outcome.merged += 1
        }
        return outcome
    }

    /// The target's id for the source's sweep (matched by name, created if missing); nil when the
    /// source lacks the sweep row.
    static func targetSweepID(for sourceID: Int64, from src: Database, into db: Database) throws -> Int64? {
        guard let sweep = try SweepRecord.fetchOne(src, key: sourceID) else { return nil }
        if let existing = try SweepRecord.filter(Column("name") == sweep.name).fetchOne(db) { return existing.id }
        var copy = sweep
        copy.id = nil
        try copy.insert(db)
        return copy.id
    }
}
