import Foundation

/// 95 % confidence intervals that stay inside the range a quantity can take.
///
/// A Student-t interval (mean ± t·s/√n) treats every quantity as unbounded: over three seeds an
/// SLO attainment of 94 % comes out as 94.3 % ± 24.6 % (past 100 %) and a p99 TTFT interval runs
/// below zero. So each kind of quantity gets an interval built on its own range:
/// - a share in [0, 1] (SLO attainment): Wilson's score interval, with the seeds' spread folded in
///   through an effective sample size (Korn & Graubard 1998);
/// - a non-negative quantity (latency, cost, GPU-hours, counts): the percentile bootstrap of the
///   mean over seeds, resampled with a fixed seed so the output is reproducible;
/// - a paired difference on common random numbers (variant − baseline, same seed): Student t on the
///   per-seed differences, which may take either sign, clipped to the difference's possible range.
public enum ConfidenceInterval {
    /// Below this many seeds an interval over seeds is rough: the percentile bootstrap of a mean is
    /// too narrow for small samples (Hesterberg 2015, "What teachers should know about the
    /// bootstrap", §5), and Student t's quantile is large. Tables say so beside such rows.
    public static let reliableSeeds = 10
    /// Bootstrap resamples: enough that the 2.5 % and 97.5 % percentiles move by well under the
    /// precision printed.
    public static let resamples = 4000
    /// The bootstrap's random seed: one fixed value, so a comparison prints the same numbers every time.
    public static let bootstrapSeed: UInt64 = 0x4865_6164_726F_6F6D  // "Headroom"

    /// Wilson's score interval for `successes` out of `trials` at the two-sided quantile `z`
    /// (1.96 for 95 %): always inside [0, 1], sensible at 0 and at `trials` (Wilson 1927;
    /// Newcombe 1998, method 3).
    public static func wilson(successes: Double, trials: Double, z: Double = 1.959964) -> (low: Double, high: Double) {
        guard trials > 0 else { return (0, 1) }
        let p = min(max(successes / trials, 0), 1)
        let z2 = z * z
        let centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
        let half = z / (1 + z2 / trials) * (p * (1 - p) / trials + z2 / (4 * trials * trials)).squareRoot()
        // Exact at the ends (0 or all successes), where rounding could otherwise leave p just outside.
        return (max(0, min(centre - half, p)), min(1, max(centre + half, p)))
    }

    /// A share's mean over seeds with a Wilson interval whose sample size is the effective one,
    /// p̄(1 − p̄)/Var(p̄), so the seeds' spread widens it; at most `trials` (the requests judged, when
    /// known) and with Student t's quantile for the seeds' degrees of freedom (Korn & Graubard 1998).
    public static func share(_ shares: [Double], trials: Double? = nil) -> Comparison.Estimate {
        guard shares.count > 1 else { return single(shares) }
        let n = Double(shares.count)
        let mean = shares.reduce(0, +) / n
        let varianceOfMean = shares.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) / n
        var effective = varianceOfMean > 0 ? mean * (1 - mean) / varianceOfMean : .infinity
        if let trials, trials > 0 { effective = min(effective, trials) }
        if !effective.isFinite || effective <= 0 { effective = max(n, trials ?? n) }
        let (low, high) = wilson(successes: mean * effective, trials: effective, z: tQuantile975(degreesOfFreedom: shares.count - 1))
        return Comparison.Estimate(mean: mean, low: min(low, mean), high: max(high, mean), count: shares.count, method: .wilson)
    }

    /// The mean of a non-negative quantity over seeds with its percentile-bootstrap interval: the
    /// 2.5 % and 97.5 % quantiles of the means of `resamples` resamples (with replacement), drawn
    /// from a fixed seed. Every resampled mean lies between the smallest and largest value, so the
    /// interval never leaves the quantity's range.
    public static func bootstrap(_ values: [Double], resamples: Int = resamples, seed: UInt64 = bootstrapSeed) -> Comparison.Estimate {
        guard values.count > 1 else { return single(values) }
        let n = values.count
        let mean = values.reduce(0, +) / Double(n)
        var generator = SplitMix64(state: seed)
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += values[Int(generator.next() % UInt64(n))] }
            means[r] = sum / Double(n)
        }
        means.sort()
        let low = means[Int((Double(resamples - 1) * 0.025).rounded())]
        let high = means[Int((Double(resamples - 1) * 0.975).rounded())]
        return Comparison.Estimate(mean: mean, low: min(low, mean), high: max(high, mean), count: n, method: .bootstrap)
    }

    /// Mean ± t·s/√n (Student t, n − 1 degrees of freedom), clipped to `range`: for paired
    /// differences, which are centred near zero and may take either sign.
    public static func studentT(_ values: [Double], range: ClosedRange<Double> = -Double.infinity...Double.infinity) -> Comparison.Estimate {
        guard values.count > 1 else { return single(values) }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let half = tQuantile975(degreesOfFreedom: values.count - 1) * (variance / n).squareRoot()
        return Comparison.Estimate(mean: mean, low: max(range.lowerBound, mean - half), high: min(range.upperBound, mean + half),
                                   count: values.count, method: .studentT)
    }

    /// One value: no interval (its bounds are the value); none: NaN.
    static func single(_ values: [Double]) -> Comparison.Estimate {
        guard let value = values.first else { return Comparison.Estimate(mean: .nan, low: .nan, high: .nan, count: 0, method: .none) }
        return Comparison.Estimate(mean: value, low: value, high: value, count: 1, method: .none)
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
}

/// Steele, Lea & Flood's SplitMix64 (2014): a tiny, fast, fixed-sequence generator for the
/// bootstrap's resampling (no simulation stream is touched).
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
