import Foundation
import HeadroomEngine

/// Baum–Welch for a hidden Markov chain with Poisson emissions on per-bin arrival counts, in log
/// space: each bin's emissions are scaled by their largest, so a bin of 500 arrivals (e^-500 and
/// less) cannot underflow every state to zero — which is how a bursty trace used to collapse to
/// `rate: 1e-07/s, dwell: never`.
struct MMPPEstimate: Sendable, Equatable {
    /// Mean arrivals per bin in each state, ascending.
    var counts: [Double]
    /// Probability of staying in each state from one bin to the next (same order).
    var stay: [Double]
    /// Log-likelihood of the counts under the fitted chain.
    var logLikelihood: Double
    var bins: Int

    /// The states as Headroom's MMPP (rates per second, mean dwell). Two states: the transition
    /// matrix is inverted as the bin-sampled continuous-time chain it is (P = exp(Q·bin)); more
    /// states: dwell = −bin / ln p_stay. Either corrects the downward bias of `bin / (1 − p)`.
    func states(width: Double) -> [MMPPState] {
        var leave: [Double]
        let n = stay.count
        if n == 2, stay[0] + stay[1] > 1 {
            let a = 1 - stay[0], b = 1 - stay[1]
            let total = -Foundation.log(stay[0] + stay[1] - 1) / width
            leave = [a * total / (a + b), b * total / (a + b)]
        } else {
            leave = stay.map { -Foundation.log(Swift.min(Swift.max($0, 1e-12), 1)) / width }
        }
        leave = leave.map { $0.isFinite ? $0 : 0 }
        return zip(counts, leave).map { count, rate in
            MMPPState(rate: count / width, meanDwell: rate > 0 ? .seconds(Swift.min(1 / rate, 1e8)) : .seconds(1e8))
        }
    }

    /// Log-likelihood of the counts as one Poisson process (the no-burstiness baseline).
    static func poissonLogLikelihood(_ counts: [Double]) -> Double {
        let mean = counts.reduce(0, +) / Double(Swift.max(1, counts.count))
        guard mean > 0 else { return 0 }
        return counts.reduce(0) { (sum: Double, k: Double) -> Double in sum + k * Foundation.log(mean) - mean - Foundation.lgamma(k + 1) }
    }

    /// The best of a few starts (spread quantiles, and the 10th/90th percentiles spread
    /// geometrically), each run to convergence.
    static func fit(counts: [Double], states n: Int, iterations: Int = 300) -> MMPPEstimate {
        let sorted = counts.sorted()
        func quantile(_ p: Double) -> Double { sorted[Swift.min(sorted.count - 1, Int(p * Double(sorted.count)))] }
        var starts: [[Double]] = [(0..<n).map { quantile((2 * Double($0) + 1) / (2 * Double(n))) }]
        let low = Swift.max(0.05, quantile(0.1)), high = Swift.max(low * 1.5, quantile(0.9))
        starts.append((0..<n).map { low * Foundation.pow(high / low, Double($0) / Double(n - 1)) })
        var best: MMPPEstimate?
        for start in starts {
            var rates = start.map { Swift.max(0.05, $0) }
            // Distinct starting rates, or EM keeps the states identical.
            for i in 1..<n where rates[i] <= rates[i - 1] { rates[i] = rates[i - 1] * 1.5 + 0.1 }
            let estimate = baumWelch(counts: counts, rates: rates, iterations: iterations)
            if estimate.logLikelihood.isFinite, best.map({ estimate.logLikelihood > $0.logLikelihood }) ?? true { best = estimate }
        }
        return best ?? MMPPEstimate(counts: Array(repeating: 0, count: n), stay: Array(repeating: 1, count: n),
                                    logLikelihood: -.infinity, bins: counts.count)
    }

    static func baumWelch(counts: [Double], rates start: [Double], iterations: Int) -> MMPPEstimate {
        let n = start.count, t = counts.count
        var rates = start
        var transition = (0..<n).map { i in (0..<n).map { j in i == j ? 0.9 : 0.1 / Double(n - 1) } }
        var initial = Array(repeating: 1.0 / Double(n), count: n)
        let logFactorial = counts.map { (k: Double) -> Double in Foundation.lgamma(k + 1) }
        var emission = Array(repeating: 0.0, count: t * n)
        var alpha = Array(repeating: 0.0, count: t * n), beta = Array(repeating: 0.0, count: t * n)
        var scale = Array(repeating: 0.0, count: t)
        var logLikelihood = -Double.infinity
        for _ in 0..<iterations {
            // Emissions scaled per bin by the largest (its log goes into the likelihood).
            var offset = 0.0
            for step in 0..<t {
                var top = -Double.infinity
                for i in 0..<n {
                    let value = counts[step] * Foundation.log(Swift.max(rates[i], 1e-300)) - rates[i] - logFactorial[step]
                    emission[step * n + i] = value
                    top = Swift.max(top, value)
                }
                offset += top
                for i in 0..<n { emission[step * n + i] = Foundation.exp(emission[step * n + i] - top) }
            }
            for i in 0..<n { alpha[i] = initial[i] * emission[i] }
            scale[0] = Swift.max(alpha[0..<n].reduce(0, +), 1e-300)
            for i in 0..<n { alpha[i] /= scale[0] }
            for step in 1..<t {
                var sum = 0.0
                for j in 0..<n {
                    var inflow = 0.0
                    for i in 0..<n { inflow += alpha[(step - 1) * n + i] * transition[i][j] }
                    alpha[step * n + j] = inflow * emission[step * n + j]
                    sum += alpha[step * n + j]
                }
                scale[step] = Swift.max(sum, 1e-300)
                for j in 0..<n { alpha[step * n + j] /= scale[step] }
            }
            let current = offset + scale.reduce(0) { $0 + Foundation.log($1) }
            for i in 0..<n { beta[(t - 1) * n + i] = 1 }
            for step in stride(from: t - 2, through: 0, by: -1) {
                for i in 0..<n {
                    var sum = 0.0
                    for j in 0..<n { sum += transition[i][j] * emission[(step + 1) * n + j] * beta[(step + 1) * n + j] }
                    beta[step * n + i] = sum / scale[step + 1]
                }
            }
            var occupancy = Array(repeating: 0.0, count: n), weighted = Array(repeating: 0.0, count: n)
            var flows = Array(repeating: Array(repeating: 0.0, count: n), count: n)
            var departures = Array(repeating: 0.0, count: n)
            for step in 0..<t {
                for i in 0..<n {
                    let g = alpha[step * n + i] * beta[step * n + i]
                    occupancy[i] += g
                    weighted[i] += g * counts[step]
                    if step == 0 { initial[i] = g }
                    guard step < t - 1 else { continue }
                    departures[i] += g
                    for j in 0..<n {
                        flows[i][j] += alpha[step * n + i] * transition[i][j] * emission[(step + 1) * n + j] * beta[(step + 1) * n + j]
                            / scale[step + 1]
                    }
                }
            }
            for i in 0..<n {
                rates[i] = weighted[i] / Swift.max(occupancy[i], 1e-300)
                for j in 0..<n { transition[i][j] = flows[i][j] / Swift.max(departures[i], 1e-300) }
            }
            let converged = current - logLikelihood < 1e-7 * Swift.max(1, Swift.abs(current))
            logLikelihood = current
            if converged { break }
        }
        let order = (0..<n).sorted { rates[$0] < rates[$1] }
        return MMPPEstimate(counts: order.map { rates[$0] }, stay: order.map { transition[$0][$0] },
                            logLikelihood: logLikelihood, bins: t)
    }
}
