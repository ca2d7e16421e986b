import Foundation
import GRDB
import Headroom

/// A row of `scenarios`: the resolved YAML a run used, stored once per distinct text.
public struct ScenarioRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "scenarios"
    public var id: Int64?
    public var name: String
    public var yaml: String
    public var hash: String

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `sweeps`.
public struct SweepRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "sweeps"
    public var id: Int64?
    public var name: String
    public var file: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey { case id, name, file, createdAt = "created_at" }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `runs`: one simulation of one scenario with one seed.
public struct RunRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "runs"
    /// Assigned by SQLite: a run's identity within its store.
    public var id: Int64?
    /// A run's identity across stores (a random UUID; merges skip runs whose uid is present).
    public var runUid: String
    /// What was run: a hash of the scenario text, the seed and the variant. Not unique — running a
    /// scenario again is a new run — except within one sweep, where it is the resume key.
    public var runKey: String
    public var scenarioId: Int64
    public var sweepId: Int64?
    /// The sweep variant's label (`policy=kpa, seed-free overrides`), or the policy kind for a single run.
    public var variant: String
    public var policyKind: String
    public var seed: Int64
    public var headroomVersion: String
    public var startedAt: Date
    public var wallSeconds: Double
    /// `finished` (a run is written whole or not at all).
    public var status: String
    /// The iteration-time profile's name, provenance and whether it is an estimate (`v-profile`;
    /// NULL in runs stored before).
    public var profile: String? = nil
    public var profileProvenance: String? = nil
    public var profileEstimate: Bool? = nil

    enum CodingKeys: String, CodingKey {
        case id, runUid = "run_uid", runKey = "run_key", scenarioId = "scenario_id", sweepId = "sweep_id", variant, policyKind = "policy_kind", seed
        case headroomVersion = "headroom_version", startedAt = "started_at", wallSeconds = "wall_seconds", status
        case profile, profileProvenance = "profile_provenance", profileEstimate = "profile_estimate"
    }

    /// The profile as the summary carries it (nil for runs stored before it was recorded).
    public var profileUsed: ProfileUsed? {
        guard let profile else { return nil }
        return ProfileUsed(name: profile, provenance: profileProvenance ?? "", estimate: profileEstimate ?? false)
    }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The `run_summaries` columns, flat so that `sqlite3` and pandas read them directly.
public enum RunSummaryRecord {
    public enum Columns {
        public static let counts = [
            "arrived", "finished", "dropped", "in_flight", "dropped_activator_full", "dropped_activator_timeout",
            "dropped_queue_timeout", "dropped_exceeds_kv_cache", "dropped_exceeds_max_num_batched_tokens", "cold_starts_started",
            "cold_starts_completed", "prompt_tokens", "output_tokens", "preemptions", "peak_replicas", "peak_nodes",
        ]
        public static let reals = latency("ttft") + latency("itl") + latency("e2e") + latency("queue_wait") + [
            "slo_ttft_target_seconds", "slo_itl_target_seconds", "slo_ttft", "slo_itl", "slo_both", "output_tokens_per_second",
            "cold_start_mean_seconds", "cold_start_max_seconds", "cold_start_mean_pending_seconds", "cold_start_mean_pull_seconds",
            "cold_start_mean_load_seconds", "cold_start_mean_warmup_seconds", "gpu_hours_provisioning", "gpu_hours_starting",
            "gpu_hours_serving", "gpu_hours_idle", "gpu_hours_unallocated", "gpu_hours_total", "cost_dollars",
            "cost_per_million_output_tokens", "node_seconds",
        ]
        /// Added by the `v-input-losses` migration (NULL in older runs): what the run lost or
        /// counted apart — skipped trace rows, stockouts, cold starts that never became ready.
        public static let lossCounts = ["input_rows_skipped", "stockouts", "cold_starts_cancelled", "cold_starts_unfinished"]
        /// Added by the `v-upstream-exact` migration (NULL in older runs): injected replica
        /// failures and the requests lost with them.
        public static let failureCounts = ["dropped_replica_failed", "replica_failures"]
        /// Added by the `v-billing` migration (NULL in older runs): dollars by pricing kind over
        /// every pool (the split by pool is the `pool_costs` table).
        public static let costByPricing = ["cost_on_demand_dollars", "cost_reserved_dollars"]
        /// Added by the `v-deployments` migration: with several deployments, the dollars no
        /// deployment's replicas held (NULL with one deployment, and in older runs).
        public static let deploymentCosts = ["cost_unattributed_dollars"]
        /// Added by the `v-prefix-cache` migration: prompt tokens looked up in the replicas'
        /// prefix caches, found there, and the share found (NULL without prefix caching, and in
        /// older runs; the cluster's only, not per deployment).
        public static let prefixCache = ["prefix_cache_queried_tokens", "prefix_cache_hit_tokens", "prefix_cache_hit_rate"]
        static func latency(_ name: String) -> [String] { ["mean", "p50", "p90", "p99", "max"].map { "\(name)_\($0)_seconds" } }
    }

