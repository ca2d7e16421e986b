import Foundation
import HeadroomStore

/// A self-contained HTML report of stored runs: inline CSS and SVG only (no script, font or
/// image from anywhere), so it opens offline and can be mailed around as one file.
public struct Report {
    public private(set) var html = ""
    /// Chart id → the `data-series` names drawn in it, over every section (run charts are
    /// prefixed `run-ID/`).
    public private(set) var charts: [String: [String]] = [:]

    /// One run → its pictures. Several runs (a sweep) → the comparison, then the first run of each
    /// variant in full.
    /// `attainmentTarget`: the share of requests that must meet the SLO for a variant to count as
    /// meeting it (and so to be on the Pareto front).
    public init(store: RunStore, runs ids: [Int64], title: String, baseline: String? = nil,
                attainmentTarget: Double = Comparison.defaultAttainmentTarget) throws
    {
        var body = ""
        var detailed = ids
        if ids.count > 1 {
            var comparison = try ComparisonSection(store: store, runs: ids, baseline: baseline, attainmentTarget: attainmentTarget)
            body += comparison.html()
            charts.merge(comparison.drawn) { a, _ in a }
            let runs = try store.table("runs", runs: ids)
            var firstOfVariant: [String: Int64] = [:]
            for (variant, id) in zip(runs.texts("variant"), runs.numbers("run_id")) where firstOfVariant[variant ?? ""] == nil {
                firstOfVariant[variant ?? ""] = Int64(id ?? 0)
            }
            detailed = firstOfVariant.values.sorted()
            body += "<p class=\"note\">Below, the first run of each variant in full.</p>"
        }
        for id in detailed {
            var section = try RunSection(store: store, run: id)
            body += section.html()
            for (chart, names) in section.drawn { charts["run-\(id)/\(chart)"] = names }
        }
        html = Self.page(title: title, body: body)
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><meta name="generator" content="headroom \(RunStore.headroomVersion)"/>
        <title>\(escaped(title))</title>
        <style>
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 960px; color: #222; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 1px solid #ddd; }
        figure { margin: 16px 0; } figcaption { color: #555; font-size: 12px; }
        svg.chart { font-family: inherit; } svg.chart text { fill: #333; }
        dl.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
        dl.figures div { background: #f4f6f8; padding: 6px 10px; border-radius: 4px; }
        dt { font-size: 11px; color: #666; } dd { margin: 0; font-size: 16px; font-weight: 600; }
        table.comparison { border-collapse: collapse; font-size: 12px; width: 100%; }
        table.comparison th, table.comparison td { border-bottom: 1px solid #e3e3e3; padding: 4px 6px; text-align: right; }
        table.comparison td:nth-child(2), table.comparison th:nth-child(2) { text-align: left; }
        .ci { color: #888; font-size: 11px; display: block; white-space: nowrap; } .note { color: #555; }
        .scroll { overflow-x: auto; } p.profile { color: #555; } p.profile.estimate { color: #a15c00; }
        </style></head>
        <body><h1>\(escaped(title))</h1>
        \(body)
        </body></html>

        """
    }
}
