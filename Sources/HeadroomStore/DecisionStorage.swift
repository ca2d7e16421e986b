import Headroom

/// Which of a run's autoscaler decisions the store keeps (`--store-decisions`). Every evaluation
/// is a row (a KPA evaluates every 2 s per deployment), the largest share of a long run's store;
/// most of them repeat the previous desired scale. Thinning changes only the `decisions` table:
/// the summary, series and cold starts are computed from the whole run either way.
public enum DecisionStorage: String, CaseIterable, Sendable {
    /// No decisions: compare, report and export still work, with an empty decision table.
    case none
    /// Each deployment's first decision and every one whose desired replicas differ from that
    /// deployment's previous decision: the steps of the desired-replicas line, with the signals
    /// and reason that caused each.
    case changes
    /// Every evaluation (the default, as stored before the option existed).
    case all

    /// The decisions this setting keeps, in the run's order.
    public func kept(_ decisions: [DecisionRecord]) -> [DecisionRecord] {
        switch self {
        case .none: return []
        case .all: return decisions
        case .changes:
            var previous: [String?: Int] = [:]
            return decisions.filter { decision in
                defer { previous[decision.deployment] = decision.desiredReplicas }
                return previous[decision.deployment] != decision.desiredReplicas
            }
        }
    }
}
