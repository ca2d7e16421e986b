import Foundation

/// Policy configurations side by side: per variant, each metric's mean over seeds with a 95 %
/// confidence interval that respects the metric's range (see `ConfidenceInterval`), whether the
/// variant meets the SLO, the cost-vs-latency Pareto front among those that do, and paired
/// differences against a baseline on the seeds both share (common random numbers: the same seed
/// gives every variant the same requests, so those are far tighter).
public struct Comparison: Sendable {
    /// A mean over seeds and its 95 % confidence interval (`low` = `high` = `mean` for one seed).
    public struct Estimate: Sendable, Equatable, Codable {
        /// How the interval was made.
        public enum Method: String, Sendable, Codable {
            /// One value (or none): no interval.
            case none
            /// Wilson's score interval with an effective sample size (a share in [0, 1]).
            case wilson
            /// Percentile bootstrap of the mean, fixed seed (a non-negative quantity).
            case bootstrap
            /// Student t on paired per-seed differences.
            case studentT = "student-t"
        }

        public var mean: Double
        public var low: Double
        public var high: Double
        public var count: Int
        public var method: Method

        public init(mean: Double, low: Double, high: Double, count: Int, method: Method = .none) {
            self.mean = mean
            self.low = low
            self.high = high
            self.count = count
            self.method = method
        }

        /// Whether there are enough seeds for the interval to be more than rough.
        public var reliable: Bool { count >= ConfidenceInterval.reliableSeeds }
    }

    public struct Row: Sendable, Equatable, Codable {
        public var variant: String
        public var runs: Int
        public var metrics: [String: Estimate]
        /// Mean SLO attainment (TTFT and ITL both met) is at least the comparison's `attainmentTarget`.
        public var meetsSLO: Bool
        /// Meets the SLO, and no other variant that meets it is at least as cheap and as fast (mean
        /// cost, mean p99 TTFT) and better in one.
        public var paretoOptimal: Bool
        /// Variant − baseline per shared seed, when a baseline is given.
        public var pairedDifferences: [String: Estimate]?
        /// A run of the variant used an estimated profile (a datasheet roofline), not a measured one.
        public var profileEstimate = false
    }

    /// The columns compared, in table order.
    public static let metrics = [
        "ttft_p50_seconds", "ttft_p99_seconds", "itl_p99_seconds", "e2e_p99_seconds", "slo_both", "dropped", "cold_starts_started",
        "gpu_hours_serving", "gpu_hours_idle", "gpu_hours_starting", "cost_dollars", "cost_per_million_output_tokens",
        "cost_on_demand_dollars", "cost_reserved_dollars", "prefix_cache_hit_rate",
    ]
    /// Metrics that are shares in [0, 1]; every other one is non-negative.
    public static let shares: Set<String> = ["slo_both", "prefix_cache_hit_rate"]
    /// The share of requests that must meet the SLO (TTFT and ITL both) for a variant to count as
    /// meeting it, unless the caller says otherwise. A scenario's `slo:` holds the per-request
    /// targets only; 99 % matches the p99 the tables lead with and the oracle policy's default.
    public static let defaultAttainmentTarget = 0.99

    public var rows: [Row]
    public var baseline: String?
    public var attainmentTarget: Double

