/// What a latency histogram keeps beside its bucket counts: the exact sum and maximum (so that
/// means and maxima carry no bucket error) and the smallest non-zero value (as HdrHistogram tracks
/// it). How many values were recorded is the sum of the counts.
struct LatencyTally {
    var sum = 0.0
    var maximum: Int64 = 0
    /// The smallest non-zero value less one, wrapping: a zero becomes `UInt64.max` and so never
    /// lowers it, without a branch.
    private var belowMinimum = UInt64.max

    /// The smallest non-zero value recorded (after clamping); `UInt64.max` if none.
    var minimumNonZero: UInt64 { belowMinimum == .max ? .max : belowMinimum + 1 }

    /// Adds one value: `ns` as measured (≥ 0) and `value`, the same clamped to the histogram's range.
    @inline(__always)
    mutating func add(_ ns: Int64, value: UInt64) {
        belowMinimum = min(belowMinimum, value &- 1)
        sum += Double(ns)
        maximum = max(maximum, ns)
    }

    /// Adds what `other` tallied, as if its values had been added here (`other` holds some).
    mutating func merge(_ other: LatencyTally) {
        sum += other.sum
        maximum = max(maximum, other.maximum)
        belowMinimum = min(belowMinimum, other.belowMinimum)
    }
}
