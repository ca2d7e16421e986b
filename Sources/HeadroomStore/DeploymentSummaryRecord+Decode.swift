import Foundation
import GRDB
import Headroom

extension DeploymentSummaryRecord {
    /// The `DeploymentSummary` a stored row describes — the inverse of `values(_:)` — so that
    /// `runs show` prints a stored run's deployments as `headroom run` did. Built through the
    /// type's `Codable` form, as `RunSummaryRecord.summary` is; latency sample counts are not
    /// stored and read back as 0, and provisioning and unallocated GPU-seconds are the cluster's (0).
    static func summary(_ row: Row) throws -> DeploymentSummary {
        // The row's cells copied out first: nested functions reading `row[column] as DatabaseValue`
        // crash Swift 6.3's optimizer (an ownership-verifier error in release builds).
        var reals: [String: Double] = [:], texts: [String: String] = [:]
        for (column, value) in row {
            if let text = String.fromDatabaseValue(value) { texts[column] = text } else if let real = Double.fromDatabaseValue(value) { reals[column] = real }
        }
        func real(_ value: Double) -> Any { value.isFinite ? value : value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
        func number(_ column: String) -> Any { real(reals[column] ?? 0) }
        func hours(_ column: String) -> Any { real((reals[column] ?? 0) * 3600) }
        func count(_ column: String) -> Int { Int(exactly: (reals[column] ?? 0).rounded()) ?? 0 }
        func text(_ column: String) -> String? { texts[column] }
        func latency(_ name: String) -> [String: Any] {
            ["count": 0, "mean": number("\(name)_mean_seconds"), "p50": number("\(name)_p50_seconds"), "p90": number("\(name)_p90_seconds"),
             "p99": number("\(name)_p99_seconds"), "max": number("\(name)_max_seconds")]
        }
        let dropped = Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0.rawValue, count("dropped_\($0.rawValue)")) })
        let byPoolHours = try text("gpu_hours_by_pool").flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Double] } ?? [:]
        var object: [String: Any] = [
            "name": text("deployment") ?? "", "model": text("model") ?? "", "policy": text("policy") ?? "", "priority": count("priority"),
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
            "gpuSeconds": ["provisioning": 0, "starting": hours("gpu_hours_starting"), "serving": hours("gpu_hours_serving"),
                           "idle": hours("gpu_hours_idle"), "unallocated": 0],
            "gpuSecondsByPool": byPoolHours.mapValues { $0 * 3600 },
            "cost": ["dollars": number("cost_dollars"), "perMillionInputTokens": number("cost_per_million_input_tokens"),
                     "perMillionOutputTokens": number("cost_per_million_output_tokens")],
            "peakReplicas": count("peak_replicas"), "preemptions": count("preemptions"), "replicaFailures": count("replica_failures"),
        ]
        if let profile = text("profile") {
            object["profile"] = ["name": profile, "provenance": text("profile_provenance") ?? "",
                                 "estimate": (reals["profile_estimate"] ?? 0) != 0]
        }
        // `v-traffic-groups` columns: NULL when not applicable, and in runs stored before.
        if let owner = text("shares_traffic_with") { object["sharesTrafficWith"] = owner }
        if reals["evicted"] != nil { object["evicted"] = count("evicted") }
        if reals["served_output_tokens"] != nil {
            object["servedTokens"] = ["prompt": count("served_prompt_tokens"), "output": count("served_output_tokens"),
                                      "outputPerSecond": 0]
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(DeploymentSummary.self, from: try JSONSerialization.data(withJSONObject: object))
    }
}