    /// `runs` maps each variant to its runs' (seed, summary columns).
    public init(runs: [String: [(seed: Int64, values: [String: Double])]], baseline: String?,
                attainmentTarget: Double = Comparison.defaultAttainmentTarget)
    {
        self.baseline = baseline
        self.attainmentTarget = attainmentTarget
        var rows = runs.keys.sorted().map { variant -> Row in
            let group = runs[variant]!
            var metrics: [String: Estimate] = [:]
            // A metric no run recorded (runs stored before it existed; a deployment's cost is not split
            // by pricing kind) is left out rather than shown as NaN.
            for metric in Self.metrics where group.contains(where: { $0.values[metric] != nil }) {
                metrics[metric] = Self.estimate(metric, group.map(\.values))
            }
            let attainment = metrics["slo_both"].map(\.mean) ?? .nan
            return Row(variant: variant, runs: group.count, metrics: metrics, meetsSLO: attainment >= attainmentTarget,
                       paretoOptimal: false, pairedDifferences: nil,
                       profileEstimate: group.contains { $0.values["profile_estimate"] == 1 })
        }
        let points = rows.map { ($0.metrics["cost_dollars"]?.mean ?? .infinity, $0.metrics["ttft_p99_seconds"]?.mean ?? .infinity) }
        for (index, optimal) in Self.paretoFront(points, feasible: rows.map(\.meetsSLO)).enumerated() { rows[index].paretoOptimal = optimal }
        if let baseline, let reference = runs[baseline] {
            let bySeed = Dictionary(reference.map { ($0.seed, $0.values) }, uniquingKeysWith: { first, _ in first })
            for index in rows.indices {
                var differences: [String: Estimate] = [:]
                for metric in Self.metrics {
                    let diffs = runs[rows[index].variant]!.compactMap { run -> Double? in
                        guard let mine = run.values[metric], let theirs = bySeed[run.seed]?[metric] else { return nil }
                        return mine - theirs
                    }
                    // A difference cannot take the variant below zero (or a share past 100 %).
                    let shared = runs[rows[index].variant]!.compactMap { bySeed[$0.seed]?[metric] }
                    let base = shared.isEmpty ? 0 : shared.reduce(0, +) / Double(shared.count)
                    let range = Self.shares.contains(metric) ? -base...(1 - base) : -base...Double.infinity
                    if !diffs.isEmpty { differences[metric] = ConfidenceInterval.studentT(diffs, range: range) }
                }
                rows[index].pairedDifferences = differences
            }
        }
        self.rows = rows
    }

    /// One metric over a variant's runs, with the interval its range calls for: Wilson for a share
    /// (its sample size capped by the requests judged, finished + dropped, when stored), the
    /// bootstrap for a non-negative quantity.
    public static func estimate(_ metric: String, _ runs: [[String: Double]]) -> Estimate {
        let values = runs.compactMap { $0[metric] }
        guard shares.contains(metric) else { return ConfidenceInterval.bootstrap(values) }
        let judged = runs.map { ($0["finished"] ?? 0) + ($0["dropped"] ?? 0) }.reduce(0, +)
        return ConfidenceInterval.share(values, trials: judged > 0 ? judged : nil)
    }

    /// Which points (cost, latency), both to minimize, no other feasible point dominates; an
    /// infeasible point is never on the front (all are feasible when `feasible` is nil).
    public static func paretoFront(_ points: [(Double, Double)], feasible: [Bool]? = nil) -> [Bool] {
        let ok = feasible ?? points.map { _ in true }
        return points.indices.map { i in
            ok[i] && !points.indices.contains { j in
                j != i && ok[j] && points[j].0 <= points[i].0 && points[j].1 <= points[i].1
                    && (points[j].0 < points[i].0 || points[j].1 < points[i].1)
            }
        }
    }

    /// The variant `name` means: an exact name, or the short name a grid-suffixed variant starts
    /// with (`kpa` for `kpa, node_pools[0].provisioning.median=30s`) when only one matches.
    public static func resolveVariant(_ name: String, among variants: [String]) throws(ComparisonError) -> String {
        if variants.contains(name) { return name }
        let matches = variants.filter { shortName($0) == name }.sorted()
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw .unknownVariant(name, variants: variants.sorted()) }
        throw .ambiguousVariant(name, matches: matches)
    }

    /// A variant's name without its grid point (the part before the first ", ").
    public static func shortName(_ variant: String) -> String {
        variant.range(of: ", ").map { String(variant[..<$0.lowerBound]) } ?? variant
    }
}

/// A comparison asked for something the stored runs do not have.
public enum ComparisonError: Error, Equatable, CustomStringConvertible {
    case unknownVariant(String, variants: [String])
    case ambiguousVariant(String, matches: [String])

    public var description: String {
        switch self {
        case let .unknownVariant(name, variants):
            "no variant named '\(name)'; variants: \(variants.joined(separator: "; "))"
        case let .ambiguousVariant(name, matches):
            "'\(name)' matches \(matches.count) variants (name the grid point too): \(matches.joined(separator: "; "))"
        }
    }
}
