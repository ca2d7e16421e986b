import Foundation
import HeadroomEngine
import Histogram

/// What a trace looks like: size, rates and their burstiness, gaps, token lengths — computed in one
/// streaming pass (counts of the seconds that have arrivals, and token histograms: memory grows with
/// the busy seconds, never with the span, so one row a decade later cannot exhaust memory).
public struct TraceStatistics: Sendable, Codable, Equatable {
    public struct Lengths: Sendable, Codable, Equatable {
        public var mean = 0.0
        public var p50 = 0.0
        public var p99 = 0.0
        public var max = 0.0
    }

    public var requests = 0
    public var spanSeconds = 0.0
    public var meanRate = 0.0
    /// Busiest window's rate over the mean rate, for 1 s, 10 s and 60 s windows.
    public var peakToMean1s = 0.0
    public var peakToMean10s = 0.0
    public var peakToMean60s = 0.0
    /// Percentiles of the rate (req/s) over consecutive 10 s windows.
    public var rate10sP50 = 0.0
    public var rate10sP90 = 0.0
    public var rate10sP99 = 0.0
    /// Coefficient of variation of the gaps between arrivals (1 for Poisson).
    public var interArrivalCV = 0.0
    /// Gaps longer than 10 s, and the longest gap.
    public var idleGaps = 0
    public var longestGapSeconds = 0.0
    public var promptTokens = Lengths()
    public var outputTokens = Lengths()
    public var skippedRows = 0
    /// The first few skipped rows as `file:line: reason`.
    public var skippedExamples: [String] = []
    /// Requests per second over the span in 60 buckets, for a sparkline.
    public var profile: [Double] = []

    public init(file: String, format: TraceSpec.Format? = nil, columns: TraceSpec.Columns? = nil) throws(TraceError) {
        var reader = try TraceReader(file: file, format: format, columns: columns)
        var perSecond = BusySeconds()
        var prompts = Histogram<UInt64>(highestTrackableValue: 1 << 24, numberOfSignificantValueDigits: .three)
        var outputs = Histogram<UInt64>(highestTrackableValue: 1 << 24, numberOfSignificantValueDigits: .three)
        var promptSum = 0.0, outputSum = 0.0
        var last: Double?
        var gapMean = 0.0, gapSquares = 0.0, gaps = 0
        while let record = try reader.next() {
            requests += 1
            perSecond.add(Int(record.time))
            _ = prompts.record(UInt64(min(record.promptTokens, 1 << 24)))
            _ = outputs.record(UInt64(min(record.outputTokens, 1 << 24)))
            promptSum += Double(record.promptTokens)
            outputSum += Double(record.outputTokens)
            promptTokens.max = Swift.max(promptTokens.max, Double(record.promptTokens))
            outputTokens.max = Swift.max(outputTokens.max, Double(record.outputTokens))
            if let last {
                let gap = record.time - last
                gaps += 1
                let delta = gap - gapMean
                gapMean += delta / Double(gaps)
                gapSquares += delta * (gap - gapMean)
                if gap > 10 { idleGaps += 1 }
                longestGapSeconds = Swift.max(longestGapSeconds, gap)
            }
            last = record.time
            spanSeconds = record.time
        }
        skippedRows = reader.skipped
        skippedExamples = reader.skippedExamples.map(\.description)
        guard requests > 0 else { return }
        meanRate = spanSeconds > 0 ? Double(requests - 1) / spanSeconds : 0
        let seconds = Double(Swift.max(1, perSecond.count))
        func peak(_ width: Int) -> Double {
            let mean = Double(requests) / seconds * Double(Swift.min(width, perSecond.count))
            return mean > 0 ? Double(perSecond.busiest(width)) / mean : 0
        }
        peakToMean1s = peak(1)
        peakToMean10s = peak(10)
        peakToMean60s = peak(60)
        rate10sP50 = perSecond.windowRatePercentile(0.5, width: 10)
        rate10sP90 = perSecond.windowRatePercentile(0.9, width: 10)
        rate10sP99 = perSecond.windowRatePercentile(0.99, width: 10)
        interArrivalCV = gaps > 1 && gapMean > 0 ? (gapSquares / Double(gaps - 1)).squareRoot() / gapMean : 0
        promptTokens.mean = promptSum / Double(requests)
        outputTokens.mean = outputSum / Double(requests)
        promptTokens.p50 = Double(prompts.valueAtPercentile(50))
        promptTokens.p99 = Double(prompts.valueAtPercentile(99))
        outputTokens.p50 = Double(outputs.valueAtPercentile(50))
        outputTokens.p99 = Double(outputs.valueAtPercentile(99))
        let buckets = 60
        let width = Double(perSecond.count) / Double(buckets)
        profile = (0..<buckets).map { bucket in
            let start = Int(Double(bucket) * width), end = Swift.max(start + 1, Int(Double(bucket + 1) * width))
            let low = Swift.min(start, perSecond.count - 1), high = Swift.min(end, perSecond.count)
            return Double(perSecond.arrivals(in: low..<high)) / Double(Swift.max(1, high - low))
        }
    }

    /// The profile as a line of block characters.
    public var sparkline: String {
        let blocks = Array("▁▂▃▄▅▆▇█")
        let top = profile.max() ?? 0
        return String(profile.map { top > 0 ? blocks[Swift.min(7, Int($0 / top * 7.999))] : blocks[0] })
    }
}
