import Foundation

/// What a candidate's mean over all N seeds will be, from the seeds it has run: the racing
/// statistic. With common random numbers a seed moves every configuration the same way (a bursty
/// seed costs more and misses more for all), so each metric is modelled as configuration +
/// seed effect + residual: value(c, k) = μ_c + β_k + ε_ck. The seed effects β_k come from the
/// candidates complete on all seeds; the residual variance σ² from every candidate with two seeds
/// or more, after the seed effects are removed. A candidate on seeds 1…n then forecasts its mean
/// on 1…N as what it has plus, for each seed to come, its seed-adjusted mean + β_k; the forecast's
/// variance is (N − n)σ²/N² + ((N − n)/N)²σ²/n. This is the grid's own rule (mean over N seeds)
/// judged early, and the paired comparison with the incumbent in one: its N-seed mean is known.
struct TuneForecast {
    let seeds: Int
    var effects: [String: [Double]] = [:]
    var residual: [String: Double] = [:]

    /// When no candidate has two seeds yet: a residual spread of 10 % of the value, wide on purpose.
    static let priorRelativeSpread = 0.1

    init(_ candidates: [TuneCandidate], metrics: [String], seeds: Int) {
        self.seeds = seeds
        for metric in metrics {
            let complete = candidates.filter { $0.values(metric).count == seeds }
            var beta = [Double](repeating: 0, count: seeds)
            if !complete.isEmpty {
                for c in complete {
                    let v = c.values(metric), mean = v.reduce(0, +) / Double(seeds)
                    for k in 0..<seeds { beta[k] += (v[k] - mean) / Double(complete.count) }
                }
            }
            effects[metric] = beta
            var sum = 0.0, dof = 0.0
            for c in candidates {
                let v = c.values(metric)
                guard v.count >= 2 else { continue }
                let adjusted = v.indices.map { v[$0] - beta[$0] }
                let mean = adjusted.reduce(0, +) / Double(v.count)
                sum += adjusted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                dof += Double(v.count - 1)
            }
            // The seed effects took N − 1 degrees of freedom from the complete candidates (one
            // complete candidate alone has zero residuals by construction).
            if !complete.isEmpty { dof -= Double(seeds - 1) }
            if dof > 0 { residual[metric] = sum / dof }
        }
    }

    /// The forecast mean on seeds 1…N and its standard deviation.
    func forecast(_ metric: String, of candidate: TuneCandidate) -> (mean: Double, sd: Double) {
        let v = candidate.values(metric)
        guard !v.isEmpty else { return (.nan, .infinity) }
        let beta = effects[metric] ?? [Double](repeating: 0, count: seeds)
        let n = min(v.count, seeds), total = Double(seeds)
        let adjusted = (0..<n).map { v[$0] - beta[$0] }.reduce(0, +) / Double(n)
        let known = v.prefix(n).reduce(0, +)
        let coming = (n..<seeds).map { adjusted + beta[$0] }.reduce(0, +)
        let variance = residual[metric] ?? pow(Self.priorRelativeSpread * max(abs(adjusted), 1e-9), 2)
        let left = Double(seeds - n)
        let sd = (left * variance / (total * total) + pow(left / total, 2) * variance / Double(n)).squareRoot()
        return ((known + coming) / total, sd)
    }

    /// The chance the forecast N-seed mean meets the constraint (normal approximation; for `==`,
    /// the share of the seeds run that meet it, until all N have run).
    func probability(_ constraint: TuneConstraint, of candidate: TuneCandidate) -> Double {
        let v = candidate.values(constraint.metric)
        guard !v.isEmpty else { return 0.5 }
        if constraint.relation == .equal { return Double(v.filter(constraint.holds).count) / Double(v.count) }
        let (mean, sd) = forecast(constraint.metric, of: candidate)
        let margin = (constraint.relation == .atLeast || constraint.relation == .above) ? mean - constraint.threshold : constraint.threshold - mean
        guard sd > 0 else { return constraint.holds(mean) ? 1 : 0 }
        return TuneConstraint.normalCDF(margin / sd)
    }
}
