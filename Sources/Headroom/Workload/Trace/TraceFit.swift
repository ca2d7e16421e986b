import Foundation
import HeadroomEngine

/// Fits a bursty arrival generator and token-length distributions to a trace.
///
/// MMPP: arrival counts in fixed bins are modelled as a hidden Markov chain with Poisson emissions
/// and fitted by Baum–Welch (EM with scaled forward–backward passes); a state's rate is its mean
/// count per bin over the bin width and its mean dwell is `bin / (1 − p_stay)`. Headroom's MMPP
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

    public init(file: String, model: Model = .mmpp, states: Int = 2, bin: SimTime = .seconds(10), seed: UInt64 = 1) throws(TraceError) {
        var reader = try TraceReader(file: file)
        var counts: [Double] = []
        var logPrompt = RunningMoments(), logOutput = RunningMoments(), gaps = RunningMoments()
        var promptRange = (Double.infinity, 0.0), outputRange = (Double.infinity, 0.0)
        var last: Double?
        let width = bin.seconds
        while let record = try reader.next() {
            let index = Int(record.time / width)
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
        guard gaps.count >= 2, model == .gamma || counts.count >= 2 else {
            throw TraceError(file: file, line: nil, message: "too few requests to fit (need three requests, and two bins of data for an MMPP)")
        }
        switch model {
        case .gamma:
            arrivals = .gamma(rate: 1 / gaps.mean, cv: max(0.01, gaps.deviation / gaps.mean))
        case .mmpp:
            arrivals = Self.fitMMPP(counts: counts, states: max(2, states), width: width)
        }
        func lognormal(_ moments: RunningMoments, _ range: (Double, Double)) -> Distribution {
            (try? Distribution(.lognormal(median: Foundation.exp(moments.mean), sigma: moments.deviation), min: range.0, max: range.1))
                ?? .constant(Foundation.exp(moments.mean))
        }
        promptTokens = lognormal(logPrompt, promptRange)
        outputTokens = lognormal(logOutput, outputRange)
        trace = try TraceStatistics(file: file)
        fitted = try Self.statistics(of: WorkloadSpec(arrivals: arrivals, promptTokens: promptTokens, outputTokens: outputTokens),
                                     span: trace.spanSeconds, seed: seed)
    }

    /// Baum–Welch for an HMM with Poisson emissions on per-bin counts.
    static func fitMMPP(counts: [Double], states n: Int, width: Double, iterations: Int = 300) -> ArrivalProcess {
        let sorted = counts.sorted()
        // Start the rates at spread quantiles of the counts, the chain sticky.
        var rates = (0..<n).map { i in max(0.05, sorted[min(sorted.count - 1, (2 * i + 1) * sorted.count / (2 * n))]) }
        if Set(rates).count < n { rates = (0..<n).map { Double($0 + 1) * max(0.1, sorted.last! / Double(n)) } }
        var transition = (0..<n).map { i in (0..<n).map { j in i == j ? 0.9 : 0.1 / Double(n - 1) } }
        var initial = Array(repeating: 1.0 / Double(n), count: n)
        let t = counts.count
        func emission(_ k: Double, _ lambda: Double) -> Double {
            Foundation.exp(k * Foundation.log(max(lambda, 1e-12)) - lambda - Foundation.lgamma(k + 1))
        }
        for _ in 0..<iterations {
            var alpha = Array(repeating: Array(repeating: 0.0, count: n), count: t)
            var scale = Array(repeating: 0.0, count: t)
            for i in 0..<n { alpha[0][i] = initial[i] * emission(counts[0], rates[i]) }
            scale[0] = max(alpha[0].reduce(0, +), 1e-300)
            for i in 0..<n { alpha[0][i] /= scale[0] }
            for step in 1..<t {
                for j in 0..<n {
                    var sum = 0.0
                    for i in 0..<n { sum += alpha[step - 1][i] * transition[i][j] }
                    alpha[step][j] = sum * emission(counts[step], rates[j])
                }
                scale[step] = max(alpha[step].reduce(0, +), 1e-300)
                for j in 0..<n { alpha[step][j] /= scale[step] }
            }
            var beta = Array(repeating: Array(repeating: 1.0, count: n), count: t)
            for step in stride(from: t - 2, through: 0, by: -1) {
                for i in 0..<n {
                    var sum = 0.0
                    for j in 0..<n { sum += transition[i][j] * emission(counts[step + 1], rates[j]) * beta[step + 1][j] }
                    beta[step][i] = sum / scale[step + 1]
                }
            }
            var gammaSum = Array(repeating: 0.0, count: n), weighted = Array(repeating: 0.0, count: n)
            var xi = Array(repeating: Array(repeating: 0.0, count: n), count: n)
            var fromSum = Array(repeating: 0.0, count: n)
            for step in 0..<t {
                for i in 0..<n {
                    let g = alpha[step][i] * beta[step][i]
                    gammaSum[i] += g
                    weighted[i] += g * counts[step]
                    if step == 0 { initial[i] = g }
                    if step < t - 1 {
                        fromSum[i] += g
                        for j in 0..<n {
                            xi[i][j] += alpha[step][i] * transition[i][j] * emission(counts[step + 1], rates[j]) * beta[step + 1][j] / scale[step + 1]
                        }
                    }
                }
            }
            for i in 0..<n {
                rates[i] = max(1e-6, weighted[i] / max(gammaSum[i], 1e-300))
                for j in 0..<n { transition[i][j] = xi[i][j] / max(fromSum[i], 1e-300) }
            }
        }
        let order = (0..<n).sorted { rates[$0] < rates[$1] }
        return .mmpp(states: order.map { i in
            MMPPState(rate: rates[i] / width, meanDwell: .seconds(width / max(1e-9, 1 - transition[i][i])))
        })
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
