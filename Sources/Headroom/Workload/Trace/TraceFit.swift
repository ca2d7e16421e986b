import Foundation
import HeadroomEngine

/// Fits a bursty arrival generator and token-length distributions to a trace.
///
/// MMPP: arrival counts in fixed bins are modelled as a hidden Markov chain with Poisson emissions
/// and fitted by Baum–Welch in log space (`MMPPEstimate`); a state's rate is its mean count per bin
/// over the bin width, its dwell from the bin-to-bin transitions read as a sampled continuous-time
/// chain. The bin is chosen from the data unless given; a degenerate fit is refitted on other bins
/// or refused, and the fit's likelihood is reported beside it (`goodness`). Headroom's MMPP
/// leaves a state for any other with equal probability, so with more than two states the fitted
/// transition structure beyond the dwell times is dropped. Gamma renewal: the gaps' mean and CV.
/// Token lengths: lognormal by the mean and deviation of their logarithms, clipped to the range seen.
public struct TraceFit: Sendable {
    public enum Model: String, Sendable, CaseIterable { case mmpp, gamma }

    public var arrivals: ArrivalProcess
    public var promptTokens: Distribution
    public var outputTokens: Distribution
    /// The trace's statistics and the same statistics of the fitted generator over the same span.
    public var trace: TraceStatistics
    public var fitted: TraceStatistics

    /// How well the arrivals fit, printed beside them: a fit never fails silently.
    public struct Goodness: Sendable, Equatable {
        /// The bin width the MMPP was fitted on (`nil` for gamma).
        public var bin: SimTime?
        /// Log-likelihood per bin of the counts under the fit, and under one Poisson process.
        public var logLikelihoodPerBin: Double?
        public var poissonLogLikelihoodPerBin: Double?
        /// What was tried and why (a degenerate fit refitted on another bin, states collapsed).
        public var notes: [String] = []
    }

    public var goodness = Goodness()

    /// `bin`: the MMPP's bin width; `nil` picks one from the data (about ten arrivals a bin).
    public init(file: String, model: Model = .mmpp, states: Int = 2, bin: SimTime? = nil, seed: UInt64 = 1) throws(TraceError) {
        trace = try TraceStatistics(file: file)
        let width = bin?.seconds ?? Self.binWidth(requests: trace.requests, span: trace.spanSeconds)
        // Counts on a quarter of the bin, so the fit can be retried on other bins without re-reading.
        let fine = width / 4
        // The counts are an array over the span: a bin far finer than the span would exhaust memory.
        guard trace.spanSeconds / width <= Self.maxBins else {
            throw TraceError(file: file, line: nil, message: String(
                format: "a %@ bin is too fine for this trace's %.0f s span (%.0f bins, at most %.0f); use --bin %@ or more, or leave it out",
                SimTime.seconds(width).description, trace.spanSeconds, trace.spanSeconds / width, Self.maxBins,
                SimTime.seconds((trace.spanSeconds / Self.maxBins).rounded(.up)).description))
        }
        var reader = try TraceReader(file: file)
        var counts: [Double] = []
        var logPrompt = RunningMoments(), logOutput = RunningMoments(), gaps = RunningMoments()
        var promptRange = (Double.infinity, 0.0), outputRange = (Double.infinity, 0.0)
        var last: Double?
        while let record = try reader.next() {
            let index = Int(record.time / fine)
            if index >= counts.count { counts += Array(repeating: 0, count: index - counts.count + 1) }
            counts[index] += 1
            let prompt = Double(max(1, record.promptTokens)), output = Double(max(1, record.outputTokens))
            logPrompt.add(Foundation.log(prompt))
            logOutput.add(Foundation.log(output))
            promptRange = (min(promptRange.0, prompt), max(promptRange.1, prompt))
            outputRange = (min(outputRange.0, output), max(outputRange.1, output))
            if let last { gaps.add(record.time - last) }
            last = record.time
        }
        guard gaps.count >= 2, model == .gamma || counts.count >= 8 else {
            throw TraceError(file: file, line: nil, message: "too few requests to fit (need three requests, and two bins of data for an MMPP)")
        }
        switch model {
        case .gamma:
            arrivals = .gamma(rate: 1 / gaps.mean, cv: max(0.01, gaps.deviation / gaps.mean))
        case .mmpp:
            (arrivals, goodness) = try Self.fitMMPP(fineCounts: counts, fineWidth: fine, states: max(2, states),
                                                    traceMeanRate: Double(gaps.count) / max(1e-9, trace.spanSeconds), file: file)
        }
        func lognormal(_ moments: RunningMoments, _ range: (Double, Double)) -> Distribution {
            (try? Distribution(.lognormal(median: Foundation.exp(moments.mean), sigma: moments.deviation), min: range.0, max: range.1))
                ?? .constant(Foundation.exp(moments.mean))
        }
        promptTokens = lognormal(logPrompt, promptRange)
        outputTokens = lognormal(logOutput, outputRange)
        fitted = try Self.statistics(of: WorkloadSpec(arrivals: arrivals, promptTokens: promptTokens, outputTokens: outputTokens),
                                     span: trace.spanSeconds, seed: seed)
    }

