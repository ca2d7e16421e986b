/// A measured curve: times at increasing x (token counts, message bytes), linear between points.
///
/// Outside the measured range it refuses rather than extrapolates: a profile fitted to guesses
/// beyond the measurements would carry them silently into every simulation.
public struct PiecewiseLinear: Sendable, Equatable {
    public let xs: [Double]
    public let ys: [Double]

    /// Points in any order; a repeated x keeps the mean of its values.
    public init(points: [(x: Double, y: Double)]) {
        var grouped: [Double: (sum: Double, count: Double)] = [:]
        for point in points {
            let old = grouped[point.x] ?? (0, 0)
            grouped[point.x] = (old.sum + point.y, old.count + 1)
        }
        let sorted = grouped.keys.sorted()
        xs = sorted
        ys = sorted.map { grouped[$0]!.sum / grouped[$0]!.count }
    }

    public var range: ClosedRange<Double> { (xs.first ?? 0)...(xs.last ?? 0) }

    /// The value at `x`, or nil outside the measured range.
    /// - Complexity: O(log n).
    public func value(at x: Double) -> Double? {
        guard let first = xs.first, let last = xs.last, x >= first, x <= last else { return nil }
        var low = 0, high = xs.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if xs[middle] <= x { low = middle } else { high = middle }
        }
        if xs[low] == x || low == high { return ys[low] }
        let t = (x - xs[low]) / (xs[high] - xs[low])
        return ys[low] + t * (ys[high] - ys[low])
    }
}
