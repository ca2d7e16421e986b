import HeadroomEngine

/// What traffic arrives: when requests come and how long their prompts and outputs are — drawn
/// from an arrival process and two distributions, or replayed from a trace.
public struct WorkloadSpec: Sendable, Equatable {
    public var arrivals: ArrivalProcess
    /// Prompt length in tokens (rounded, at least 1).
    public var promptTokens: Distribution
    /// Output length in tokens (rounded, at least 1).
    public var outputTokens: Distribution
    /// When set, requests come from this trace and the three fields above are unused.
    public var trace: TraceSpec?
    /// When set, each arrival opens a multi-turn conversation and `promptTokens` is each turn's
    /// new tokens (synthetic workloads only).
    public var conversation: ConversationSpec?

    public init(arrivals: ArrivalProcess, promptTokens: Distribution, outputTokens: Distribution) {
        self.arrivals = arrivals
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }

    public init(trace: TraceSpec) {
        self.init(arrivals: .poisson(rate: 0), promptTokens: .constant(1), outputTokens: .constant(1))
        self.trace = trace
    }

    /// The requests this workload produces for `seed`, read lazily.
    public func makeSource(seed: UInt64) -> RequestSource {
        guard let trace else { return .synthetic(SyntheticWorkload(self, seed: seed)) }
        do {
            // A loop's period is measured during the first pass: the file is read once.
            return .trace(try TraceReplay(trace, seed: seed, loopPeriod: nil))
        } catch {
            return .unreadable(error)
        }
    }
}

/// When requests arrive. Rates are in requests per second.
public enum ArrivalProcess: Sendable, Equatable {
    /// Homogeneous Poisson process.
    case poisson(rate: Double)
    /// Piecewise-constant rate: each step holds from its start until the next one; the last holds
    /// to the end. With `period`, the schedule repeats.
    case schedule(steps: [RateStep], period: SimTime?)
    /// Sinusoidal rate `mean + amplitude·cos(2π(t − peak)/period)`; amplitude ≤ mean.
    case diurnal(mean: Double, amplitude: Double, period: SimTime, peak: SimTime)
    /// Markov-modulated Poisson: the process stays in a state for an exponential time with the
    /// state's mean dwell, then moves to one of the other states with equal probability.
    case mmpp(states: [MMPPState])
    /// Renewal process with gamma inter-arrival times of mean 1/rate and coefficient of variation
    /// `cv` (cv = 1 is Poisson, > 1 burstier).
    case gamma(rate: Double, cv: Double)
    /// Baseline Poisson traffic plus periodic bursts of `burstRate` extra requests per second lasting
    /// `burstLength`, every `period`, the first starting at `offset`.
    case spikes(baseline: Double, burstRate: Double, burstLength: SimTime, period: SimTime, offset: SimTime)

    /// The long-run mean rate in requests per second.
    public var meanRate: Double {
        switch self {
        case let .poisson(rate), let .gamma(rate, _): return rate
        case let .schedule(steps, period):
            guard let period, period > .zero else { return steps.last?.rate ?? 0 }
            var total = 0.0
            for (index, step) in steps.enumerated() {
                let end = index + 1 < steps.count ? steps[index + 1].start : period
                total += step.rate * max(0, (min(end, period) - step.start).seconds)
            }
            return total / period.seconds
        case let .diurnal(mean, _, _, _): return mean
        case let .mmpp(states):
            let dwell = states.reduce(0) { $0 + $1.meanDwell.seconds }
            return states.reduce(0) { $0 + $1.rate * $1.meanDwell.seconds } / dwell
        case let .spikes(baseline, burstRate, length, period, _):
            return baseline + burstRate * min(1, length.seconds / period.seconds)
        }
    }

    /// The highest instantaneous rate the process can reach.
    public var peakRate: Double {
        switch self {
        case let .poisson(rate), let .gamma(rate, _): return rate
        case let .schedule(steps, _): return steps.map(\.rate).max() ?? 0
        case let .diurnal(mean, amplitude, _, _): return mean + amplitude
        case let .mmpp(states): return states.map(\.rate).max() ?? 0
        case let .spikes(baseline, burstRate, _, _, _): return baseline + burstRate
        }
    }
}

/// One step of a rate schedule.
public struct RateStep: Sendable, Equatable {
    /// When this rate starts (from the start of the run or of the period).
    public var start: SimTime
    /// Requests per second; >= 0.
    public var rate: Double
    public init(start: SimTime, rate: Double) {
        self.start = start
        self.rate = rate
    }
}

/// One state of a Markov-modulated Poisson process.
public struct MMPPState: Sendable, Equatable {
    /// Requests per second while in this state; >= 0.
    public var rate: Double
    /// Mean time spent in the state per visit; > 0.
    public var meanDwell: SimTime
    public init(rate: Double, meanDwell: SimTime) {
        self.rate = rate
        self.meanDwell = meanDwell
    }
}
