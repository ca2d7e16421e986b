import Foundation
import Headroom

/// A run-summary metric by its stored column name (`slo_both`, `ttft_p99_seconds`,
/// `cost_dollars`), as `compare` and `export` name them. Dotted forms read the same way
/// (`slo.both`, `ttft.p99` → `ttft_p99_seconds`).
public enum TuneMetric {
    /// Every metric a constraint or objective may name: the summary columns of a run.
    public static let names: [String] = {
        let dropped = DropReason.allCases.map { "dropped_\($0.rawValue)" }
        var latency: [String] = []
        for name in ["ttft", "itl", "e2e", "queue_wait"] {
            for suffix in ["mean", "p50", "p90", "p99", "max"] { latency.append("\(name)_\(suffix)_seconds") }
        }
        return ["slo_both", "slo_ttft", "slo_itl", "dropped", "finished", "arrived", "in_flight"] + dropped + latency + [
            "cost_dollars", "cost_per_million_output_tokens", "cost_on_demand_dollars", "cost_reserved_dollars",
            "gpu_hours_serving", "gpu_hours_idle", "gpu_hours_starting", "gpu_hours_provisioning", "gpu_hours_unallocated",
            "gpu_hours_total", "node_seconds", "peak_replicas", "peak_nodes", "cold_starts_started", "cold_starts_completed",
            "cold_start_mean_seconds", "cold_start_max_seconds", "preemptions", "stockouts", "replica_failures",
            "output_tokens_per_second",
        ]
    }()

    /// Metrics in seconds: a constraint on them may be written with a unit (`2s`, `500ms`).
    public static func isSeconds(_ metric: String) -> Bool { metric.hasSuffix("_seconds") }
    /// Shares in [0, 1]: a constraint on them may be written as a percentage (`99%`).
    public static func isShare(_ metric: String) -> Bool { metric.hasPrefix("slo_") }

    /// The column `text` names, or nil.
    public static func resolve(_ text: String) -> String? {
        let plain = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ".", with: "_")
        if names.contains(plain) { return plain }
        if names.contains(plain + "_seconds") { return plain + "_seconds" }
        return nil
    }

    /// The list of names for an error message, wrapped.
    static var listing: String {
        var lines: [String] = [], line = " "
        for name in names {
            if line.count + name.count > 96 { lines.append(line); line = " " }
            line += " " + name
        }
        return (lines + [line]).joined(separator: "\n")
    }
}

/// What a tune minimizes: a metric's mean over seeds, or its negative for `max:METRIC`.
public struct TuneObjective: Sendable, Equatable {
    public var metric: String
    public var maximize: Bool

    public init(metric: String, maximize: Bool) {
        self.metric = metric
        self.maximize = maximize
    }

    public static let forms = "--objective takes METRIC (minimized: cost_dollars) or max:METRIC (max:slo_both)"

    public static func parse(_ text: String) throws(TuneError) -> TuneObjective {
        let maximize = text.hasPrefix("max:")
        let name = maximize ? String(text.dropFirst(4)) : text.hasPrefix("min:") ? String(text.dropFirst(4)) : text
        guard let metric = TuneMetric.resolve(name) else {
            throw TuneError("--objective '\(text)': no metric named '\(name)'\n\(forms)\nmetrics:\n\(TuneMetric.listing)")
        }
        return TuneObjective(metric: metric, maximize: maximize)
    }

    /// The value minimized for a metric's value.
    public func loss(_ value: Double) -> Double { maximize ? -value : value }

    public var description: String { (maximize ? "max:" : "") + metric }
}
