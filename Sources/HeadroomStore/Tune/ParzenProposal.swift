import Foundation

/// The model-guided proposal step: a tree-structured Parzen estimator (Bergstra, Bardenet, Bengio
/// & Kégl 2011, "Algorithms for Hyper-Parameter Optimization", §4). Candidates tried so far are
/// split into the best quarter (`good`) and the rest; each parameter gets a density for each group
/// (a Gaussian kernel per observation on the level's [0, 1] coordinate, or smoothed counts for a
/// category, both mixed with a uniform prior) and a proposal is the draw from the good density
/// that maximizes good / rest. Written from the paper; deterministic from the generator's seed.
struct ParzenProposal {
    /// The share of observations counted as good (the paper's γ).
    static let goodShare = 0.25
    /// Draws from the good density scored per proposal (the paper's expected-improvement candidates).
    static let draws = 24
    /// Weight of the uniform prior in each density, as if it were this many observations.
    static let priorWeight = 1.0

    let parameters: [TuneParameter]
    let coordinates: [[Double]]

    init(parameters: [TuneParameter]) {
        self.parameters = parameters
        coordinates = parameters.map(\.coordinates)
    }

    /// A point drawn uniformly: each level equally likely.
    func uniform(_ generator: inout SplitMix64) -> [Int] {
        parameters.map { Int(generator.next() % UInt64($0.levels.count)) }
    }

    /// The proposal maximizing l(x)/g(x) among `draws` draws from l, skipping points in `taken`;
    /// nil when every draw was taken. `ranked` is best first.
    func propose(ranked: [[Int]], taken: Set<[Int]>, generator: inout SplitMix64) -> [Int]? {
        guard ranked.count >= 2 else { return nil }
        let goodCount = max(1, Int((Self.goodShare * Double(ranked.count)).rounded(.up)))
        let good = Array(ranked.prefix(goodCount)), rest = Array(ranked.dropFirst(goodCount))
        var best: (point: [Int], score: Double)?
        for _ in 0..<Self.draws {
            let point = parameters.indices.map { draw(dimension: $0, from: good, &generator) }
            guard !taken.contains(point) else { continue }
            var score = 0.0
            for d in parameters.indices {
                score += log(density(d, level: point[d], observed: good)) - log(density(d, level: point[d], observed: rest))
            }
            if best == nil || score > best!.score { best = (point, score) }
        }
        return best?.point
    }

    /// The kernel width on [0, 1]: Scott's rule for n observations, at least one level's spacing.
    func bandwidth(_ d: Int, count: Int) -> Double {
        let spacing = 1 / Double(max(1, parameters[d].levels.count - 1))
        return max(spacing, pow(Double(max(count, 1)), -0.2) * 0.25)
    }

    /// A level drawn from the good density of dimension `d`: the prior with its weight, else a
    /// kernel around a good observation's coordinate, snapped to the nearest level.
    func draw(dimension d: Int, from observed: [[Int]], _ generator: inout SplitMix64) -> Int {
        let levels = parameters[d].levels.count
        let total = Double(observed.count) + Self.priorWeight
        let pick = generator.uniform() * total
        guard pick < Double(observed.count) else { return Int(generator.next() % UInt64(levels)) }
        let centre = observed[Int(pick)][d]
        if parameters[d].kind == .categorical {
            // Keep the observed category, or move to another one as often as the prior spreads it.
            return generator.uniform() < 0.8 ? centre : Int(generator.next() % UInt64(levels))
        }
        let x = coordinates[d][centre] + bandwidth(d, count: observed.count) * generator.gaussian()
        return nearest(d, to: min(1, max(0, x)))
    }

    /// The density of a level under the observations of one group (uniform prior mixed in).
    func density(_ d: Int, level: Int, observed: [[Int]]) -> Double {
        let levels = Double(parameters[d].levels.count)
        let prior = Self.priorWeight / levels
        guard !observed.isEmpty else { return 1 / levels }
        var mass = 0.0
        if parameters[d].kind == .categorical {
            mass = Double(observed.filter { $0[d] == level }.count)
        } else {
            let h = bandwidth(d, count: observed.count), x = coordinates[d][level]
            for point in observed {
                let z = (x - coordinates[d][point[d]]) / h
                // Per-level probability of the kernel ≈ density × level spacing.
                mass += exp(-0.5 * z * z) / (h * (2 * Double.pi).squareRoot()) / max(levels - 1, 1)
            }
        }
        return (mass + prior) / (Double(observed.count) + Self.priorWeight)
    }

    /// The level whose coordinate is closest to `x`.
    func nearest(_ d: Int, to x: Double) -> Int {
        let c = coordinates[d]
        var lo = 0, hi = c.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if c[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        if lo > 0 && abs(c[lo - 1] - x) <= abs(c[lo] - x) { return lo - 1 }
        return lo
    }
}

extension SplitMix64 {
    /// Uniform in [0, 1) from the top 53 bits.
    mutating func uniform() -> Double { Double(next() >> 11) / 9_007_199_254_740_992 }

    /// A standard normal draw (Box–Muller).
    mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
