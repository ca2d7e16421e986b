import Foundation
import GRDB
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

    /// Stores one run — scenario text, run row, summary, deployment summaries, series, decisions, cold
    /// starts and request sample — in a single transaction, so a crash leaves no half-written run. SQLite assigns the
    /// id. A single run is always new (running a scenario again is a new run); a sweep's job is
    /// stored once per sweep, checked inside the same transaction, so concurrent writers of one
    /// sweep never collide.
    @discardableResult
    public func save(
        _ result: RunResult, document: ScenarioDocument, scenario: Scenario, placement: Placement, startedAt: Date, wallSeconds: Double
    ) throws(StoreError) -> SavedRun {
        try writing("store the run") { db in
            let hash = Self.hash(document.yaml)
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
            try Self.insertResults(result, runID: id, db: db)
            return SavedRun(id: id, alreadyStored: false)
        }
    }

    static func insertResults(_ result: RunResult, runID: Int64, db: Database) throws {
        let summary = RunSummaryRecord.values(result.summary)
        let columns = ["run_id"] + summary.keys.sorted()
        try db.execute(
            sql: "INSERT INTO run_summaries (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
            arguments: StatementArguments([runID as DatabaseValueConvertible] + summary.keys.sorted().map { summary[$0]! }))
        try DeploymentSummaryRecord.insert(result.summary.deployments ?? [], runID: runID, db: db)
        let seriesColumns = ["run_id", "time"] + SeriesRecord.Columns.counts + SeriesRecord.Columns.optionalReals
        let series = try db.makeStatement(sql: "INSERT INTO run_series (\(seriesColumns.joined(separator: ", "))) VALUES (\(seriesColumns.map { _ in "?" }.joined(separator: ", ")))")
        for point in result.series {
            try series.execute(arguments: StatementArguments([runID as DatabaseValueConvertible?] + SeriesRecord.values(point)))
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.keyEncodingStrategy = .convertToSnakeCase
        for record in result.decisions {
            let signals = String(decoding: try encoder.encode(record.signals), as: UTF8.self)
            let queryValues = try record.queryValues.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            try decision.execute(arguments: [runID, record.time, record.replicas.ready, record.replicas.starting, record.replicas.pending,
                                             record.activatorQueue, signals, record.desiredReplicas, record.reason,
                                             record.excessBurstCapacity, record.active, queryValues, record.deployment])
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

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
