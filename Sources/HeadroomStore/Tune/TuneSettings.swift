import Foundation

/// What a tune searches and how much it may spend.
public struct TuneSettings: Sendable {
    public var parameters: [TuneParameter]
    public var constraints: [TuneConstraint]
    public var objective: TuneObjective
    /// The most simulation runs the search may use (runs reused on --resume count too).
    public var budget: Int
    /// Seeds a configuration is judged on once complete (seeds 1…seeds, common to every candidate).
    public var seeds: Int
    /// The search's own seed: the proposals, not the simulations, depend on it.
    public var searchSeed: UInt64
    /// Candidates decided per round (promotions plus new proposals); fixed, so `--jobs` changes
    /// only how fast a round runs, never what it holds.
    public var batch: Int

    public init(parameters: [TuneParameter], constraints: [TuneConstraint], objective: TuneObjective, budget: Int, seeds: Int,
                searchSeed: UInt64, batch: Int = 8)
    {
        self.parameters = parameters
        self.constraints = constraints
        self.objective = objective
        self.budget = budget
        self.seeds = seeds
        self.searchSeed = searchSeed
        self.batch = batch
    }

    /// Every metric the search reads.
    public var metrics: [String] {
        var seen: [String] = []
        for m in [objective.metric] + constraints.map(\.metric) where !seen.contains(m) { seen.append(m) }
        return seen
    }

    /// How many points the space holds (saturating).
    public var spaceSize: Int {
        parameters.reduce(1) { size, p in size.multipliedReportingOverflow(by: p.levels.count).overflow ? Int.max : size * p.levels.count }
    }

    /// The variant name of a point: `name=value` per parameter (`target=24, scale-down-delay=2m`),
    /// the key path as written where two parameters share a short name.
    public func label(_ levels: [Int]) -> String {
        let short = parameters.map(\.shortName)
        return zip(parameters.indices, levels).map { d, level in
            let name = short.filter { $0 == short[d] }.count > 1 || short[d].isEmpty ? parameters[d].written : short[d]
            return "\(name)=\(parameters[d].levels[level])"
        }.joined(separator: ", ")
    }

    /// The overrides a point sets, for `ScenarioDocument.set`. Kubernetes annotations are
    /// strings, so a value under `annotations` is quoted (`"24"`), as a manifest writes it.
    public func overrides(_ levels: [Int]) -> [(path: String, value: String)] {
        zip(parameters, levels).map { parameter, level in
            let text = parameter.levels[level]
            let quoted = parameter.path.contains("annotations[") && parameter.kind != .categorical
            return (parameter.path, quoted ? "\"\(text)\"" : text)
        }
    }
}

/// One simulation the search asks for: a candidate on one seed.
public struct TuneRun: Sendable, Equatable {
    public var candidate: Int
    public var levels: [Int]
    public var label: String
    public var seed: UInt64
}

/// Where a search stands after a round, for the progress line.
public struct TuneProgress: Sendable {
    public var round: Int
    public var runs: Int
    public var budget: Int
    public var candidates: Int
    public var incumbent: TuneCandidate?
}

/// Asked to stop (Ctrl-C): the runs finished so far are stored, `--resume` continues.
public struct TuneStopped: Error {}
