import Foundation

/// The search: rounds of candidates run on common seeds, raced so that runs go where they decide
/// something.
///
/// - Every candidate starts on seed 1; one still in contention climbs rungs of seeds 1→2→4→…→N
///   (successive halving). It leaves the race when the seeds make meeting the constraints
///   unlikely (P < 5 %), or when, paired seed by seed with the incumbent, it is clearly worse
///   (mean difference minus two standard errors above zero) — common random numbers make those
///   paired differences far tighter than the raw spread.
/// - The incumbent is the complete candidate (all N seeds) whose means meet every constraint with
///   the best objective: the same rule a grid over the same space and seeds applies.
/// - New candidates come from a Latin hypercube at first, then half from the neighbours of the
///   incumbent (one level and a tenth of the range away) and half from a tree-structured Parzen
///   estimator (`ParzenProposal`).
///
/// Everything is a function of `--seed` and the results consumed in candidate order, so the same
/// search runs whatever the parallelism of `evaluate`.
public struct TuneSearch {
    public typealias Evaluate = ([TuneRun]) throws -> [[String: Double]]

    /// Below this chance of meeting the constraints a candidate leaves the race.
    static let dropBelow = 0.05
    /// Standard errors a paired difference must clear to call a candidate worse.
    static let worseBy = 2.0

    public let settings: TuneSettings
    public internal(set) var candidates: [TuneCandidate] = []
    public internal(set) var runs = 0
    public internal(set) var rounds = 0
    public internal(set) var incumbent: Int?
    var taken: [[Int]: Int] = [:]
    var generator: SplitMix64
    let proposal: ParzenProposal
    /// Why a configuration is refused before any run (nil: it is valid).
    let validate: ([Int]) -> String?

    public init(settings: TuneSettings, validate: @escaping ([Int]) -> String? = { _ in nil }) {
        self.settings = settings
        self.validate = validate
        generator = SplitMix64(state: settings.searchSeed ^ 0x7475_6E65)  // "tune"
        proposal = ParzenProposal(parameters: settings.parameters)
    }

    /// Runs rounds until the budget is spent or nothing is left to decide.
    public mutating func run(evaluate: Evaluate, progress: (TuneProgress) -> Void = { _ in }) throws {
        while try round(evaluate: evaluate) { progress(progressNow) }
    }

    var progressNow: TuneProgress {
        TuneProgress(round: rounds, runs: runs, budget: settings.budget, candidates: candidates.count, incumbent: incumbent.map { candidates[$0] })
    }

    /// One round; false when it had nothing to run.
    mutating func round(evaluate: Evaluate) throws -> Bool {
        var remaining = settings.budget - runs
        var plan: [(candidate: Int, seeds: Range<Int>)] = []
        let fresh = taken.count < settings.spaceSize
        let promotable = racing.filter { candidates[$0].seeds > 0 }
        for index in promotable.prefix(fresh ? max(1, settings.batch / 2) : settings.batch) {
            let have = candidates[index].seeds, next = min(settings.seeds, max(have + 1, 2 * have))
            guard next - have <= remaining else { continue }
            plan.append((index, have..<next))
            remaining -= next - have
        }
        let wanted = (rounds == 0 ? max(settings.batch, 2 * settings.parameters.count + 2) : settings.batch) - plan.count
        for point in proposals(wanted) where remaining > 0 {
            let index = candidates.count
            taken[point] = index
            var candidate = TuneCandidate(index: index, levels: point, label: settings.label(point))
            if let why = validate(point) { candidate.status = .invalid(why) }
            candidates.append(candidate)
            guard case .racing = candidate.status else { continue }
            plan.append((index, 0..<1))
            remaining -= 1
        }
        guard !plan.isEmpty else { return false }
        rounds += 1
        let requests = plan.flatMap { item in
            item.seeds.map { TuneRun(candidate: item.candidate, levels: candidates[item.candidate].levels,
                                     label: candidates[item.candidate].label, seed: UInt64($0 + 1)) }
        }
        let results = try evaluate(requests)
        for (request, result) in zip(requests, results) { candidates[request.candidate].results.append(result) }
        runs += requests.count
        decide()
        return true
    }

