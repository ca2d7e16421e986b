import Foundation

@usableFromInline func _exp(_ x: Double) -> Double { Foundation.exp(x) }
@usableFromInline func _gamma(_ x: Double) -> Double { Foundation.tgamma(x) }

extension Distribution {
    /// Draws one value.
    /// - Complexity: O(1), except `empirical` (O(log n)) and `gamma` (a few rejection rounds).
    @inlinable
    public func sample(_ random: inout RandomStream) -> Double {
        if case let .normal(mean, sd) = shape {
            let low = min ?? 0, high = max ?? .infinity
            for _ in 0..<64 {
                let value = mean + sd * random.nextStandardNormal()
                if value >= low && value <= high { return value }
            }
            return clip(mean)
        }
        // A constant is common (fixed token counts) and needs no call into the switch.
        if case let .constant(value) = shape { return clip(value) }
        return clip(rawSample(&random))
    }

    @inlinable
    func clip(_ value: Double) -> Double {
        var result = Swift.max(value, 0)
        if let min { result = Swift.max(result, min) }
        if let max { result = Swift.min(result, max) }
        return result
    }

    @inlinable
    func rawSample(_ random: inout RandomStream) -> Double {
        switch shape {
        case let .constant(value): return value
        case let .uniform(low, high): return low + (high - low) * random.nextUnit()
        case let .exponential(mean): return random.nextExponential(mean: mean)
        case let .normal(mean, sd): return mean + sd * random.nextStandardNormal()
        case let .lognormal(median, sigma): return median * Foundation.exp(sigma * random.nextStandardNormal())
        case let .gamma(mean, cv):
            let shapeK = 1 / (cv * cv)
            return Self.standardGamma(shape: shapeK, &random) * mean / shapeK
        case let .weibull(shapeK, scale):
            return scale * Foundation.pow(-Foundation.log(random.nextOpenUnit()), 1 / shapeK)
        case let .pareto(scale, shapeA):
            return scale / Foundation.pow(random.nextOpenUnit(), 1 / shapeA)
        case let .empirical(values, _):
            let u = random.nextUnit()
            var low = 0, high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] > u { high = mid } else { low = mid + 1 }
            }
            return values[low]
        }
    }

    /// Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 through Gamma(shape + 1)·U^(1/shape).
    @inlinable
    public static func standardGamma(shape: Double, _ random: inout RandomStream) -> Double {
        if shape < 1 {
            return standardGamma(shape: shape + 1, &random) * Foundation.pow(random.nextOpenUnit(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = random.nextStandardNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = random.nextOpenUnit()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }
}
