import Foundation

/// What a tune answers: the best configuration that meets the constraints, its metrics with
/// intervals, how sure the seeds make each constraint, and the cost-vs-latency Pareto front of
/// every configuration tried — as text for the terminal.
public struct TuneReport {
    public let search: TuneSearch
    /// The sections of the scenario the parameters touch, with the best configuration applied.
    public let yaml: String?
    public let scenario: String
    public let sweep: String
    public let store: String
    public let reused: Int
    public let grid: Bool

    public init(search: TuneSearch, yaml: String?, scenario: String, sweep: String, store: String, reused: Int, grid: Bool) {
        self.search = search
        self.yaml = yaml
        self.scenario = scenario
        self.sweep = sweep
        self.store = store
        self.reused = reused
        self.grid = grid
    }

    /// Metrics printed for the best configuration: the objective, the constrained ones, then the
    /// columns `compare` leads with.
    var metrics: [String] {
        var list = search.settings.metrics
        for m in ComparisonColumn.defaults where !list.contains(m) { list.append(m) }
        return list
    }

    public var text: String {
        let s = search.settings
        let complete = search.candidates.filter { $0.status == .complete }.count
        var lines: [String] = []
        var head = "\(grid ? "grid" : "tune") \(scenario): \(search.runs) runs"
        if !grid { head += " of a budget of \(s.budget)" }
        if reused > 0 { head += " (\(reused) reused from the store)" }
        head += ", \(search.candidates.count) configurations tried, \(complete) on all \(s.seeds) seeds; "
            + "the grid of this space is \(s.spaceSize == Int.max ? "too large to count" : "\(s.spaceSize) × \(s.seeds) = \(s.spaceSize.multipliedReportingOverflow(by: s.seeds).partialValue) runs")"
        lines.append(head)
        let refused = search.candidates.compactMap { c -> String? in if case let .invalid(why) = c.status { return why } else { return nil } }
        if let first = refused.first {
            lines.append("\(refused.count) configurations refused by the scenario (no run spent), e.g. \(first)")
        }
        guard let best = search.incumbent.map({ search.candidates[$0] }) else {
            lines.append("no configuration tried meets every constraint on all \(s.seeds) seeds ("
                         + s.constraints.map(\.written).joined(separator: ", ") + "); widen the ranges or raise --budget")
            lines += pareto
            return lines.joined(separator: "\n")
        }
        let objective = s.objective.metric
        lines.append("best: \(best.label) — \(objective) \(Self.value(objective, best.mean(objective))) over \(best.seeds) seeds")
        if let yaml {
            lines.append("")
            lines.append("as YAML, to paste over the same sections of the scenario:")
            lines.append("")
            lines.append(yaml.trimmingCharacters(in: .newlines))
        }
        lines.append("")
        lines.append("its metrics: mean over seeds 1–\(best.seeds) (the same seeds every candidate ran), "
                     + "95 % Student-t interval over the seeds:")
        for metric in metrics where !best.values(metric).isEmpty {
            let estimate = ConfidenceInterval.studentT(best.values(metric), range: TuneMetric.isShare(metric) ? 0...1 : 0...Double.infinity)
            lines.append("  " + metric.padding(toLength: 26, withPad: " ", startingAt: 0) + Self.cell(metric, estimate))
        }
        lines.append("")
        lines.append("constraints: the probability the mean meets each (normal approximation, standard error from the seeds")
        lines.append("pooled with the other candidates'; for ==, the share of seeds that meet it):")
        let noise = TuneNoise(search.candidates, metrics: s.metrics)
        for c in s.constraints {
            let p = c.probability(values: best.values(c.metric), standardError: noise.standardError(c.metric, of: best))
            lines.append("  " + c.written.padding(toLength: 26, withPad: " ", startingAt: 0)
                         + String(format: "P = %.3f", p) + "   mean " + Self.value(c.metric, best.mean(c.metric)))
        }
        lines += pareto
        return lines.joined(separator: "\n")
    }

    /// Configurations whose means meet the constraints that no other is at least as cheap and as
    /// fast at p99 TTFT (and better in one).
    var pareto: [String] {
        // Complete candidates only: a one-seed mean is not comparable with a mean over N seeds.
        let feasible = search.candidates.filter { $0.status == .complete && search.meetsConstraints($0) }
        guard !feasible.isEmpty else { return [] }
        let points = feasible.map { ($0.mean("cost_dollars"), $0.mean("ttft_p99_seconds")) }
        let front = zip(feasible, Comparison.paretoFront(points)).filter(\.1).map(\.0)
            .sorted { ($0.mean("cost_dollars"), $0.index) < ($1.mean("cost_dollars"), $1.index) }
        var lines = ["", "cost vs TTFT p99 Pareto front of the configurations run on all \(search.settings.seeds) seeds whose means meet the constraints:",
                     "  " + "cost".padding(toLength: 10, withPad: " ", startingAt: 0) + "TTFT p99".padding(toLength: 10, withPad: " ", startingAt: 0)
                         + "configuration"]
        for c in front {
            lines.append("  " + Self.value("cost_dollars", c.mean("cost_dollars")).padding(toLength: 10, withPad: " ", startingAt: 0)
                         + Self.value("ttft_p99_seconds", c.mean("ttft_p99_seconds")).padding(toLength: 10, withPad: " ", startingAt: 0)
                         + c.label)
        }
        return lines
    }

    static func value(_ metric: String, _ v: Double) -> String {
        ComparisonColumn.named(metric)?.format(v) ?? ComparisonColumn.significant(v)
    }

    static func cell(_ metric: String, _ e: Comparison.Estimate) -> String {
        if let column = ComparisonColumn.named(metric) {
            let (mean, interval) = column.parts(e)
            return interval.map { "\(mean) (\($0))" } ?? mean
        }
        let mean = ComparisonColumn.significant(e.mean)
        guard e.count > 1, e.high > e.low else { return mean }
        return "\(mean) (\(ComparisonColumn.significant(e.low))–\(ComparisonColumn.significant(e.high)))"
    }

    /// The progress line: round, runs against the budget, and the incumbent so far.
    public static func progressLine(_ p: TuneProgress, objective: TuneObjective) -> String {
        var line = "round \(p.round): \(p.runs)/\(p.budget) runs, \(p.candidates) configurations"
        if let best = p.incumbent {
            line += "; incumbent \(best.label): \(objective.metric) \(value(objective.metric, best.mean(objective.metric)))"
        } else {
            line += "; no configuration meets the constraints on every seed yet"
        }
        return line
    }
}
