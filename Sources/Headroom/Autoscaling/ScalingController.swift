import HeadroomEngine

/// Asks the policy at its sync period and keeps the decision log. Applying a decision (creating
/// or removing replicas) is the cluster's job; the controller only says how many.
struct ScalingController {
    private(set) var policy: any ScalingPolicy
    private(set) var decisions: [DecisionRecord] = []
    private(set) var desiredReplicas = 0
    /// Which decisions the log keeps, and the desired replicas of the last one made (kept or not).
    let keeps: DecisionStorage
    private var previousDesired: Int?
    /// The latest reading of each requested signal, for the log.
    private var latest: [SignalReading?]

    init(policy: any ScalingPolicy, keeps: DecisionStorage = .all) {
        self.policy = policy
        self.keeps = keeps
        latest = Array(repeating: nil, count: policy.signals.count)
    }

    /// Records a count a controller outside the policy set (Dynamo's planner patching the
    /// deployment's replicas), so it is in the decision log like the policy's own.
    mutating func follow(_ desired: Int, reason: String, replicas: ReplicaCounts, activatorQueue: Int, at now: SimTime) {
        desiredReplicas = max(0, desired)
        guard logs(desiredReplicas) else { return }
        decisions.append(DecisionRecord(
            time: now.seconds, replicas: replicas, activatorQueue: activatorQueue, signals: [], desiredReplicas: desiredReplicas,
            reason: reason, excessBurstCapacity: nil, active: nil, queryValues: nil))
    }

    mutating func evaluate(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        let decision = policy.decide(observation, at: now)
        desiredReplicas = max(0, decision.desiredReplicas)
        for (index, readings) in observation.readings.enumerated() where !readings.isEmpty { latest[index] = readings.last }
        guard logs(desiredReplicas) else { return decision }
        let inputs = latest.compactMap { $0 }.map { reading in
            SignalInput(signal: reading.signal, sampledAt: reading.sampledAt.seconds, reporting: reading.values.count,
                        perReplica: reading.values.isEmpty ? 0 : reading.total / Double(reading.values.count),
                        total: reading.total + reading.activator)
        }
        let queries = policy.queries
        let queryValues = queries.isEmpty ? nil : queries.indices.map { index in
            index < observation.queryResults.count
                ? QueryValues(query: queries[index], outcome: observation.queryResults[index])
                : QueryValues(query: queries[index].text, values: [], error: "not evaluated")
        }
        decisions.append(DecisionRecord(
            time: now.seconds, replicas: observation.replicas, activatorQueue: observation.activatorQueue, signals: inputs,
            desiredReplicas: desiredReplicas, reason: decision.reason, excessBurstCapacity: decision.excessBurstCapacity,
            active: decision.active, queryValues: queryValues))
        return decision
    }

    /// Whether the decision just made goes in the log (`keeps`), remembering it for the next.
    private mutating func logs(_ desired: Int) -> Bool {
        defer { previousDesired = desired }
        return keeps.keeps(desired: desired, previous: previousDesired)
    }
}
