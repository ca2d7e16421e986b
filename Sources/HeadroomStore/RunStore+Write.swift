import Foundation
import GRDB
import GRDBSQLite
import Headroom

extension RunStore {
    /// The version written into every run.
    public static let headroomVersion = "0.3.0-dev"

    /// Where a run belongs: a sweep and its variant label, or a single run.
    public struct Placement: Sendable {
        public var sweepID: Int64?
        public var variant: String
        public init(sweepID: Int64? = nil, variant: String) {
            self.sweepID = sweepID
            self.variant = variant
        }
    }

    /// What `save` did: stored the run under a new id, or found its sweep already holding it.
    public struct SavedRun: Sendable, Equatable {
        /// The run's id in this store (the earlier one's, when already stored).
        public var id: Int64
        /// True when another writer (a second `sweep --resume` on the same store) stored this
        /// sweep job first; the run was not stored again.
        public var alreadyStored: Bool
    }

    /// Stores one run — scenario text, run row, summary, deployment summaries, series, the decisions
    /// `decisions` keeps, cold starts and request sample — in a single transaction, so a crash
    /// leaves no half-written run. SQLite assigns the
    /// id. A single run is always new (running a scenario again is a new run); a sweep's job is
    /// stored once per sweep, checked inside the same transaction, so concurrent writers of one
    /// sweep never collide. The decisions' JSON and the scenario hash are made before the write
    /// transaction, so parallel sweep workers hold the store's one writer only for the inserts.
    @discardableResult
    public func save(
        _ result: RunResult, document: ScenarioDocument, scenario: Scenario, placement: Placement, startedAt: Date, wallSeconds: Double,
        decisions: DecisionStorage = .all
    ) throws(StoreError) -> SavedRun {
        let hash = Self.hash(document.yaml)
        let decisionRows = decisions.kept(result.decisions).map(DecisionRow.init)
        return try writing("store the run") { db in
            let key = Self.runKey(scenarioHash: hash, seed: scenario.seed, variant: placement.variant)
            if let sweepID = placement.sweepID,
               let existing = try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE sweep_id = ? AND run_key = ?", arguments: [sweepID, key]) {
                return SavedRun(id: existing, alreadyStored: true)
            }
            var scenarioRecord = try ScenarioRecord.filter(Column("hash") == hash).fetchOne(db)
            if scenarioRecord == nil {
                var fresh = ScenarioRecord(id: nil, name: scenario.name, yaml: document.yaml, hash: hash)
                try fresh.insert(db)
                scenarioRecord = fresh
            }
            guard let scenarioID = scenarioRecord?.id else { throw StoreError("\(name): the scenario row has no id") }
            var run = RunRecord(
                id: nil, runUid: UUID().uuidString.lowercased(), runKey: key,
                scenarioId: scenarioID, sweepId: placement.sweepID, variant: placement.variant,
                policyKind: scenario.policy.kind.rawValue, seed: Int64(bitPattern: scenario.seed),
                headroomVersion: Self.headroomVersion, startedAt: startedAt, wallSeconds: wallSeconds, status: "finished",
                profile: result.summary.profile?.name, profileProvenance: result.summary.profile?.provenance,
                profileEstimate: result.summary.profile?.estimate)
            try run.insert(db)
            guard let id = run.id else { throw StoreError("\(name): the run row has no id") }
            try Self.insertResults(result, runID: id, decisions: decisionRows, db: db)
            return SavedRun(id: id, alreadyStored: false)
        }
    }

    /// Inserts a run's rows through one prepared statement per table, inside the caller's transaction.
    static func insertResults(_ result: RunResult, runID: Int64, decisions: [DecisionRow], db: Database) throws {
        let summary = RunSummaryRecord.values(result.summary)
        let columns = ["run_id"] + summary.keys.sorted()
        try db.execute(
            sql: "INSERT INTO run_summaries (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
            arguments: StatementArguments([runID as DatabaseValueConvertible] + summary.keys.sorted().map { summary[$0]! }))
        try DeploymentSummaryRecord.insert(result.summary.deployments ?? [], runID: runID, db: db)
        let seriesColumns = ["run_id", "time"] + SeriesRecord.Columns.counts + SeriesRecord.Columns.optionalReals
        let series = try db.makeStatement(sql: "INSERT INTO run_series (\(seriesColumns.joined(separator: ", "))) VALUES (\(seriesColumns.map { _ in "?" }.joined(separator: ", ")))")
        for point in result.series {
            try series.insertRow([runID.databaseValue] + SeriesRecord.values(point))
        }
        let quantile = try db.makeStatement(sql: "INSERT INTO latency_quantiles (run_id, metric, percentile, seconds) VALUES (?, ?, ?, ?)")
        let q = result.quantiles
        for (metric, values) in [("ttft", q.ttft), ("itl", q.itl), ("e2e", q.e2e), ("queue_wait", q.queueWait)] {
            for (percentile, seconds) in zip(LatencyQuantiles.percentiles, values) {
                try quantile.execute(arguments: [runID, metric, percentile, seconds])
            }
        }
        let decision = try db.makeStatement(sql: """
            INSERT INTO decisions (run_id, time, replicas_ready, replicas_starting, replicas_pending, activator_queue, signals,
                                   desired_replicas, reason, excess_burst_capacity, active, query_values, deployment)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for row in decisions {
            let record = row.record
            try decision.insertRow([
                runID.databaseValue, record.time.databaseValue, record.replicas.ready.databaseValue,
                record.replicas.starting.databaseValue, record.replicas.pending.databaseValue, record.activatorQueue.databaseValue,
                row.signals.databaseValue, record.desiredReplicas.databaseValue, record.reason.databaseValue,
                record.excessBurstCapacity.databaseValue, record.active.databaseValue, row.queryValues.databaseValue,
                record.deployment.databaseValue,
            ])
        }
        let coldStart = try db.makeStatement(sql: """
            INSERT INTO cold_starts (run_id, requested_at, pending_seconds, pull_seconds, load_seconds, warmup_seconds, image_cached,
                                     weights_cached, waited_for_node, ready_at, outcome, stopped_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for start in result.coldStarts {
            try coldStart.execute(arguments: [runID, start.requestedAt.seconds, start.pendingSeconds, start.pullSeconds, start.loadSeconds,
                                              start.warmupSeconds, start.imageCached, start.weightsCached, start.waitedForNode,
                                              start.readyAt?.seconds, start.outcome.rawValue, start.stoppedAt?.rawValue])
        }
        let loss = try db.makeStatement(sql: "INSERT INTO input_losses (run_id, position, kind, message) VALUES (?, ?, ?, ?)")
        let losses = result.summary.inputLosses
        for (position, (kind, message)) in (losses.examples.map { ("skipped_row", $0) } + (losses.readError.map { [("read_error", $0)] } ?? []))
            .enumerated() {
            try loss.execute(arguments: [runID, position, kind, message])
        }
        let poolCost = try db.makeStatement(sql: "INSERT INTO pool_costs (run_id, pool, pricing, dollars, billed_seconds) VALUES (?, ?, ?, ?, ?)")
        for cost in result.summary.cost.byPool ?? [] {
            try poolCost.execute(arguments: [runID, cost.pool, cost.pricing.rawValue, cost.dollars, cost.billedSeconds])
        }
        let sample = try db.makeStatement(sql: """
            INSERT INTO request_samples (run_id, serial, arrival, prompt_tokens, output_tokens, admitted, first_token, finished,
                                         dropped_reason, deployment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for request in result.requests {
            try sample.execute(arguments: [runID, request.serial, request.arrival, request.promptTokens, request.outputTokens,
                                           request.admitted, request.firstToken, request.finished, request.dropped?.rawValue,
                                           request.deployment])
        }
    }

    /// Creates the sweep if it is new; returns its id either way (so a re-run resumes it). Check
    /// and insert share one transaction, so two processes starting one sweep get one row.
    public func sweep(named name: String, file: String) throws(StoreError) -> Int64 {
        try writing("record the sweep '\(name)'") { db in
            if let existing = try SweepRecord.filter(Column("name") == name).fetchOne(db), let id = existing.id { return id }
            var sweep = SweepRecord(id: nil, name: name, file: file, createdAt: Date())
            try sweep.insert(db)
            guard let id = sweep.id else { throw StoreError("\(self.name): the sweep row has no id") }
            return id
        }
    }

    /// A 128-bit content hash (two FNV-1a passes with different offsets): an identity for
    /// de-duplication, not a security measure.
    public static func hash(_ text: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x84222325_cbf29ce4
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 &+ 0x9e37_79b9
        }
        return String(a, radix: 16).leftPadded(16) + String(b, radix: 16).leftPadded(16)
    }

    /// What a run ran: the scenario text (which includes every override), the seed and the variant.
    /// A sweep's resume key (unique within the sweep); not a run's identity (see `RunRecord.runUid`).
    public static func runKey(scenarioHash: String, seed: UInt64, variant: String) -> String {
        hash("\(scenarioHash)|\(seed)|\(variant)")
    }
}

extension Statement {
    /// Inserts one row of plain `DatabaseValue`s, bound straight to the SQLite statement.
    /// `execute(arguments:)` boxes each value as an existential and builds the arguments twice per
    /// row, which cost more than SQLite's insert; runs store thousands of decisions. Inside
    /// GRDB's write transaction, like every other statement here.
    func insertRow(_ values: [DatabaseValue]) throws {
        let statement = sqliteStatement
        guard values.count == Int(sqlite3_bind_parameter_count(statement)) else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "\(values.count) values for the columns of: \(sql)")
        }
        sqlite3_reset(statement)
        for (index, value) in values.enumerated() {
            let code = value.bind(to: statement, at: CInt(index + 1))
            guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "binding \(index + 1) of: \(sql)") }
        }
        let code = sqlite3_step(statement)
        sqlite3_clear_bindings(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))), sql: sql)
        }
    }
}

/// A decision with its JSON columns already written.
struct DecisionRow {
    var record: DecisionRecord
    var signals: String
    var queryValues: String?

    init(_ record: DecisionRecord) {
        self.record = record
        signals = DecisionJSON.signals(record.signals)
        queryValues = record.queryValues.map(DecisionJSON.queryValues)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
