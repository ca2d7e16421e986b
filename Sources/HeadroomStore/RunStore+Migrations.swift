import GRDB

extension RunStore {
    /// The schema, one named migration per version. Shipped migrations are never edited: a change
    /// is a new migration.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: scenarios, sweeps, runs and their results") { db in
            try db.create(table: "scenarios") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("yaml", .text).notNull()
                t.column("hash", .text).notNull().unique()
            }
            try db.create(table: "sweeps") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("file", .text).notNull()
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run_key", .text).notNull().unique()
                t.column("scenario_id", .integer).notNull().references("scenarios")
                t.column("sweep_id", .integer).references("sweeps")
                t.column("variant", .text).notNull()
                t.column("policy_kind", .text).notNull()
                t.column("seed", .integer).notNull()
                t.column("headroom_version", .text).notNull()
                t.column("started_at", .datetime).notNull()
                t.column("wall_seconds", .double).notNull()
                t.column("status", .text).notNull()
            }
            try db.create(index: "runs_by_sweep", on: "runs", columns: ["sweep_id", "variant", "seed"])
            try db.create(table: "run_summaries") { t in
                t.primaryKey("run_id", .integer).references("runs", onDelete: .cascade)
                t.column("duration_seconds", .double).notNull()
                t.column("events", .integer).notNull()
                for column in RunSummaryRecord.Columns.counts { t.column(column, .integer).notNull() }
                for column in RunSummaryRecord.Columns.reals { t.column(column, .double).notNull() }
            }
            try db.create(table: "run_series") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("time", .double).notNull()
                for column in SeriesRecord.Columns.counts { t.column(column, .integer).notNull() }
                t.primaryKey(["run_id", "time"])
            }
            try db.create(table: "decisions") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("time", .double).notNull()
                t.column("replicas_ready", .integer).notNull()
                t.column("replicas_starting", .integer).notNull()
                t.column("replicas_pending", .integer).notNull()
                t.column("activator_queue", .integer).notNull()
                t.column("signals", .text).notNull()
                t.column("desired_replicas", .integer).notNull()
                t.column("reason", .text).notNull()
            }
            try db.create(index: "decisions_by_run", on: "decisions", columns: ["run_id", "time"])
            try db.create(table: "cold_starts") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("requested_at", .double).notNull()
                t.column("pending_seconds", .double).notNull()
                t.column("pull_seconds", .double).notNull()
                t.column("load_seconds", .double).notNull()
                t.column("warmup_seconds", .double).notNull()
                t.column("image_cached", .boolean).notNull()
                t.column("weights_cached", .boolean).notNull()
                t.column("waited_for_node", .boolean).notNull()
                t.column("ready_at", .double)
            }
            try db.create(table: "request_samples") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("serial", .integer).notNull()
                t.column("arrival", .double).notNull()
                t.column("prompt_tokens", .integer).notNull()
                t.column("output_tokens", .integer).notNull()
                t.column("admitted", .double)
                t.column("first_token", .double)
                t.column("finished", .double)
                t.column("dropped_reason", .text)
                t.primaryKey(["run_id", "serial"])
            }
        }
        migrator.registerMigration("v2: TTFT over time and latency distributions") { db in
            try db.alter(table: "run_series") { t in
                for column in SeriesRecord.Columns.optionalReals { t.add(column: column, .double) }
            }
            try db.create(table: "latency_quantiles") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("metric", .text).notNull()
                t.column("percentile", .double).notNull()
                t.column("seconds", .double).notNull()
                t.primaryKey(["run_id", "metric", "percentile"])
            }
        }
        migrator.registerMigration("v-run-identity: every run its own row; resume keys unique per sweep") { db in
            try Self.migrateRunIdentity(db)
        }
        migrator.registerMigration("v-input-losses: skipped trace rows, stockouts, cancelled cold starts") { db in
            // NULL in runs stored before: those were not counted.
            try db.alter(table: "run_summaries") { t in
                for column in RunSummaryRecord.Columns.lossCounts { t.add(column: column, .integer) }
            }
            // The first skipped rows (`file:line: reason`) and a trace read that failed, in order.
            try db.create(table: "input_losses") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("position", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("message", .text).notNull()
                t.primaryKey(["run_id", "position"])
            }
            // Runs stored before recorded ready starts only (NULL outcome).
            try db.alter(table: "cold_starts") { t in
                t.add(column: "outcome", .text)
                t.add(column: "stopped_at", .text)
            }
        }
        migrator.registerMigration("v-profile: the iteration-time profile a run used, measured or an estimate") { db in
            // NULL in runs stored before: which profile they used was not recorded.
            try db.alter(table: "runs") { t in
                t.add(column: "profile", .text)
                t.add(column: "profile_provenance", .text)
                t.add(column: "profile_estimate", .boolean)
            }
        }
        migrator.registerMigration("v-upstream-exact: KPA excess burst capacity and KEDA Active per decision; requests lost to failed replicas") { db in
            // NULL for other policies, and in runs stored before (not recorded then).
            try db.alter(table: "decisions") { t in
                t.add(column: "excess_burst_capacity", .double)
                t.add(column: "active", .boolean)
            }
            try db.alter(table: "run_summaries") { t in
                for column in RunSummaryRecord.Columns.failureCounts { t.add(column: column, .integer) }
            }
        }
        migrator.registerMigration("v-query-values: what each PromQL query returned at each decision") { db in
            // JSON `[{query, values, error}]`; NULL for policies without queries, and in runs stored before.
            try db.alter(table: "decisions") { t in t.add(column: "query_values", .text) }
        }
        migrator.registerMigration("v-billing: cost by node pool and pricing kind") { db in
            try db.alter(table: "run_summaries") { t in
                for column in RunSummaryRecord.Columns.costByPricing { t.add(column: column, .double) }
            }
            // No rows for runs stored before: their cost was not split (`CostSummary.byPool` reads nil).
            try db.create(table: "pool_costs") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("pool", .text).notNull()
                t.column("pricing", .text).notNull()
                t.column("dollars", .double).notNull()
                t.column("billed_seconds", .double).notNull()
                t.primaryKey(["run_id", "pool", "pricing"])
            }
        }
        migrator.registerMigration("v-deployments: per-deployment summaries; the deployment of each decision and sampled request") { db in
            try Self.migrateDeployments(db)
        }
        migrator.registerMigration("v-spot: requests lost to spot interruptions") { db in
            // NULL in runs stored before (not counted then).
            try db.alter(table: "run_summaries") { t in t.add(column: "dropped_spot_interrupted", .integer) }
        }
        migrator.registerMigration("v-traffic-groups: deployments sharing one's traffic; evictions and served tokens per deployment") { db in
            try db.alter(table: "deployment_summaries") { t in
                for column in DeploymentSummaryRecord.Columns.trafficGroupTexts { t.add(column: column, .text) }
                for column in DeploymentSummaryRecord.Columns.trafficGroupCounts { t.add(column: column, .integer) }
            }
        }
        migrator.registerMigration("v-prefix-cache: prefix-cache tokens looked up and hit") { db in
            // NULL in runs without prefix caching, and in runs stored before.
            try db.alter(table: "run_summaries") { t in
                for column in RunSummaryRecord.Columns.prefixCache { t.add(column: column, column.hasSuffix("rate") ? .double : .integer) }
            }
        }
        return migrator
    }

    /// Rebuilds `runs` (SQLite cannot drop a UNIQUE constraint in place): `run_key` stops being
    /// unique across the store, `run_uid` identifies a run across stores, and `(sweep_id, run_key)`
    /// is unique among a sweep's runs. Ids are kept, so every results table still points at its run.
    /// Runs stored before take their old `run_key` as `run_uid`: it was unique, and the same in
    /// every copy or shard of a store, so merging old copies stays harmless. GRDB runs migrations
    /// with foreign keys off, so dropping the old table deletes no results.
    static func migrateRunIdentity(_ db: Database) throws {
        try db.create(table: "runs_new") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("run_uid", .text).notNull().unique()
            t.column("run_key", .text).notNull()
            t.column("scenario_id", .integer).notNull().references("scenarios")
            t.column("sweep_id", .integer).references("sweeps")
            t.column("variant", .text).notNull()
            t.column("policy_kind", .text).notNull()
            t.column("seed", .integer).notNull()
            t.column("headroom_version", .text).notNull()
            t.column("started_at", .datetime).notNull()
            t.column("wall_seconds", .double).notNull()
            t.column("status", .text).notNull()
        }
        let kept = "id, run_key, scenario_id, sweep_id, variant, policy_kind, seed, headroom_version, started_at, wall_seconds, status"
        try db.execute(sql: "INSERT INTO runs_new (run_uid, \(kept)) SELECT run_key, \(kept) FROM runs")
        try db.drop(table: "runs")
        try db.rename(table: "runs_new", to: "runs")
        try db.create(index: "runs_by_sweep", on: "runs", columns: ["sweep_id", "variant", "seed"])
        try db.create(index: "runs_resume_key", on: "runs", columns: ["sweep_id", "run_key"], unique: true,
                      condition: Column("sweep_id") != nil)
    }

    /// The tables holding one run's results, each keyed by `run_id` (merge, export and `runs show` walk them).
    public static let resultTables = ["run_summaries", "run_series", "decisions", "cold_starts", "request_samples", "latency_quantiles",
                                      "input_losses", "pool_costs", "deployment_summaries"]
}
