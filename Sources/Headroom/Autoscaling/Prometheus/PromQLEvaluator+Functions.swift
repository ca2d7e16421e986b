import Foundation

/// The supported functions (prometheus/prometheus `promql/functions.go` at
/// d15adb9ad7e5d9fbde3a9a8f30200593a5a14d86).
extension PromQLEvaluator {
    func call(_ function: PromQLFunction, _ arguments: [PromQLExpression], at time: Int64) throws(PromQLError) -> PromQLValue {
        switch function {
        case .rate, .increase, .irate, .avgOverTime, .maxOverTime, .minOverTime, .sumOverTime, .countOverTime, .lastOverTime:
            guard case let .range(selector, milliseconds) = arguments[0] else {
                throw PromQLError("\(function.rawValue)() needs a range selector such as metric[1m]", column: 0)
            }
            let series = range(selector, milliseconds, at: time)
            return .vector(series.compactMap { entry in
                Self.overRange(function, entry.samples, range: milliseconds, at: time).map {
                    PromSample(function == .lastOverTime ? entry.labels : entry.labels.withoutName, $0)
                }
            })
        case .histogramQuantile:
            guard case let .scalar(q) = try evaluate(arguments[0], at: time),
                  case let .vector(buckets) = try evaluate(arguments[1], at: time) else { return .vector([]) }
            return .vector(HistogramQuantile.evaluate(q, buckets))
        case .abs, .ceil, .floor:
            guard case let .vector(samples) = try evaluate(arguments[0], at: time) else { return .vector([]) }
            return .vector(samples.map { sample in
                let v = sample.value
                return PromSample(sample.labels.withoutName, function == .abs ? Swift.abs(v) : function == .ceil ? v.rounded(.up) : v.rounded(.down))
            })
        case .clampMin, .clampMax:
            guard case let .vector(samples) = try evaluate(arguments[0], at: time),
                  case let .scalar(bound) = try evaluate(arguments[1], at: time) else { return .vector([]) }
            return .vector(samples.map {
                PromSample($0.labels.withoutName, function == .clampMin ? Swift.max($0.value, bound) : Swift.min($0.value, bound))
            })
        case .scalar:
            guard case let .vector(samples) = try evaluate(arguments[0], at: time) else { return .scalar(.nan) }
            return .scalar(samples.count == 1 ? samples[0].value : .nan)
        case .vector:
            guard case let .scalar(value) = try evaluate(arguments[0], at: time) else { return .vector([]) }
            return .vector([PromSample(Labels(), value)])
        case .time:
            return .scalar(Double(time) / 1000)
        }
    }

    /// One series' value over its range samples, or `nil` when the function yields nothing for it.
    static func overRange(_ function: PromQLFunction, _ samples: [(time: Int64, value: Double)], range: Int64, at time: Int64) -> Double? {
        switch function {
        case .rate: return extrapolatedRate(samples, range: range, at: time, isCounter: true, isRate: true)
        case .increase: return extrapolatedRate(samples, range: range, at: time, isCounter: true, isRate: false)
        case .irate:
            guard samples.count >= 2 else { return nil }
            let last = samples[samples.count - 1], previous = samples[samples.count - 2]
            let interval = Double(last.time - previous.time) / 1000
            guard interval > 0 else { return nil }
            return (last.value < previous.value ? last.value : last.value - previous.value) / interval
        case .avgOverTime: return samples.map(\.value).reduce(0, +) / Double(samples.count)
        case .maxOverTime: return samples.map(\.value).filter { !$0.isNaN }.max() ?? samples[0].value
        case .minOverTime: return samples.map(\.value).filter { !$0.isNaN }.min() ?? samples[0].value
        case .sumOverTime: return samples.map(\.value).reduce(0, +)
        case .countOverTime: return Double(samples.count)
        case .lastOverTime: return samples.last?.value
        default: return nil
        }
    }

    /// `extrapolatedRate` for float samples: the increase between the first and last sample
    /// (counter resets added back), extrapolated to the window's edges when the samples come
    /// within 1.1 average intervals of them (else by half an interval), never below zero.
    static func extrapolatedRate(_ samples: [(time: Int64, value: Double)], range: Int64, at time: Int64,
                                 isCounter: Bool, isRate: Bool) -> Double? {
        guard samples.count >= 2 else { return nil }
        let rangeStart = time - range, rangeEnd = time
        let first = samples[0], last = samples[samples.count - 1]
        var result = last.value - first.value
        if isCounter {
            for index in 1..<samples.count where samples[index].value < samples[index - 1].value { result += samples[index - 1].value }
        }
        var durationToStart = Double(first.time - rangeStart) / 1000
        var durationToEnd = Double(rangeEnd - last.time) / 1000
        let sampledInterval = Double(last.time - first.time) / 1000
        let averageInterval = sampledInterval / Double(samples.count - 1)
        let threshold = averageInterval * 1.1
        if durationToStart >= threshold { durationToStart = averageInterval / 2 }
        if isCounter && result > 0 && first.value >= 0 {
            let durationToZero = sampledInterval * (first.value / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= threshold { durationToEnd = averageInterval / 2 }
        var factor = sampledInterval == 0 ? 1 : (sampledInterval + durationToStart + durationToEnd) / sampledInterval
        if isRate { factor /= Double(range) / 1000 }
        return result * factor
    }
}