    /// Racing candidates with seeds left to run, most promising first: likely feasible before
    /// unlikely, then by objective.
    var racing: [Int] {
        candidates.indices.filter { candidates[$0].status == .racing && candidates[$0].seeds < settings.seeds }
            .sorted { rankKey($0) < rankKey($1) }
    }

    /// (likely infeasible?, objective or −P(feasible), index): the order both the race and the
    /// proposal step rank candidates by.
    func rankKey(_ index: Int) -> (Int, Double, Int) {
        let candidate = candidates[index]
        if case .invalid = candidate.status { return (2, 0, index) }
        guard candidate.seeds > 0 else { return (2, 0, index) }
        let p = feasibility(candidate, noise: noise)
        return p >= 0.5 ? (0, settings.objective.loss(candidate.mean(settings.objective.metric)), index) : (1, -p, index)
    }

    var noise: TuneNoise { TuneNoise(candidates, metrics: settings.metrics) }

    /// The chance every constraint holds (treated as independent).
    public func feasibility(_ candidate: TuneCandidate, noise: TuneNoise) -> Double {
        settings.constraints.reduce(1.0) { p, c in
            p * c.probability(values: candidate.values(c.metric), standardError: noise.standardError(c.metric, of: candidate))
        }
    }

    /// Whether a candidate's means meet every constraint.
    public func meetsConstraints(_ candidate: TuneCandidate) -> Bool {
        candidate.seeds > 0 && settings.constraints.allSatisfy { $0.holds(candidate.mean($0.metric)) }
    }

    /// Marks complete candidates, picks the incumbent, then drops racers that cannot win.
    mutating func decide() {
        for i in candidates.indices where candidates[i].status == .racing && candidates[i].seeds >= settings.seeds {
            candidates[i].status = .complete
        }
        incumbent = bestComplete()
        let noise = self.noise
        for i in candidates.indices where candidates[i].status == .racing {
            if feasibility(candidates[i], noise: noise) < Self.dropBelow {
                candidates[i].status = .infeasible
            } else if let incumbent, clearlyWorse(candidates[i], than: candidates[incumbent], noise: noise) {
                candidates[i].status = .worse
            }
        }
    }

    /// The complete candidate whose means meet every constraint with the best objective (ties: the earlier).
    func bestComplete() -> Int? {
        let objective = settings.objective
        var best: (index: Int, loss: Double)?
        for (i, c) in candidates.enumerated() where c.status == .complete && meetsConstraints(c) {
            let loss = objective.loss(c.mean(objective.metric))
            if best == nil || loss < best!.loss { best = (i, loss) }
        }
        return best?.index
    }

    /// Paired on the seeds both ran: mean difference in the objective minus `worseBy` standard
    /// errors still above zero. The variance of the differences is shrunk towards the pooled
    /// seed-to-seed variance (a conservative guess: pairing usually removes most of it).
    func clearlyWorse(_ candidate: TuneCandidate, than best: TuneCandidate, noise: TuneNoise) -> Bool {
        let metric = settings.objective.metric
        let shared = min(candidate.seeds, best.seeds)
        guard shared > 0 else { return false }
        let d = (0..<shared).compactMap { k -> Double? in
            guard let a = candidate.results[k][metric], let b = best.results[k][metric] else { return nil }
            return settings.objective.loss(a) - settings.objective.loss(b)
        }
        guard !d.isEmpty else { return false }
        let n = Double(d.count), mean = d.reduce(0, +) / n
        let own = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let pooledDof = noise.degrees[metric] ?? 0
        let dof = (n - 1) + pooledDof
        let variance = dof > 0 ? (own + pooledDof * (noise.variance[metric] ?? 0)) / dof
            : pow(TuneNoise.priorRelativeSpread * max(abs(best.mean(metric)), 1e-9), 2)
        return mean - Self.worseBy * (variance / n).squareRoot() > 0
    }
}
