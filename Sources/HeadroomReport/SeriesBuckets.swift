import Foundation

/// A run's series grouped into at most `limit` buckets of consecutive samples, so a long run's
/// chart keeps a readable number of points: a 4 h run sampled every 10 s has 1,440 samples on
/// ~850 pixels, and its state bands shrink to slivers. Each bucket's value is an aggregate of its
/// samples (the mean, or the worst for a tail percentile), placed at its last sample's time.
struct SeriesBuckets {
    /// Charts draw at most this many points per series (about 3.5 pixels each).
    static let defaultLimit = 240

    let ranges: [Range<Int>]
    /// Samples per bucket (1: the series as stored).
    let size: Int

    init(count: Int, limit: Int = defaultLimit) {
        let size = max(1, Int((Double(count) / Double(max(limit, 1))).rounded(.up)))
        self.size = size
        ranges = stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    var aggregated: Bool { size > 1 }

    /// Each bucket's last time (a sample stands for the interval that ends at its time).
    func times(_ times: [Double]) -> [Double] { ranges.map { times[$0.upperBound - 1] } }

    /// Each bucket's mean over its non-nil samples; nil where all are nil.
    func mean(_ values: [Double?]) -> [Double?] {
        ranges.map { range in
            let present = values[range].compactMap { $0 }
            return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
        }
    }

    func mean(_ values: [Double]) -> [Double] { mean(values.map { Optional($0) }).map { $0 ?? 0 } }

    /// Each bucket's largest non-nil sample (for a tail such as p99: the worst interval shows).
    func maximum(_ values: [Double?]) -> [Double?] { ranges.map { values[$0].compactMap { $0 }.max() } }

    /// "each point: mean of 1 min" for a caption, or "" when nothing was aggregated.
    func note(times: [Double], what: String = "mean") -> String {
        guard aggregated, times.count > 1 else { return "" }
        let interval = (times[times.count - 1] - times[0]) / Double(times.count - 1) * Double(size)
        return " (each point: \(what) over \(Label.duration(interval)))"
    }
}
