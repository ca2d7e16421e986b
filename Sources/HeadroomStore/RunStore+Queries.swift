import Foundation
import GRDB

extension RunStore {
    /// A stored run with the figures a list shows.
    public struct RunListing: Sendable, Equatable {
        public var id: Int64
        public var scenario: String
        public var sweep: String?
        public var variant: String
        public var policyKind: String
        public var seed: Int64
        public var startedAt: Date
        public var wallSeconds: Double
        public var sloBoth: Double
        public var ttftP99: Double
        public var costDollars: Double
    }

    static let listingSQL = """
        SELECT runs.id, scenarios.name AS scenario, sweeps.name AS sweep, runs.variant, runs.policy_kind, runs.seed,
               runs.started_at, runs.wall_seconds, s.slo_both, s.ttft_p99_seconds, s.cost_dollars
        FROM runs JOIN scenarios ON scenarios.id = runs.scenario_id
        LEFT JOIN sweeps ON sweeps.id = runs.sweep_id
        JOIN run_summaries s ON s.run_id = runs.id
        """

    /// Runs, newest first, optionally only those of one sweep or scenario name.
    public func runs(sweep: String? = nil, scenario: String? = nil, ids: [Int64]? = nil, limit: Int = 1000) throws(StoreError) -> [RunListing] {
        try reading("list the runs") { db in
            var conditions: [String] = []
            var arguments: [DatabaseValueConvertible] = []
            if let sweep { conditions.append("sweeps.name = ?"); arguments.append(sweep) }
            if let scenario { conditions.append("scenarios.name = ?"); arguments.append(scenario) }
            if let ids { conditions.append("runs.id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"); arguments += ids }
            let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(db, sql: Self.listingSQL + filter + " ORDER BY runs.id DESC LIMIT \(limit)",
                                        arguments: StatementArguments(arguments))
            return rows.map { row in
                RunListing(id: row["id"], scenario: row["scenario"], sweep: row["sweep"], variant: row["variant"],
                           policyKind: row["policy_kind"], seed: row["seed"], startedAt: row["started_at"], wallSeconds: row["wall_seconds"],
                           sloBoth: row["slo_both"], ttftP99: row["ttft_p99_seconds"], costDollars: row["cost_dollars"])
            }
        }
    }

    /// The summary columns of the given runs, by run id.
    public func summaries(of ids: [Int64]) throws(StoreError) -> [Int64: [String: Double]] {
        try reading("read the run summaries") { db in
            var result: [Int64: [String: Double]] = [:]
            // With the run's `profile_estimate` (1 when its profile was an estimate; absent where not recorded).
            let rows = try Row.fetchAll(db, sql: "SELECT s.*, runs.profile_estimate FROM run_summaries s JOIN runs ON runs.id = s.run_id "
                                            + "WHERE s.run_id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                                        arguments: StatementArguments(ids))
            for row in rows {
                var values: [String: Double] = [:]
                // A cell that is not a number (a hand-edited store) is left out rather than trapping.
                for column in row.columnNames where column != "run_id" { values[column] = Double.fromDatabaseValue(row[column] as DatabaseValue) }
                result[row["run_id"]] = values
            }
            return result
        }
    }

    /// The scenario YAML a run used.
    public func scenarioYAML(ofRun id: Int64) throws(StoreError) -> String? {
        try reading("read run \(id)'s scenario") { db in
            try String.fetchOne(db, sql: "SELECT scenarios.yaml FROM runs JOIN scenarios ON scenarios.id = runs.scenario_id WHERE runs.id = ?",
                                arguments: [id])
        }
    }

    /// The run keys one sweep has stored (a resumed sweep skips them; other sweeps' and single
    /// runs' keys do not count).
    public func storedRunKeys(sweepID: Int64) throws(StoreError) -> Set<String> {
        try reading("read the sweep's stored runs") { db in
            Set(try String.fetchAll(db, sql: "SELECT run_key FROM runs WHERE sweep_id = ?", arguments: [sweepID]))
        }
    }

    /// Counts of rows per table for one run (for `runs show`).
    public func rowCounts(ofRun id: Int64) throws(StoreError) -> [String: Int] {
        try reading("count run \(id)'s rows") { db in
            var counts: [String: Int] = [:]
            for table in Self.resultTables where table != "run_summaries" {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE run_id = ?", arguments: [id]) ?? 0
            }
            return counts
        }
    }
}
