import Foundation

/// One configuration the search tried: a level per parameter, its results on seeds 1…n (common
/// random numbers: seed k gives every candidate the same requests), and where the race left it.
public struct TuneCandidate: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        /// Still in the race: may get more seeds.
        case racing
        /// Evaluated on every seed.
        case complete
        /// Dropped early: the seeds so far make meeting the constraints unlikely.
        case infeasible
        /// Dropped early: paired on common seeds, clearly worse than the incumbent.
        case worse
        /// The scenario refused this configuration (no run spent); the message says why.
        case invalid(String)
    }

    /// Order of proposal, from 0.
    public var index: Int
    /// The level of each parameter.
    public var levels: [Int]
    /// The variant name runs are stored under (`path=value, path=value`).
    public var label: String
    /// Summary metrics per seed, seeds 1, 2, … in order.
    public var results: [[String: Double]] = []
    public var status: Status = .racing

    public init(index: Int, levels: [Int], label: String) {
        self.index = index
        self.levels = levels
        self.label = label
    }

    public var seeds: Int { results.count }

    /// A metric's values over the seeds run.
    public func values(_ metric: String) -> [Double] { results.compactMap { $0[metric] } }

    public func mean(_ metric: String) -> Double {
        let v = values(metric)
        return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
    }
}

/// The seed-to-seed spread of each metric, pooled over every candidate with two seeds or more
/// (within-candidate variance, weighted by degrees of freedom): with common random numbers the
/// noise of one configuration is a good guess for its neighbours', so a candidate on one seed
/// still gets a standard error.
public struct TuneNoise: Sendable {
    var variance: [String: Double] = [:]
    var degrees: [String: Double] = [:]

    /// Used when no candidate has two seeds yet: 10 % of the value, a deliberately wide guess that
    /// keeps early decisions cautious.
    static let priorRelativeSpread = 0.1

    public init(_ candidates: [TuneCandidate], metrics: [String]) {
        for metric in metrics {
            var sum = 0.0, dof = 0.0
            for candidate in candidates where candidate.seeds >= 2 {
                let v = candidate.values(metric)
                guard v.count >= 2 else { continue }
                let mean = v.reduce(0, +) / Double(v.count)
                sum += v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                dof += Double(v.count - 1)
            }
            if dof > 0 { variance[metric] = sum / dof; degrees[metric] = dof }
        }
    }

    /// The standard error of a candidate's mean: its own variance shrunk towards the pooled one
    /// (weights: degrees of freedom), over √n.
    public func standardError(_ metric: String, of candidate: TuneCandidate) -> Double {
        let v = candidate.values(metric)
        guard !v.isEmpty else { return .infinity }
        let n = Double(v.count), mean = v.reduce(0, +) / n
        let own = n >= 2 ? v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } : 0
        let pooledDof = degrees[metric] ?? 0
        let dof = (n - 1) + pooledDof
        let variance = dof > 0 ? (own + pooledDof * (self.variance[metric] ?? 0)) / dof
            : pow(Self.priorRelativeSpread * max(abs(mean), 1e-9), 2)
        return (variance / n).squareRoot()
    }
}