    /// The most bins an MMPP is fitted on (a chosen bin stays under 200,000).
    static let maxBins = 2_000_000.0

    /// About ten arrivals a bin (enough to tell a state's rate from Poisson noise), at least 50 bins
    /// over the span and at most 200,000, rounded to 1, 2 or 5 × 10ⁿ seconds.
    static func binWidth(requests: Int, span: Double) -> Double {
        guard requests > 1, span > 0 else { return 1 }
        var width = 10 * span / Double(requests)
        width = min(width, span / 50, 300)
        width = max(width, span / 200_000, 0.01)
        let decade = Foundation.pow(10, Foundation.floor(Foundation.log10(width)))
        let nice = [1.0, 2, 5, 10].last { $0 * decade <= width * 1.0001 } ?? 1
        return nice * decade
    }

    /// Fits on the chosen bin, then (if that fit is degenerate) on 4× and ¼ of it; a trace with no
    /// distinct states gets a Poisson process, and a fit that stays degenerate is refused.
    static func fitMMPP(fineCounts: [Double], fineWidth: Double, states n: Int, traceMeanRate: Double,
                        file: String) throws(TraceError) -> (ArrivalProcess, Goodness) {
        var notes: [String] = []
        for factor in [4, 16, 1] {
            let width = fineWidth * Double(factor)
            let counts = stride(from: 0, to: fineCounts.count, by: factor).map { fineCounts[$0..<min($0 + factor, fineCounts.count)].reduce(0, +) }
            let label = SimTime.seconds(width).description
            guard counts.count >= 8 else {
                notes.append("\(label) bins: too few bins (\(counts.count))")
                continue
            }
            let estimate = MMPPEstimate.fit(counts: counts, states: n)
            let states = estimate.states(width: width)
            let poisson = MMPPEstimate.poissonLogLikelihood(counts)
            var goodness = Goodness(bin: .seconds(width), logLikelihoodPerBin: estimate.logLikelihood / Double(counts.count),
                                    poissonLogLikelihoodPerBin: poisson / Double(counts.count), notes: notes)
            if let problem = degeneracy(estimate, states: states, traceMeanRate: traceMeanRate) {
                notes.append("\(label) bins: \(problem)")
                continue
            }
            // No distinct states: the extra parameters (BIC) buy nothing over one Poisson rate.
            let parameters = Double(n * n - 1)
            let collapsed = (estimate.counts.last ?? 0) < 1.2 * (estimate.counts.first ?? 0)
            if collapsed || estimate.logLikelihood - poisson < 0.5 * parameters * Foundation.log(Double(counts.count)) {
                goodness.notes.append("no distinct states on \(label) bins (the MMPP fits no better than one Poisson rate): "
                                      + "fitted a Poisson process")
                return (.poisson(rate: traceMeanRate), goodness)
            }
            if !notes.isEmpty { goodness.notes.append("fitted on \(label) bins instead") }
            return (.mmpp(states: states), goodness)
        }
        throw TraceError(file: file, line: nil, message: "the MMPP fit is degenerate on every bin tried (\(notes.joined(separator: "; "))); "
                         + "try --bin, --states or --model gamma")
    }

    /// Why a fit cannot be used, or `nil`: a non-finite likelihood, a state that never leaves, or
    /// a mean rate far from the trace's (every rate near zero).
    static func degeneracy(_ estimate: MMPPEstimate, states: [MMPPState], traceMeanRate: Double) -> String? {
        guard estimate.logLikelihood.isFinite else { return "the likelihood is not finite" }
        if let stuck = estimate.stay.firstIndex(where: { $0 > 1 - 1e-9 }) {
            return String(format: "state %d (%.4g/s) never leaves (dwell never)", stuck + 1, states[stuck].rate)
        }
        let dwell = states.map(\.meanDwell.seconds)
        let mean = zip(states, dwell).reduce(0) { $0 + $1.0.rate * $1.1 } / max(1e-300, dwell.reduce(0, +))
        if traceMeanRate > 0, !(abs(mean / traceMeanRate - 1) <= 0.25) {
            return String(format: "the fitted mean rate %.4g/s is far from the trace's %.4g/s", mean, traceMeanRate)
        }
        return nil
    }

    /// The statistics of a generated workload over `span` seconds (through a temporary CSV).
    static func statistics(of workload: WorkloadSpec, span: Double, seed: UInt64) throws(TraceError) -> TraceStatistics {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-fit-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var generator = SyntheticWorkload(workload, seed: seed)
        var text = "time,prompt,output\n"
        while let request = generator.next(), request.arrival.seconds <= span {
            text += "\(request.arrival.seconds),\(request.promptTokens),\(request.outputTokens)\n"
        }
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw TraceError(file: path, line: nil, message: "cannot write the generated trace")
        }
        return try TraceStatistics(file: path, format: .csv, columns: TraceSpec.Columns(time: "time", prompt: "prompt", output: "output"))
    }
}

/// Welford's running mean and variance.
struct RunningMoments: Sendable {
    private(set) var count = 0
    private(set) var mean = 0.0
    private var squares = 0.0
    mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        squares += delta * (value - mean)
    }
    var deviation: Double { count > 1 ? (squares / Double(count - 1)).squareRoot() : 0 }
}