    /// Column → value for one summary.
    static func values(_ s: RunSummary) -> [String: DatabaseValueConvertible] {
        var values: [String: DatabaseValueConvertible] = [
            "duration_seconds": s.durationSeconds, "events": s.events,
            "arrived": s.requests.arrived, "finished": s.requests.finished, "dropped": s.requests.dropped,
            "in_flight": s.requests.inFlight, "cold_starts_started": s.coldStarts.started,
            "cold_starts_completed": s.coldStarts.completed, "prompt_tokens": s.tokens.prompt, "output_tokens": s.tokens.output,
            "preemptions": s.preemptions, "peak_replicas": s.peakReplicas, "peak_nodes": s.peakNodes,
            "slo_ttft_target_seconds": s.slo.ttftTargetSeconds, "slo_itl_target_seconds": s.slo.itlTargetSeconds,
            "slo_ttft": s.slo.ttft, "slo_itl": s.slo.itl, "slo_both": s.slo.both, "output_tokens_per_second": s.tokens.outputPerSecond,
            "cold_start_mean_seconds": s.coldStarts.meanTotal, "cold_start_max_seconds": s.coldStarts.maxTotal,
            "cold_start_mean_pending_seconds": s.coldStarts.meanPending, "cold_start_mean_pull_seconds": s.coldStarts.meanPull,
            "cold_start_mean_load_seconds": s.coldStarts.meanLoad, "cold_start_mean_warmup_seconds": s.coldStarts.meanWarmup,
            "gpu_hours_provisioning": s.gpuSeconds.provisioning / 3600, "gpu_hours_starting": s.gpuSeconds.starting / 3600,
            "gpu_hours_serving": s.gpuSeconds.serving / 3600, "gpu_hours_idle": s.gpuSeconds.idle / 3600,
            "gpu_hours_unallocated": s.gpuSeconds.unallocated / 3600, "gpu_hours_total": s.gpuSeconds.total / 3600,
            "cost_dollars": s.cost.dollars, "cost_per_million_output_tokens": s.cost.perMillionOutputTokens,
            "node_seconds": s.cost.nodeSeconds,
        ]
        for reason in DropReason.allCases { values["dropped_\(reason.rawValue)"] = s.requests.droppedByReason[reason.rawValue] ?? 0 }
        values["input_rows_skipped"] = s.inputLosses.traceRowsSkipped
        values["stockouts"] = s.stockouts
        values["replica_failures"] = s.replicaFailures
        values["cold_starts_cancelled"] = s.coldStarts.cancelled
        values["cold_starts_unfinished"] = s.coldStarts.unfinished
        if let onDemand = s.cost.dollars(.onDemand), let reserved = s.cost.dollars(.reserved) {
            values["cost_on_demand_dollars"] = onDemand
            values["cost_reserved_dollars"] = reserved
        }
        values["cost_unattributed_dollars"] = s.cost.unattributedDollars ?? DatabaseValue.null
        values["prefix_cache_queried_tokens"] = s.prefixCache?.queriedTokens ?? DatabaseValue.null
        values["prefix_cache_hit_tokens"] = s.prefixCache?.hitTokens ?? DatabaseValue.null
        values["prefix_cache_hit_rate"] = s.prefixCache?.hitRate ?? DatabaseValue.null
        for (name, stats) in [("ttft", s.ttft), ("itl", s.itl), ("e2e", s.e2e), ("queue_wait", s.queueWait)] {
            for (suffix, value) in [("mean", stats.mean), ("p50", stats.p50), ("p90", stats.p90), ("p99", stats.p99), ("max", stats.max)] {
                values["\(name)_\(suffix)_seconds"] = value
            }
        }
        return values
    }
}

/// The `run_series` columns.
public enum SeriesRecord {
    public enum Columns {
        public static let counts = [
            "arrivals", "finished", "dropped", "in_flight", "activator_queue", "running", "replicas_pending", "replicas_starting",
            "replicas_ready", "replicas_draining", "busy_replicas", "desired_replicas", "nodes_provisioning", "nodes_ready",
        ]
        /// NULL where no request finished in the interval (and in runs stored before schema v2).
        public static let optionalReals = ["ttft_p50_seconds", "ttft_p99_seconds"]
    }

    static func values(_ p: SeriesPoint) -> [DatabaseValue] {
        [p.time.databaseValue, p.arrivals.databaseValue, p.finished.databaseValue, p.dropped.databaseValue, p.inFlight.databaseValue,
         p.activatorQueue.databaseValue, p.running.databaseValue, p.replicas.pending.databaseValue, p.replicas.starting.databaseValue,
         p.replicas.ready.databaseValue, p.replicas.draining.databaseValue, p.busyReplicas.databaseValue, p.desiredReplicas.databaseValue,
         p.nodesProvisioning.databaseValue, p.nodesReady.databaseValue, p.ttftP50.databaseValue, p.ttftP99.databaseValue]
    }
}
