/// Which of a run's autoscaler decisions a run keeps and the store writes (`--store-decisions`). Every evaluation
/// is a row (a KPA evaluates every 2 s per deployment), the largest share of a long run's store;
/// most of them repeat the previous desired scale. Thinning changes only the `decisions` table:
/// the summary, series and cold starts are computed from the whole run either way. A run told
/// (`RunOptions.decisions`) keeps only these, so a long run's memory does not hold the rest.
public enum DecisionStorage: String, CaseIterable, Sendable {
    /// No decisions: compare, report and export still work, with an empty decision table.
    case none
    /// Each deployment's first decision and every one whose desired replicas differ from that
    /// deployment's previous decision: the steps of the desired-replicas line, with the signals
    /// and reason that caused each.
    case changes
    /// Every evaluation (the default, as stored before the option existed).
    case all

    /// Whether a deployment's decision is kept, given the desired replicas of its previous one
    /// (`nil`: this is its first).
    @inline(__always)
    public func keeps(desired: Int, previous: Int?) -> Bool {
        switch self {
        case .none: return false
        case .all: return true
        case .changes: return previous != desired
        }
    }

    /// The decisions this setting keeps, in the run's order.
    public func kept(_ decisions: [DecisionRecord]) -> [DecisionRecord] {
        switch self {
        case .none: return []
        case .all: return decisions
        case .changes:
            var previous: [String?: Int] = [:]
            return decisions.filter { decision in
                defer { previous[decision.deployment] = decision.desiredReplicas }
                return keeps(desired: decision.desiredReplicas, previous: previous[decision.deployment])
            }
        }
    }
}
