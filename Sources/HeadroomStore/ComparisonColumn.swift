import Foundation

/// One metric of a comparison as a table column: its title and how its values read, with the
/// interval in the same unit as the mean (`12.3s (0.56–61.0)`, `97.1% (94.2–99.1)`, `$441 (276–610)`).
public struct ComparisonColumn: Sendable {
    public let metric: String
    public let title: String
    /// The value with its unit (`12.3s`, `97.1%`, `$441`).
    let format: @Sendable (Double) -> String
    /// The value without a unit, in the unit `format` chose for `reference`.
    let bare: @Sendable (_ value: Double, _ reference: Double) -> String

    /// Every metric, in `Comparison.metrics` order.
    public static let all: [ComparisonColumn] = [
        seconds("ttft_p50_seconds", "TTFT p50"), seconds("ttft_p99_seconds", "TTFT p99"), seconds("itl_p99_seconds", "ITL p99"),
        seconds("e2e_p99_seconds", "E2E p99"),
        ComparisonColumn(metric: "slo_both", title: "SLO met", format: { percent($0) + "%" }, bare: { v, _ in percent(v) }),
        count("dropped", "drops"), count("cold_starts_started", "cold"),
        hours("gpu_hours_serving", "GPU-h srv"), hours("gpu_hours_idle", "GPU-h idle"), hours("gpu_hours_starting", "GPU-h start"),
        ComparisonColumn(metric: "cost_dollars", title: "cost", format: { "$" + significant($0) }, bare: { v, _ in significant(v) }),
        ComparisonColumn(metric: "cost_per_million_output_tokens", title: "$/Mtok", format: { "$" + significant($0) },
                         bare: { v, _ in significant(v) }),
        ComparisonColumn(metric: "cost_on_demand_dollars", title: "on-demand", format: { "$" + significant($0) },
                         bare: { v, _ in significant(v) }),
        ComparisonColumn(metric: "cost_reserved_dollars", title: "reserved", format: { "$" + significant($0) },
                         bare: { v, _ in significant(v) }),
        ComparisonColumn(metric: "prefix_cache_hit_rate", title: "cache hits", format: { percent($0) + "%" }, bare: { v, _ in percent(v) }),
    ]

    /// What the table shows by default: the columns a decision turns on (latency against the SLO,
    /// attainment, lost requests, money), narrow enough for 100 columns with intervals.
    public static let defaults = ["ttft_p99_seconds", "slo_both", "cost_dollars", "dropped"]

    public static func named(_ metric: String) -> ComparisonColumn? { all.first { $0.metric == metric } }

    /// `mean (low–high)`, or the mean alone for one seed.
    func cell(_ e: Comparison.Estimate?) -> String {
        let (mean, interval) = parts(e)
        return interval.map { "\(mean) (\($0))" } ?? mean
    }

    /// The mean with its unit, and the interval `low–high` in the same unit (nil for one seed or
    /// a zero-width interval); "—" for no value.
    public func parts(_ e: Comparison.Estimate?) -> (mean: String, interval: String?) {
        guard let e, e.count > 0, e.mean.isFinite else { return ("—", nil) }
        let (low, high) = (bare(e.low, e.mean), bare(e.high, e.mean))
        guard e.count > 1, low != high else { return (format(e.mean), nil) }
        return (format(e.mean), "\(low)–\(high)")
    }

    /// A paired difference: signed mean, and its interval with signs (`+1.2s (-0.3–+2.7)`).
    func signedCell(_ e: Comparison.Estimate?) -> String {
        guard let e, e.count > 0, e.mean.isFinite else { return "—" }
        func sign(_ v: Double) -> String { v < 0 ? "-" : "+" }
        let mean = sign(e.mean) + format(abs(e.mean))
        guard e.count > 1, e.high > e.low else { return mean }
        let scale = abs(e.mean) > 0 ? abs(e.mean) : max(abs(e.low), abs(e.high))
        return "\(mean) (\(sign(e.low))\(bare(abs(e.low), scale))–\(sign(e.high))\(bare(abs(e.high), scale)))"
    }

    static func seconds(_ metric: String, _ title: String) -> ComparisonColumn {
        ComparisonColumn(metric: metric, title: title, format: { $0 >= 1 || $0 == 0 ? significant($0) + "s" : significant($0 * 1000) + "ms" },
                         bare: { v, reference in reference >= 1 || reference == 0 ? significant(v) : significant(v * 1000) })
    }

    static func count(_ metric: String, _ title: String) -> ComparisonColumn {
        ComparisonColumn(metric: metric, title: title, format: { significant($0) }, bare: { v, _ in significant(v) })
    }

    /// Hours to two decimals (36 s): finer digits of a GPU-hour total are noise.
    static func hours(_ metric: String, _ title: String) -> ComparisonColumn {
        let text: @Sendable (Double) -> String = { abs($0) >= 100 ? String(format: "%.0f", $0) : String(format: "%.2f", $0) }
        return ComparisonColumn(metric: metric, title: title, format: text, bare: { v, _ in text(v) })
    }

    /// A share as a percentage: one decimal, two between 99 % and 100 % (where SLO targets sit), and
    /// never rounded up to 100 unless it is 100.
    static func percent(_ share: Double) -> String {
        let v = share * 100
        if v >= 100 { return "100" }
        let text = String(format: v >= 99 ? "%.2f" : "%.1f", v)
        return text.hasPrefix("100") ? "99.99" : text
    }

    /// Three significant digits, no exponent, whole numbers from 100 up.
    static func significant(_ v: Double) -> String {
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 10 { return String(format: "%.1f", v) }
        if a >= 1 { return String(format: "%.2f", v) }
        if a >= 0.01 { return String(format: "%.3f", v) }
        return String(format: "%.2g", v)
    }
}
