import Foundation
import GRDB
import Headroom

/// The `deployment_summaries` columns: one row per deployment of a run with several, flat like
/// `run_summaries` and named as they are there wherever the figure means the same thing for one
/// deployment (`ttft_p99_seconds`, `slo_both`, `cost_dollars`…), so `compare --deployment`
/// compares them with the same code and a query can union both tables.
public enum DeploymentSummaryRecord {
    public enum Columns {
        /// `gpu_hours_by_pool`: JSON `{pool: GPU-hours held there}`.
        public static let texts = ["model", "policy", "profile", "profile_provenance", "gpu_hours_by_pool"]
        public static let booleans = ["profile_estimate"]
        /// Written out, not derived from `DropReason.allCases`: the `v-deployments` migration creates
        /// exactly these, and a reason added later comes with its own migration.
        public static let counts = [
            "priority", "arrived", "finished", "dropped", "in_flight", "cold_starts_started", "cold_starts_completed",
            "cold_starts_cancelled", "cold_starts_unfinished", "prompt_tokens", "output_tokens", "preemptions", "peak_replicas",
            "replica_failures", "dropped_activator_full", "dropped_activator_timeout", "dropped_queue_timeout",
            "dropped_exceeds_kv_cache", "dropped_exceeds_max_num_batched_tokens", "dropped_replica_failed", "dropped_spot_interrupted",
        ]
        /// Added by `v-traffic-groups` (NULL in runs stored before): the deployment whose traffic it
        /// shares, replicas evicted for a higher priority, tokens its own replicas served where
        /// traffic is shared.
        public static let trafficGroupTexts = ["shares_traffic_with"]
        public static let trafficGroupCounts = ["evicted", "served_prompt_tokens", "served_output_tokens"]
        /// GPU-hours its replicas held (`gpu_hours_held` = starting + serving + idle), its share of
        /// the bill and that share per million prompt and output tokens of its finished requests.
        public static let reals = RunSummaryRecord.Columns.latency("ttft") + RunSummaryRecord.Columns.latency("itl")
            + RunSummaryRecord.Columns.latency("e2e") + RunSummaryRecord.Columns.latency("queue_wait") + [
                "slo_ttft_target_seconds", "slo_itl_target_seconds", "slo_ttft", "slo_itl", "slo_both", "output_tokens_per_second",
                "cold_start_mean_seconds", "cold_start_max_seconds", "cold_start_mean_pending_seconds", "cold_start_mean_pull_seconds",
                "cold_start_mean_load_seconds", "cold_start_mean_warmup_seconds", "gpu_hours_starting", "gpu_hours_serving",
                "gpu_hours_idle", "gpu_hours_held", "cost_dollars", "cost_per_million_input_tokens", "cost_per_million_output_tokens",
            ]
    }

    /// Column → value for one deployment (its name and the run id excluded).
    static func values(_ d: DeploymentSummary) throws -> [String: DatabaseValueConvertible] {
        let byPool = try JSONSerialization.data(withJSONObject: d.gpuSecondsByPool.mapValues { $0 / 3600 }, options: [.sortedKeys])
        var values: [String: DatabaseValueConvertible] = [
            "model": d.model, "policy": d.policy, "priority": d.priority,
            "profile": nullable(d.profile?.name), "profile_provenance": nullable(d.profile?.provenance),
            "profile_estimate": nullable(d.profile?.estimate),
            "gpu_hours_by_pool": String(decoding: byPool, as: UTF8.self),
            "arrived": d.requests.arrived, "finished": d.requests.finished, "dropped": d.requests.dropped, "in_flight": d.requests.inFlight,
            "cold_starts_started": d.coldStarts.started, "cold_starts_completed": d.coldStarts.completed,
            "cold_starts_cancelled": d.coldStarts.cancelled, "cold_starts_unfinished": d.coldStarts.unfinished,
            "prompt_tokens": d.tokens.prompt, "output_tokens": d.tokens.output, "preemptions": d.preemptions,
            "peak_replicas": d.peakReplicas, "replica_failures": d.replicaFailures,
            "slo_ttft_target_seconds": d.slo.ttftTargetSeconds, "slo_itl_target_seconds": d.slo.itlTargetSeconds,
            "slo_ttft": d.slo.ttft, "slo_itl": d.slo.itl, "slo_both": d.slo.both, "output_tokens_per_second": d.tokens.outputPerSecond,
            "cold_start_mean_seconds": d.coldStarts.meanTotal, "cold_start_max_seconds": d.coldStarts.maxTotal,
            "cold_start_mean_pending_seconds": d.coldStarts.meanPending, "cold_start_mean_pull_seconds": d.coldStarts.meanPull,
            "cold_start_mean_load_seconds": d.coldStarts.meanLoad, "cold_start_mean_warmup_seconds": d.coldStarts.meanWarmup,
            "gpu_hours_starting": d.gpuSeconds.starting / 3600, "gpu_hours_serving": d.gpuSeconds.serving / 3600,
            "gpu_hours_idle": d.gpuSeconds.idle / 3600, "gpu_hours_held": Self.heldSeconds(d) / 3600,
            "cost_dollars": d.cost.dollars, "cost_per_million_input_tokens": d.cost.perMillionInputTokens,
            "cost_per_million_output_tokens": d.cost.perMillionOutputTokens,
            "shares_traffic_with": nullable(d.sharesTrafficWith), "evicted": nullable(d.evicted),
            "served_prompt_tokens": nullable(d.servedTokens?.prompt), "served_output_tokens": nullable(d.servedTokens?.output),
        ]
        for reason in DropReason.allCases { values["dropped_\(reason.rawValue)"] = d.requests.droppedByReason[reason.rawValue] ?? 0 }
        for (name, stats) in [("ttft", d.ttft), ("itl", d.itl), ("e2e", d.e2e), ("queue_wait", d.queueWait)] {
            for (suffix, value) in [("mean", stats.mean), ("p50", stats.p50), ("p90", stats.p90), ("p99", stats.p99), ("max", stats.max)] {
                values["\(name)_\(suffix)_seconds"] = value
            }
        }
        return values
    }

    static func nullable(_ value: DatabaseValueConvertible?) -> DatabaseValueConvertible { value ?? DatabaseValue.null }

    /// GPU-seconds a deployment's replicas held: starting, serving and idle (provisioning and
    /// unallocated GPUs are the cluster's, see `DeploymentSummary.gpuSeconds`).
    public static func heldSeconds(_ d: DeploymentSummary) -> Double { d.gpuSeconds.starting + d.gpuSeconds.serving + d.gpuSeconds.idle }

    static func insert(_ deployments: [DeploymentSummary], runID: Int64, db: Database) throws {
        for (position, deployment) in deployments.enumerated() {
            let values = try Self.values(deployment)
            let names = values.keys.sorted()
            let columns = ["run_id", "deployment", "position"] + names
            try db.execute(
                sql: "INSERT INTO deployment_summaries (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                arguments: StatementArguments([runID, deployment.name, position] + names.map { values[$0]! }))
        }
    }
}
