import Foundation

/// Policy configurations side by side: per variant, each metric's mean with a 95 % confidence
/// interval across seeds, the cost-vs-latency Pareto front, and paired differences against a
/// baseline on the seeds both share (common random numbers make those far tighter).
public struct Comparison: Sendable {
    /// A mean and its 95 % Student-t confidence interval.
    public struct Estimate: Sendable, Equatable, Codable {
        public var mean: Double
        public var low: Double
        public var high: Double
        public var count: Int

        public init(mean: Double, low: Double, high: Double, count: Int) {
            self.mean = mean
            self.low = low
            self.high = high
            self.count = count
        }
    }

    public struct Row: Sendable, Equatable, Codable {
        public var variant: String
        public var runs: Int
        public var metrics: [String: Estimate]
        /// No other variant is at least as cheap and as fast (mean cost, mean p99 TTFT), and better in one.
        public var paretoOptimal: Bool
        /// Variant − baseline per shared seed, when a baseline is given.
        public var pairedDifferences: [String: Estimate]?
    }

    /// The columns compared, in table order.
    public static let metrics = [
        "ttft_p50_seconds", "ttft_p99_seconds", "itl_p99_seconds", "e2e_p99_seconds", "slo_both", "dropped", "cold_starts_started",
        "gpu_hours_serving", "gpu_hours_idle", "gpu_hours_starting", "cost_dollars", "cost_per_million_output_tokens",
    ]

    public var rows: [Row]
    public var baseline: String?

    /// `runs` maps each variant to its runs' (seed, summary columns).
    public init(runs: [String: [(seed: Int64, values: [String: Double])]], baseline: String?) {
        self.baseline = baseline
        let variants = runs.keys.sorted()
        var rows = variants.map { variant -> Row in
            let group = runs[variant]!
            var metrics: [String: Estimate] = [:]
            for metric in Self.metrics { metrics[metric] = Self.estimate(group.compactMap { $0.values[metric] }) }
            return Row(variant: variant, runs: group.count, metrics: metrics, paretoOptimal: false, pairedDifferences: nil)
        }
        let points = rows.map { ($0.metrics["cost_dollars"]?.mean ?? .infinity, $0.metrics["ttft_p99_seconds"]?.mean ?? .infinity) }
        for (index, optimal) in Self.paretoFront(points).enumerated() { rows[index].paretoOptimal = optimal }
        if let baseline, let reference = runs[baseline] {
            let bySeed = Dictionary(reference.map { ($0.seed, $0.values) }, uniquingKeysWith: { first, _ in first })
            for index in rows.indices {
                var differences: [String: Estimate] = [:]
                for metric in Self.metrics {
                    let diffs = runs[rows[index].variant]!.compactMap { run -> Double? in
                        guard let mine = run.values[metric], let theirs = bySeed[run.seed]?[metric] else { return nil }
                        return mine - theirs
                    }
                    differences[metric] = Self.estimate(diffs)
                }
                rows[index].pairedDifferences = differences
            }
        }
        self.rows = rows
    }

    /// Mean and 95 % confidence interval (Student t with n − 1 degrees of freedom; zero width for one value).
    public static func estimate(_ values: [Double]) -> Estimate {
        guard !values.isEmpty else { return Estimate(mean: .nan, low: .nan, high: .nan, count: 0) }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        guard values.count > 1 else { return Estimate(mean: mean, low: mean, high: mean, count: 1) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let half = tQuantile975(degreesOfFreedom: values.count - 1) * (variance / n).squareRoot()
        return Estimate(mean: mean, low: mean - half, high: mean + half, count: values.count)
    }

    /// The 97.5 % quantile of Student's t distribution.
    static func tQuantile975(degreesOfFreedom dof: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
                               2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
                               2.045, 2.042]
        if dof <= table.count { return table[max(1, dof) - 1] }
        if dof <= 40 { return 2.021 }
        if dof <= 60 { return 2.000 }
        if dof <= 120 { return 1.980 }
        return 1.960
    }

    /// Which points (cost, latency), both to minimize, no other point dominates.
    public static func paretoFront(_ points: [(Double, Double)]) -> [Bool] {
        points.indices.map { i in
            !points.indices.contains { j in
                j != i && points[j].0 <= points[i].0 && points[j].1 <= points[i].1 && (points[j].0 < points[i].0 || points[j].1 < points[i].1)
            }
        }
    }
}
