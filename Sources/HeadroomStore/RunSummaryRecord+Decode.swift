import Foundation
import GRDB
import Headroom

extension RunSummaryRecord {
    /// The `RunSummary` a run's stored columns describe — the inverse of `values(_:)` — so that
    /// `runs show` prints a stored run exactly as `headroom run` printed it. A column added to
    /// `values(_:)` belongs here too (the round-trip test fails otherwise).
    ///
    /// Built through `RunSummary`'s `Codable` form: the type has no public memberwise initializer,
    /// and decoding keeps this the only place that knows both shapes. Latency sample counts are not
    /// stored and read back as 0; a column missing from an older schema reads as 0.
    static func summary(columns c: [String: Double], scenario: String, seed: UInt64,
                        losses: [(kind: String, message: String)] = [], profile: ProfileUsed? = nil,
                        poolCosts: [PoolCost]? = nil, deployments: [DeploymentSummary] = []) throws -> RunSummary {
        // JSON has no infinity: non-finite values travel as strings the decoder turns back.
        func real(_ value: Double) -> Any { value.isFinite ? value : value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
        func number(_ column: String) -> Any { real(c[column] ?? 0) }
        func hours(_ column: String) -> Any { real((c[column] ?? 0) * 3600) }
        func count(_ column: String) -> Int { Int(exactly: (c[column] ?? 0).rounded()) ?? 0 }
        func latency(_ name: String) -> [String: Any] {
            ["count": 0, "mean": number("\(name)_mean_seconds"), "p50": number("\(name)_p50_seconds"), "p90": number("\(name)_p90_seconds"),
             "p99": number("\(name)_p99_seconds"), "max": number("\(name)_max_seconds")]
        }
        let dropped = Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0.rawValue, count("dropped_\($0.rawValue)")) })
        var object: [String: Any] = [
            "scenario": scenario, "seed": seed, "durationSeconds": number("duration_seconds"), "events": count("events"),
            "requests": ["arrived": count("arrived"), "finished": count("finished"), "dropped": count("dropped"),
                         "inFlight": count("in_flight"), "droppedByReason": dropped],
            "ttft": latency("ttft"), "itl": latency("itl"), "e2e": latency("e2e"), "queueWait": latency("queue_wait"),
            "slo": ["ttftTargetSeconds": number("slo_ttft_target_seconds"), "itlTargetSeconds": number("slo_itl_target_seconds"),
                    "ttft": number("slo_ttft"), "itl": number("slo_itl"), "both": number("slo_both")],
            "tokens": ["prompt": count("prompt_tokens"), "output": count("output_tokens"), "outputPerSecond": number("output_tokens_per_second")],
            "coldStarts": ["started": count("cold_starts_started"), "completed": count("cold_starts_completed"),
                           "cancelled": count("cold_starts_cancelled"), "unfinished": count("cold_starts_unfinished"),
                           "meanPending": number("cold_start_mean_pending_seconds"), "meanPull": number("cold_start_mean_pull_seconds"),
                           "meanLoad": number("cold_start_mean_load_seconds"), "meanWarmup": number("cold_start_mean_warmup_seconds"),
                           "meanTotal": number("cold_start_mean_seconds"), "maxTotal": number("cold_start_max_seconds")],
            "gpuSeconds": ["provisioning": hours("gpu_hours_provisioning"), "starting": hours("gpu_hours_starting"),
                           "serving": hours("gpu_hours_serving"), "idle": hours("gpu_hours_idle"), "unallocated": hours("gpu_hours_unallocated")],
            "cost": ["dollars": number("cost_dollars"), "perMillionOutputTokens": number("cost_per_million_output_tokens"),
                     "nodeSeconds": number("node_seconds")],
            "preemptions": count("preemptions"), "peakReplicas": count("peak_replicas"), "peakNodes": count("peak_nodes"),
            "stockouts": count("stockouts"), "replicaFailures": count("replica_failures"),
            "inputLosses": ["traceRowsSkipped": count("input_rows_skipped"),
                            "examples": losses.filter { $0.kind == "skipped_row" }.map(\.message)]
                .merging(losses.first { $0.kind == "read_error" }.map { ["readError": $0.message] } ?? [:]) { a, _ in a },
        ]
        if let poolCosts, var cost = object["cost"] as? [String: Any] {
            cost["byPool"] = poolCosts.map { ["pool": $0.pool, "pricing": $0.pricing.rawValue, "dollars": real($0.dollars),
                                              "billedSeconds": real($0.billedSeconds)] }
            object["cost"] = cost
        }
        if let profile { object["profile"] = ["name": profile.name, "provenance": profile.provenance, "estimate": profile.estimate] }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var summary = try decoder.decode(RunSummary.self, from: try JSONSerialization.data(withJSONObject: object))
        summary.cost.unattributedDollars = c["cost_unattributed_dollars"]
        summary.deployments = deployments.isEmpty ? nil : deployments
        return summary
    }
}

extension RunStore {
    /// One stored run's summary as a `RunSummary` (nil when there is no such run).
    public func storedSummary(ofRun id: Int64) throws(StoreError) -> RunSummary? {
        guard let listing = try runs(ids: [id]).first, let columns = try summaries(of: [id])[id] else { return nil }
        do {
            let losses = try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT kind, message FROM input_losses WHERE run_id = ? ORDER BY position", arguments: [id])
                    .map { (kind: $0["kind"] as String, message: $0["message"] as String) }
            }
            let profile = try writer.read { db in try RunRecord.fetchOne(db, key: id)?.profileUsed }
            let poolCosts = try self.poolCosts(ofRun: id)
            return try RunSummaryRecord.summary(columns: columns, scenario: listing.scenario, seed: UInt64(bitPattern: listing.seed),
                                                losses: losses, profile: profile, poolCosts: poolCosts.isEmpty ? nil : poolCosts,
                                                deployments: try storedDeployments(ofRun: id))
        } catch {
            throw StoreError("\(name): run \(id)'s stored summary does not read back as a summary (\(error)); "
                             + "`headroom runs show \(id) --json --db \(name)` prints its columns as stored")
        }
    }
}

extension RunStore {
    /// One run's cost by pool and pricing kind, in the order stored (empty for runs stored before
    /// `v-billing`).
    func poolCosts(ofRun id: Int64) throws -> [PoolCost] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT pool, pricing, dollars, billed_seconds FROM pool_costs WHERE run_id = ? ORDER BY rowid",
                             arguments: [id]).map { row in
                let pricing: String = row["pricing"]
                guard let kind = PricingKind(rawValue: pricing) else {
                    throw StoreError("run \(id)'s pool_costs names pricing `\(pricing)`, which this Headroom does not know; "
                                     + "known: \(PricingKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return PoolCost(pool: row["pool"], pricing: kind, dollars: row["dollars"], billedSeconds: row["billed_seconds"])
            }
        }
    }
}
