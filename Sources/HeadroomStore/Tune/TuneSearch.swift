import Foundation

/// The search: rounds of candidates run on common seeds, raced so that runs go where they decide
/// something.
///
/// - Every candidate starts on seed 1; one still in contention climbs rungs of seeds 1→2→4→…→N
///   (successive halving): with an incumbent, only while its forecast one standard deviation on
///   the hopeful side beats the incumbent (near the best), at most half a round's candidates;
///   before one, two a round, those with more seeds first, and budget is kept to finish them.
///   It leaves the race when its forecast mean over the N seeds (`TuneForecast`: seed effects
///   removed, which common random numbers make possible) is unlikely to meet the constraints
///   (P < 5 %), or is worse than the incumbent's by more than two forecast standard deviations
///   (a paired comparison: both on the same seeds).
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
    /// Standard deviations a forecast must clear to call a candidate worse than the incumbent.
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
        // Near the best: a racer is promoted while its forecast, one standard deviation on the
        // hopeful side, beats the incumbent; without an incumbent only the two most promising climb.
        let forecast = forecaster
        var promotable = racing.filter { candidates[$0].seeds > 0 && (incumbent == nil || mayBeat($0, forecast)) }
        if incumbent == nil {
            // Finish what was started: those with more seeds climb first (a hard seed can make a
            // half-run candidate look unlikely until the seed effects are known from complete ones).
            let keyed = promotable.enumerated().map { (-candidates[$0.element].seeds, rankKey($0.element, forecast).0, $0.offset, $0.element) }
            promotable = keyed.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }.map(\.3)
        }
        let cap = !fresh ? settings.batch : incumbent == nil ? min(2, settings.batch) : max(1, settings.batch / 2)
        for index in promotable.prefix(cap) {
            let have = candidates[index].seeds, next = min(settings.seeds, max(have + 1, 2 * have))
            guard next - have <= remaining else { continue }
            plan.append((index, have..<next))
            remaining -= next - have
        }
        // Without an incumbent, keep enough budget to finish the two most promising racers, so a
        // search that spends its budget still ends with an answer when one was in reach.
        var reserve = 0
        if incumbent == nil {
            for index in promotable.prefix(2) {
                let planned = plan.first { $0.candidate == index }?.seeds.upperBound ?? candidates[index].seeds
                reserve += settings.seeds - planned
            }
        }
        remaining -= reserve
        var wanted = (rounds == 0 ? max(settings.batch, 2 * settings.parameters.count + 2) : settings.batch) - plan.count
        // Configurations the scenario refuses cost no run; propose again in their place (a few times).
        for _ in 0..<8 where wanted > 0 && remaining > 0 {
            let points = proposals(wanted)
            guard !points.isEmpty else { break }
            for point in points where remaining > 0 {
                let index = candidates.count
                taken[point] = index
                var candidate = TuneCandidate(index: index, levels: point, label: settings.label(point))
                if let why = validate(point) { candidate.status = .invalid(why) }
                candidates.append(candidate)
                guard case .racing = candidate.status else { continue }
                plan.append((index, 0..<1))
                remaining -= 1
                wanted -= 1
            }
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
        let forecast = forecaster
        return candidates.indices.filter { candidates[$0].status == .racing && candidates[$0].seeds < settings.seeds }
            .map { ($0, rankKey($0, forecast)) }.sorted { $0.1 < $1.1 }.map(\.0)
    }

    /// Every candidate, best first by `rankKey`.
    var ranked: [Int] {
        let forecast = forecaster
        return candidates.indices.map { ($0, rankKey($0, forecast)) }.sorted { $0.1 < $1.1 }.map(\.0)
    }

    /// (likely infeasible?, forecast objective or −P(feasible), index): the order both the race
    /// and the proposal step rank candidates by.
    func rankKey(_ index: Int, _ forecast: TuneForecast) -> (Int, Double, Int) {
        let candidate = candidates[index]
        if case .invalid = candidate.status { return (2, 0, index) }
        guard candidate.seeds > 0 else { return (2, 0, index) }
        let p = feasibility(candidate, forecast)
        return p >= 0.5 ? (0, settings.objective.loss(forecast.forecast(settings.objective.metric, of: candidate).mean), index) : (1, -p, index)
    }

    var forecaster: TuneForecast { TuneForecast(candidates, metrics: settings.metrics, seeds: settings.seeds) }

    /// The chance the forecast N-seed means meet every constraint (treated as independent).
    func feasibility(_ candidate: TuneCandidate, _ forecast: TuneForecast) -> Double {
        settings.constraints.reduce(1.0) { $0 * forecast.probability($1, of: candidate) }
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
        let forecast = forecaster
        for i in candidates.indices where candidates[i].status == .racing {
            if feasibility(candidates[i], forecast) < Self.dropBelow {
                candidates[i].status = .infeasible
            } else if let incumbent, clearlyWorse(candidates[i], than: candidates[incumbent], forecast) {
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

    /// Whether the forecast objective, one standard deviation hopeful, beats the incumbent's.
    func mayBeat(_ index: Int, _ forecast: TuneForecast) -> Bool {
        guard let incumbent else { return true }
        let objective = settings.objective
        let (mean, sd) = forecast.forecast(objective.metric, of: candidates[index])
        return objective.loss(mean) - sd <= objective.loss(candidates[incumbent].mean(objective.metric))
    }

    /// The forecast N-seed objective is worse than the incumbent's N-seed mean by more than
    /// `worseBy` forecast standard deviations. Both ran the same seeds (common random numbers)
    /// and the forecast removes the seed effects, so this is a paired comparison.
    func clearlyWorse(_ candidate: TuneCandidate, than best: TuneCandidate, _ forecast: TuneForecast) -> Bool {
        let objective = settings.objective
        let (mean, sd) = forecast.forecast(objective.metric, of: candidate)
        guard mean.isFinite else { return false }
        return objective.loss(mean) - Self.worseBy * sd > objective.loss(best.mean(objective.metric))
    }
}
