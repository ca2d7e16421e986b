import Foundation
import HeadroomStore

/// What `runs show` prints around the run summary (which `ResultFormat.table` prints, as for `headroom run`).
enum RunShowFormat {
    /// `run 12 · sweep signals · variant kpa · policy kpa · seed 1 · stored 2026-12-06 06:10 UTC`.
    static func heading(_ run: RunStore.RunListing) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return (["run \(run.id)"] + (run.sweep.map { ["sweep \($0)"] } ?? [])
            + ["variant \(run.variant)", "policy \(run.policyKind)", "seed \(run.seed)", "stored \(formatter.string(from: run.startedAt)) UTC"])
            .joined(separator: " · ")
    }

    /// `Stored     240 series points, 1,204 decisions, ...`: what else the store holds for the run.
    static func storedRows(_ counts: [String: Int]) -> String {
        let names = ["run_series": "series point", "decisions": "decision", "cold_starts": "cold start",
                     "request_samples": "sampled request", "latency_quantiles": "latency quantile", "pool_costs": "pool cost line",
                     "deployment_summaries": "deployment"]
        // A run of one deployment has no deployment rows: not worth a "0 deployments".
        let order = RunStore.resultTables.filter { counts[$0] != nil && !($0 == "deployment_summaries" && counts[$0] == 0) }
        return "Stored     " + order.map { table in
            let count = counts[table] ?? 0
            let name = names[table] ?? table.replacingOccurrences(of: "_", with: " ")
            return "\(count.grouped) \(name)\(count == 1 || names[table] == nil ? "" : "s")"
        }.joined(separator: ", ")
    }

    /// A table's rows as JSON objects, column → value (`null` for NULL and non-finite reals).
    static func objects(_ table: ResultTable) -> [[String: Any]] {
        table.rows.map { row in
            var object: [String: Any] = [:]
            for (column, value) in zip(table.columns, row) {
                switch value {
                case .null: object[column.name] = NSNull()
                case .integer(let v): object[column.name] = column.type == .boolean ? (v != 0) as Any : v as Any
                case .real(let v): object[column.name] = v.isFinite ? v as Any : NSNull()
                case .text(let v): object[column.name] = v
                }
            }
            return object
        }
    }
}
