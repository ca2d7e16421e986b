import Foundation
import HeadroomEngine

/// Knative's `TimedFloat64Buckets` with the linear window average (knative/serving
/// `pkg/autoscaler/aggregation/bucketing.go`): values are summed into 1 s buckets; the average
/// divides by the buckets since the data run started (a partial window right after data starts),
/// drops buckets not yet written after a short gap, and reads 0 after a gap of a whole window.
public struct WindowAverage: Sendable, Equatable {
    public let window: SimTime
    public let granularity: SimTime
    private var buckets: [Double]
    private var windowTotal = 0.0
    private var firstWrite = SimTime.zero
    private var lastWrite: SimTime?

    public init(window: SimTime, granularity: SimTime = .seconds(1)) {
        self.window = window
        self.granularity = granularity
        // ceil(window / granularity), as `NewTimedFloat64Buckets`.
        let count = (window.nanoseconds + granularity.nanoseconds - 1) / granularity.nanoseconds
        buckets = Array(repeating: 0, count: max(1, Int(count)))
    }

    private func truncate(_ time: SimTime) -> SimTime {
        SimTime(nanoseconds: time.nanoseconds - time.nanoseconds % granularity.nanoseconds)
    }

    private func index(_ time: SimTime) -> Int { Int((time.nanoseconds / granularity.nanoseconds) % Int64(buckets.count)) }

    /// `TimedFloat64Buckets.Record`. A value for a bucket after the last write moves the window on
    /// (clearing the buckets skipped, or everything after a whole window of silence). One for an
    /// earlier bucket — a late or out-of-order scrape — goes into its own bucket and moves the
    /// first write back, so the divisor covers the buckets it spans; one a whole window or more
    /// older than the last write is dropped.
    public mutating func record(_ value: Double, at now: SimTime) {
        let bucket = truncate(now)
        if lastWrite != bucket {
            if let last = lastWrite, bucket + window <= last { return }
            if lastWrite == nil || firstWrite > bucket { firstWrite = bucket }
            if lastWrite == nil || lastWrite! < bucket {
                if let last = lastWrite, bucket - last < window {
                    var time = last + granularity
                    while time <= bucket {
                        windowTotal -= buckets[index(time)]
                        buckets[index(time)] = 0
                        time += granularity
                    }
                } else {
                    firstWrite = bucket
                    for i in buckets.indices { buckets[i] = 0 }
                    windowTotal = 0
                }
                lastWrite = bucket
            }
        }
        buckets[index(now)] += value
        windowTotal += value
    }

    /// No data for longer than the window.
    public func isEmpty(at now: SimTime) -> Bool {
        guard let lastWrite else { return true }
        return truncate(now) - lastWrite > window
    }

    public func average(at now: SimTime) -> Double {
        guard let lastWrite else { return 0 }
        let now = truncate(now)
        let since = Double((lastWrite - firstWrite).nanoseconds / granularity.nanoseconds) + 1
        let gap = now - lastWrite
        if gap <= .zero {
            return Self.round6(windowTotal / min(since, Double(buckets.count)))
        }
        guard gap < window else { return 0 }
        let start = Int(lastWrite.nanoseconds / granularity.nanoseconds), end = Int(now.nanoseconds / granularity.nanoseconds)
        var total = windowTotal
        for i in (start + 1)...end { total -= buckets[i % buckets.count] }
        return Self.round6(total / min(since, Double(buckets.count - (end - start))))
    }

    static func round6(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
}

/// Knative's scale-down-delay window: the maximum desired scale over the last `delay`, in 2 s
/// buckets (knative/serving `pkg/autoscaler/aggregation/max/window.go`).
public struct MaxWindow: Sendable, Equatable {
    private let slots: Int
    private var entries: [(index: Int64, value: Int)] = []

    public init(delay: SimTime, granularity: SimTime = .seconds(2)) {
        slots = max(1, Int((delay.nanoseconds + granularity.nanoseconds - 1) / granularity.nanoseconds))
        self.granularity = granularity
    }
    private let granularity: SimTime

    public mutating func record(_ value: Int, at now: SimTime) -> Int {
        let index = now.nanoseconds / granularity.nanoseconds
        entries.removeAll { index - $0.index >= Int64(slots) }
        if let last = entries.last, last.index == index {
            entries[entries.count - 1].value = max(last.value, value)
        } else {
            entries.append((index, value))
        }
        return entries.map(\.value).max() ?? value
    }

    public static func == (a: MaxWindow, b: MaxWindow) -> Bool {
        a.slots == b.slots && a.entries.map(\.index) == b.entries.map(\.index) && a.entries.map(\.value) == b.entries.map(\.value)
    }
}
