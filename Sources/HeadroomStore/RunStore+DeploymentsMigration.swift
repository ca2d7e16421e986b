import GRDB

extension RunStore {
    /// Several deployments on one cluster (issue 19). Runs stored before, and runs of one
    /// deployment, have no `deployment_summaries` rows and NULL `deployment` cells: their summary
    /// is their one deployment's.
    ///
    /// - `deployment_summaries`: one row per deployment, `position` its place in the scenario.
    /// - `decisions.deployment`: whose policy decided.
    /// - `run_summaries.cost_unattributed_dollars`: the bill no deployment's replicas held.
    /// - `request_samples` is rebuilt with a `deployment` column: a request's `serial` counts
    ///   within its deployment, so `(run_id, serial)` no longer identifies it; `(run_id,
    ///   deployment, serial)` does (a unique index treating NULL as one deployment).
    static func migrateDeployments(_ db: Database) throws {
        try db.create(table: "deployment_summaries") { t in
            t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
            t.column("deployment", .text).notNull()
            t.column("position", .integer).notNull()
            for column in DeploymentSummaryRecord.Columns.texts { t.column(column, .text) }
            for column in DeploymentSummaryRecord.Columns.booleans { t.column(column, .boolean) }
            for column in DeploymentSummaryRecord.Columns.counts { t.column(column, .integer).notNull() }
            for column in DeploymentSummaryRecord.Columns.reals { t.column(column, .double).notNull() }
            t.primaryKey(["run_id", "deployment"])
        }
        try db.alter(table: "decisions") { t in t.add(column: "deployment", .text) }
        try db.alter(table: "run_summaries") { t in t.add(column: "cost_unattributed_dollars", .double) }
        try db.create(table: "request_samples_new") { t in
            t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
            t.column("serial", .integer).notNull()
            t.column("arrival", .double).notNull()
            t.column("prompt_tokens", .integer).notNull()
            t.column("output_tokens", .integer).notNull()
            t.column("admitted", .double)
            t.column("first_token", .double)
            t.column("finished", .double)
            t.column("dropped_reason", .text)
            t.column("deployment", .text)
        }
        let kept = "run_id, serial, arrival, prompt_tokens, output_tokens, admitted, first_token, finished, dropped_reason"
        try db.execute(sql: "INSERT INTO request_samples_new (\(kept)) SELECT \(kept) FROM request_samples")
        try db.drop(table: "request_samples")
        try db.rename(table: "request_samples_new", to: "request_samples")
        try db.execute(sql: "CREATE UNIQUE INDEX request_samples_key ON request_samples (run_id, ifnull(deployment, ''), serial)")
    }
}
