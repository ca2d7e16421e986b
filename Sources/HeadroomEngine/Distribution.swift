/// A validated probability distribution over non-negative reals, with optional clipping.
///
/// Used for provisioning delays, warm-up times and token counts. Construction checks every
/// parameter, so a bad value fails where it was written rather than deep inside a run.
/// `min`/`max` clip a sample into range, except for `normal`, which is truncated: samples outside
/// the range are redrawn (up to 64 times, then clipped), so the shape inside the range is kept.
public struct Distribution: Sendable, Equatable {
    public enum Shape: Sendable, Equatable {
        /// Always `value`.
        case constant(Double)
        /// Uniform on [low, high].
        case uniform(low: Double, high: Double)
        /// Exponential with the given mean.
        case exponential(mean: Double)
        /// Normal; truncated to [min, max] when those are given.
        case normal(mean: Double, standardDeviation: Double)
        /// Lognormal given by its median (e^μ) and σ of the underlying normal.
        case lognormal(median: Double, sigma: Double)
        /// Gamma given by mean and coefficient of variation (shape = 1/cv², scale = mean·cv²).
        case gamma(mean: Double, cv: Double)
        /// Weibull with shape k and scale λ.
        case weibull(shape: Double, scale: Double)
        /// Pareto (type I) with scale xₘ (the minimum) and shape α.
        case pareto(scale: Double, shape: Double)
        /// A table of values with relative weights.
        case empirical(values: [Double], weights: [Double])
    }

    public let shape: Shape
    public let min: Double?
    public let max: Double?
    /// Cumulative weights normalised to 1, for `empirical`.
    @usableFromInline let cumulative: [Double]

    public init(_ shape: Shape, min: Double? = nil, max: Double? = nil) throws(DistributionError) {
        try Self.validate(shape)
        for (name, bound) in [("min", min), ("max", max)] {
            if let bound, !(bound.isFinite && bound >= 0) {
                throw DistributionError("\(name) must be a finite number >= 0, got \(bound)")
            }
        }
        if let min, let max, min > max { throw DistributionError("min (\(min)) must not exceed max (\(max))") }
        self.shape = shape
        self.min = min
        self.max = max
        if case let .empirical(_, weights) = shape {
            let total = weights.reduce(0, +)
            var running = 0.0
            cumulative = weights.map { running += $0; return running / total }
        } else {
            cumulative = []
        }
    }

    /// A distribution that always yields `value`.
    /// A value that is not finite and non-negative (a degenerate fit's `exp(mean)`) becomes 0 or
    /// the largest finite value rather than a trap.
    public static func constant(_ value: Double) -> Distribution {
        let clamped = value.isNaN ? 0 : Swift.min(Swift.max(0, value), .greatestFiniteMagnitude)
        return Distribution(validated: .constant(clamped), min: nil, max: nil)
    }

    /// For shapes already known valid.
    private init(validated shape: Shape, min: Double?, max: Double?) {
        self.shape = shape
        self.min = min
        self.max = max
        cumulative = []
    }

    private static func validate(_ shape: Shape) throws(DistributionError) {
        func positive(_ name: String, _ value: Double) throws(DistributionError) {
            guard value.isFinite && value > 0 else { throw DistributionError("\(name) must be > 0, got \(value)") }
        }
        func nonNegative(_ name: String, _ value: Double) throws(DistributionError) {
            guard value.isFinite && value >= 0 else { throw DistributionError("\(name) must be >= 0, got \(value)") }
        }
        switch shape {
        case let .constant(value): try nonNegative("value", value)
        case let .uniform(low, high):
            try nonNegative("low", low); try nonNegative("high", high)
            guard low <= high else { throw DistributionError("low (\(low)) must not exceed high (\(high))") }
        case let .exponential(mean): try positive("mean", mean)
        case let .normal(mean, sd): try nonNegative("mean", mean); try nonNegative("sd", sd)
        case let .lognormal(median, sigma): try positive("median", median); try nonNegative("sigma", sigma)
        case let .gamma(mean, cv): try positive("mean", mean); try positive("cv", cv)
        case let .weibull(shape, scale): try positive("shape", shape); try positive("scale", scale)
        case let .pareto(scale, shape): try positive("scale", scale); try positive("shape", shape)
        case let .empirical(values, weights):
            guard !values.isEmpty else { throw DistributionError("values must not be empty") }
            guard values.count == weights.count else {
                throw DistributionError("values (\(values.count)) and weights (\(weights.count)) must have the same length")
            }
            for value in values { try nonNegative("each value", value) }
            for weight in weights { try nonNegative("each weight", weight) }
            guard weights.reduce(0, +) > 0 else { throw DistributionError("weights must not all be zero") }
        }
    }

    /// The mean of the unclipped shape, where it is finite.
    public var unclippedMean: Double? {
        switch shape {
        case let .constant(value): return value
        case let .uniform(low, high): return (low + high) / 2
        case let .exponential(mean): return mean
        case let .normal(mean, _): return mean
        case let .lognormal(median, sigma): return median * _exp(sigma * sigma / 2)
        case let .gamma(mean, _): return mean
        case let .weibull(shape, scale): return scale * _gamma(1 + 1 / shape)
        case let .pareto(scale, shape): return shape > 1 ? shape * scale / (shape - 1) : nil
        case let .empirical(values, weights):
            let total = weights.reduce(0, +)
            return zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } / total
        }
    }
}

/// Why a distribution's parameters were refused.
public struct DistributionError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
