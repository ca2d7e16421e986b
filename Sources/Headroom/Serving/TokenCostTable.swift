import HeadroomEngine

/// The table form's cost of the linear operators (and the tensor-parallel all-reduces) as a
/// piecewise-linear function of the batch's token count, fitted point by point to measurements.
///
/// A measured curve is flat while reading the weights dominates, then convex (norms, activations
/// and the all-reduces grow faster than the GEMMs at a few thousand tokens): no two-segment knee
/// follows it within 10 % everywhere (docs/DECISIONS.md, "The table form"). Between knots the cost
/// is interpolated, below the first it is the first knot's, beyond the last it grows on the last
/// segment's slope (never negative). Whole nanoseconds and integer arithmetic, so that every run of
/// the same batch gets the same time bit for bit.
public struct TokenCostTable: Sendable, Equatable {
    /// Token counts, strictly increasing, at least 1.
    public let tokens: [Int64]
    /// The linear operators' cost at each knot (every per-iteration overhead included).
    public let linear: [SimTime]
    /// The all-reduces' cost at each knot (zero at TP 1).
    public let communication: [SimTime]
    /// `linear + communication` in nanoseconds: what an iteration pays.
    public let total: [Int64]

    /// Why a table was refused.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case tooFewKnots(Int)
        case lengths(tokens: Int, linear: Int, communication: Int)
        case tokensNotIncreasing(index: Int)
        case negativeCost(index: Int)

        public var description: String {
            switch self {
            case .tooFewKnots(let count): return "needs at least 2 knots, found \(count)"
            case let .lengths(tokens, linear, communication):
                return "`tokens`, `linear` and `communication` must have the same length (\(tokens), \(linear), \(communication))"
            case .tokensNotIncreasing(let index):
                return "`tokens[\(index)]` must be at least 1 and larger than the one before it"
            case .negativeCost(let index): return "the cost at knot \(index) is negative"
            }
        }
    }

    /// `communication` empty means none.
    public init(tokens: [Int64], linear: [SimTime], communication: [SimTime] = []) throws(Problem) {
        let communication = communication.isEmpty ? Array(repeating: SimTime.zero, count: linear.count) : communication
        guard tokens.count == linear.count, linear.count == communication.count else {
            throw .lengths(tokens: tokens.count, linear: linear.count, communication: communication.count)
        }
        guard tokens.count >= 2 else { throw .tooFewKnots(tokens.count) }
        for index in tokens.indices where tokens[index] < 1 || (index > 0 && tokens[index] <= tokens[index - 1]) {
            throw .tokensNotIncreasing(index: index)
        }
        for index in tokens.indices where linear[index] < .zero || communication[index] < .zero { throw .negativeCost(index: index) }
        self.tokens = tokens
        self.linear = linear
        self.communication = communication
        total = zip(linear, communication).map { $0.nanoseconds + $1.nanoseconds }
    }

    /// The cost of an iteration with `count` tokens, nanoseconds.
    @inline(__always)
    func nanoseconds(tokens count: Int64) -> Int64 { Self.interpolate(total, at: count, knots: tokens) }

    /// `values` interpolated at `count` over `knots` (see the type's rules), nanoseconds.
    @inline(__always)
    static func interpolate(_ values: [Int64], at count: Int64, knots: [Int64]) -> Int64 {
        let last = knots.count - 1
        if count <= knots[0] { return values[0] }
        if count >= knots[last] {
            let slope = max(0, values[last] - values[last - 1])
            return values[last] + scaled(slope, count - knots[last], knots[last] - knots[last - 1])
        }
        // The segment [knots[low], knots[low + 1]) holding `count`.
        var low = 0, high = last
        while high - low > 1 {
            let middle = (low + high) / 2
            if knots[middle] <= count { low = middle } else { high = middle }
        }
        return values[low] + scaled(values[low + 1] - values[low], count - knots[low], knots[low + 1] - knots[low])
    }

    /// `value × numerator / denominator`, truncated; past 64 bits (no real profile comes near) it
    /// saturates at a quarter of the range, so that sums stay finite.
    @inline(__always)
    static func scaled(_ value: Int64, _ numerator: Int64, _ denominator: Int64) -> Int64 {
        let (product, overflow) = value.multipliedReportingOverflow(by: numerator)
        return overflow ? (value < 0 ? -Int64.max / 4 : Int64.max / 4) : product / denominator
    }

    /// One iteration's linear operators and communication at `count` tokens, for a breakdown.
    public func split(tokens count: Int) -> (linear: SimTime, communication: SimTime) {
        (SimTime(nanoseconds: Self.interpolate(linear.map(\.nanoseconds), at: Int64(count), knots: tokens)),
         SimTime(nanoseconds: Self.interpolate(communication.map(\.nanoseconds), at: Int64(count), knots: tokens)))
    }
}
