import Foundation
import HeadroomEngine

/// Draws the arrival instants of an `ArrivalProcess`, one at a time.
///
/// Piecewise-constant rates (Poisson, schedules, spikes, MMPP) are sampled exactly: an Exp(1)
/// amount of "work" is spent at the current rate until the next rate change, where the rest
/// carries over (the time-change theorem). The diurnal sinusoid is sampled by thinning (Lewis &
/// Shedler 1979) against its peak rate, the cosine computed only for candidates above its least
/// rate (about half of them at the fleet's ±30 % swing; it was 3 % of the fleet's samples).
/// Gamma renewal draws inter-arrival gaps directly. The clock is kept in seconds as a `Double`
/// (sub-nanosecond precision over weeks).
struct ArrivalGenerator {
    let process: ArrivalProcess
    private var random: RandomStream
    private var clock = 0.0
    private var segmentRate = 0.0
    private var segmentEnd = 0.0
    private var state = 0

    init(_ process: ArrivalProcess, random: RandomStream) {
        self.process = process
        self.random = random
        if case let .mmpp(states) = process {
            // Start in a state drawn from the time-stationary distribution (∝ mean dwell).
            let total = states.reduce(0) { $0 + $1.meanDwell.seconds }
            var u = self.random.nextUnit() * total
            state = states.count - 1
            for (index, candidate) in states.enumerated() {
                u -= candidate.meanDwell.seconds
                if u < 0 { state = index; break }
            }
            segmentEnd = self.random.nextExponential(mean: states[state].meanDwell.seconds)
            segmentRate = states[state].rate
        } else {
            enterSegment()
        }
    }

    /// The next arrival in seconds from the start, or `.infinity` if no more will ever come.
    mutating func next() -> Double {
        switch process {
        case let .gamma(rate, cv):
            guard rate > 0 else { return .infinity }
            clock += Distribution.standardGamma(shape: 1 / (cv * cv), &random) * cv * cv / rate
            return clock
        case let .diurnal(mean, amplitude, period, peak):
            let peakRate = mean + amplitude, leastRate = mean - amplitude
            guard peakRate > 0 else { return .infinity }
            while true {
                clock += random.nextExponential(mean: 1 / peakRate)
                let level = random.nextUnit() * peakRate
                // A candidate under the least rate is kept wherever it falls (the same draws and
                // the same outcome): the cosine is computed only above it.
                if level < leastRate { return clock }
                let rate = mean + amplitude * cos(2 * Double.pi * (clock - peak.seconds) / period.seconds)
                if level < rate { return clock }
            }
        default:
            var work = random.nextExponential(mean: 1)
            while true {
                if segmentRate > 0 {
                    let candidate = clock + work / segmentRate
                    if candidate < segmentEnd { clock = candidate; return clock }
                    work -= (segmentEnd - clock) * segmentRate
                }
                guard segmentEnd.isFinite else { return .infinity }
                clock = segmentEnd
                enterSegment()
            }
        }
    }

    /// Sets the rate and end of the constant-rate segment that starts at `clock`.
    private mutating func enterSegment() {
        switch process {
        case let .poisson(rate):
            segmentRate = rate
            segmentEnd = .infinity
        case let .schedule(steps, period):
            let periodSeconds = period?.seconds
            let cycleStart = periodSeconds.map { (clock / $0).rounded(.down) * $0 } ?? 0
            let position = clock - cycleStart
            var index = 0
            while index + 1 < steps.count && steps[index + 1].start.seconds <= position { index += 1 }
            segmentRate = steps[index].rate
            if index + 1 < steps.count {
                segmentEnd = cycleStart + steps[index + 1].start.seconds
            } else {
                segmentEnd = periodSeconds.map { cycleStart + $0 } ?? .infinity
            }
            if segmentEnd <= clock { segmentEnd = clock.nextUp }
        case let .spikes(baseline, burstRate, length, period, offset):
            let first = offset.seconds, span = period.seconds
            if clock < first {
                segmentRate = baseline
                segmentEnd = first
                return
            }
            let cycleStart = first + ((clock - first) / span).rounded(.down) * span
            let burstEnd = cycleStart + length.seconds
            if clock < burstEnd {
                segmentRate = baseline + burstRate
                segmentEnd = burstEnd
            } else {
                segmentRate = baseline
                segmentEnd = cycleStart + span
            }
            if segmentEnd <= clock { segmentEnd = clock.nextUp }
        case let .mmpp(states):
            // Leave for one of the other states with equal probability.
            if states.count > 1 {
                let step = 1 + random.nextIndex(below: states.count - 1)
                state = (state + step) % states.count
            }
            segmentRate = states[state].rate
            segmentEnd = clock + random.nextExponential(mean: states[state].meanDwell.seconds)
        case .gamma, .diurnal:
            break
        }
    }
}
