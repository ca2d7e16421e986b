import HeadroomEngine

/// Asks the policy at its sync period and keeps the decision log. Applying a decision (creating
/// or removing replicas) is the cluster's job; the controller only says how many.
struct ScalingController {
    private(set) var policy: any ScalingPolicy
    private(set) var decisions: [DecisionRecord] = []
    private(set) var desiredReplicas = 0

    init(policy: any ScalingPolicy) { self.policy = policy }

    mutating func evaluate(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        let decision = policy.decide(observation, at: now)
        desiredReplicas = max(0, decision.desiredReplicas)
        decisions.append(DecisionRecord(
            time: now.seconds, replicas: observation.replicas, activatorQueue: observation.activatorQueue,
            desiredReplicas: desiredReplicas, reason: decision.reason))
        return decision
    }
}
