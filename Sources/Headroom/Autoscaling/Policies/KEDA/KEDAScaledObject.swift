import HeadroomEngine

/// KEDA: a scale loop every `pollingInterval` that handles 0 ↔ 1 (activation, cooldown, idle
/// replicas), and the HPA it creates for 1 ↔ N with one metric per trigger. Sources: kedacore/keda
/// `pkg/scaling/executor/scale_scaledobjects.go` (`RequestScale`), `controllers/keda/hpa.go`.
public struct KEDAScaledObject: ScalingPolicy, Equatable {
    public var spec: KEDASpec
    public let signals: [SignalRequest]
    private var hpa: HorizontalPodAutoscaler
    private var latest: [SignalReading?]
    private var lastActive: SimTime?
    private var lastPoll: SimTime?
    private var lastHPASync: SimTime?
    private var started = false
    /// Consecutive failed fetches per trigger (`status.health[metric].numberOfFailures`).
    private var failures: [Int]
    /// The `Active` condition as of the last poll; `nil` (Unknown) before the first.
    private(set) var activeCondition: Bool?

    public init(spec: KEDASpec, cpuRequestCores: Double = 8) {
        self.spec = spec
        var settings = HPAControllerSettings()
        settings.syncPeriod = spec.hpaSyncPeriod
        settings.cpuRequestCores = cpuRequestCores
        settings.prometheus = spec.prometheus
        for trigger in spec.triggers where trigger.query == nil { settings.pipelines[trigger.signal] = trigger.pipeline }
        hpa = HorizontalPodAutoscaler(
            spec: HPASpec(minReplicas: max(spec.minReplicaCount, 1), maxReplicas: spec.maxReplicaCount,
                          metrics: spec.triggers.map(\.hpaMetric), behavior: spec.behavior),
            settings: settings)
        signals = hpa.signals
        latest = Array(repeating: nil, count: signals.count)
        failures = Array(repeating: 0, count: spec.triggers.count)
    }

    /// Both loops run on a common tick.
    public var syncPeriod: SimTime? {
        SimTime(nanoseconds: Self.gcd(spec.pollingInterval.nanoseconds, spec.hpaSyncPeriod.nanoseconds))
    }
    public var startsWarm: Bool { true }
    public var queries: [PromQLQuery] { hpa.queries }
    public var prometheus: PrometheusScrapeConfig? { hpa.prometheus }

    public mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        var decision = reconcile(observation, at: now)
        decision.active = activeCondition
        return decision
    }

    private mutating func reconcile(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        for (index, readings) in observation.readings.enumerated() where !readings.isEmpty { latest[index] = readings.last }
        let current = observation.replicas.active
        if !started {
            started = true
            lastPoll = now
            lastHPASync = now
            return hpa.decide(observation, at: now)
        }
        if now - lastPoll! >= spec.pollingInterval {
            lastPoll = now
            if let decision = pollLoop(observation, at: now) { return decision }
        }
        guard now - lastHPASync! >= spec.hpaSyncPeriod else {
            return ScalingDecision(desiredReplicas: current, reason: "waiting for the next poll or HPA sync")
        }
        lastHPASync = now
        // The HPA's fetch goes through KEDA's metrics adapter: a failing trigger counts a failure
        // and, past `failureThreshold`, is served as the fallback (`GetMetricsWithFallback`).
        var totals = [Double?](repeating: nil, count: spec.triggers.count)
        var notes: [String] = []
        for (t, trigger) in spec.triggers.enumerated() where trigger.kind == .prometheus {
            guard let total = fetch(t, trigger, observation) else { continue }
            totals[t] = total
            notes.append("fallback for \(trigger.query?.query.text ?? trigger.signal.rawValue) after \(failures[t]) failures")
        }
        var decision = hpa.decide(observation, at: now, fallbackTotals: totals)
        decision.reason = "HPA: " + (notes.isEmpty ? "" : notes.joined(separator: ", ") + "; ") + decision.reason
        return decision
    }

    /// Why the trigger's fetch fails this time (its query's error, or its signal's pipeline
    /// down), or `nil` when it succeeds.
    private func fetchError(_ trigger: KEDATrigger, _ observation: ScalingObservation) -> String? {
        if let query = trigger.query {
            let index = hpa.queries.firstIndex(of: query.query)!
            let outcome = observation.queryResults.indices.contains(index) ? observation.queryResults[index] : nil
            if case let .failure(error) = query.values(outcome) { return error.description }
            return nil
        }
        let index = signals.firstIndex { $0.signal == trigger.signal }!
        return observation.isUnavailable(index) ? "error" : nil
    }

    /// One fetch of trigger `t`'s metric, PromQL or signal alike: `nil` when it succeeds (its value
    /// is the reading; the failure count resets) or fails without a fallback in force; otherwise
    /// the fallback's total, `threshold × replicas` (divided by the ready pods for a Value target,
    /// as `doFallback`; `nil` with none ready).
    private mutating func fetch(_ t: Int, _ trigger: KEDATrigger, _ observation: ScalingObservation) -> Double? {
        guard fetchError(trigger, observation) != nil else {
            failures[t] = 0
            return nil
        }
        guard let fallback = spec.fallback else { return nil }
        failures[t] += 1
        guard failures[t] > fallback.failureThreshold else { return nil }
        var replicas = Double(fallback.target(current: observation.replicas.active))
        if !trigger.averageValue {
            guard observation.replicas.ready > 0 else { return nil }
            replicas /= Double(observation.replicas.ready)
        }
        return Double(trigger.thresholdMilli) / 1000 * replicas
    }

    /// `RequestScale`: activation from zero, cooldown to zero or idle; the `Active` condition.
    private mutating func pollLoop(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision? {
        let current = observation.replicas.active
        var values: [String] = []
        var active = false, failing = false
        // A cpu trigger is served to the HPA by metrics-server and is never active itself; an
        // object with only cpu triggers is forced active (it could not scale from zero).
        for (t, trigger) in spec.triggers.enumerated() where trigger.kind != .cpu {
            let name = trigger.query?.query.text ?? trigger.signal.rawValue
            if let error = fetchError(trigger, observation) {
                // `GetMetricsAndActivity`: a scaler error (a PromQL error, "more than one element"
                // included): inactive, unless its fallback is in force (then active).
                if fetch(t, trigger, observation) != nil {
                    active = true
                    values.append("\(name) fallback (\(error))")
                } else {
                    failing = true
                    values.append("\(name): \(error)")
                }
                continue
            }
            failures[t] = 0
            let value: Int64
            if let query = trigger.query {
                let index = hpa.queries.firstIndex(of: query.query)!
                let v = (try? query.values(observation.queryResults[index]).get())?.first ?? 0
                value = HorizontalPodAutoscaler.milli(v)
                values.append("\(name) = \(HorizontalPodAutoscaler.format(value))")
            } else {
                let index = signals.firstIndex { $0.signal == trigger.signal }!
                value = HorizontalPodAutoscaler.milli((latest[index]?.total ?? 0) + (latest[index]?.activator ?? 0))
                values.append("\(name) \(HorizontalPodAutoscaler.format(value))")
            }
            if value > trigger.activationThresholdMilli { active = true }
        }
        if spec.triggers.allSatisfy({ $0.kind == .cpu }) { active = true }
        activeCondition = active
        let seen = values.joined(separator: ", ")
        if active {
            if current == 0 || (spec.idleReplicaCount != nil && current < spec.minReplicaCount) {
                lastActive = now
                let target = spec.minReplicaCount > 0 ? spec.minReplicaCount : 1
                return ScalingDecision(desiredReplicas: target, reason: "KEDA: activated (\(seen)) → \(target)")
            }
            // Some triggers active, others failing: PartialTriggerError, lastActiveTime kept.
            if !failing { lastActive = now }
            return nil
        }
        // A failing scaler never cools the target down (TriggerError, or the fallback the HPA
        // applies after failureThreshold): the HPA's sync goes on.
        if failing { return nil }
        if let idle = spec.idleReplicaCount, current > idle || (current > 0 && spec.minReplicaCount == 0) {
            return coolDown(to: idle, current: current, seen: seen, at: now)
        }
        if spec.idleReplicaCount == nil && current > 0 && spec.minReplicaCount == 0 {
            return coolDown(to: 0, current: current, seen: seen, at: now)
        }
        if spec.idleReplicaCount == nil && current < spec.minReplicaCount {
            return ScalingDecision(desiredReplicas: spec.minReplicaCount, reason: "KEDA: below minReplicaCount")
        }
        // Inactive at or above minReplicaCount: nothing for the scale loop to do; the HPA it created
        // goes on managing 1↔N (`scale_executor`: no action), so its sync must not be skipped.
        return nil
    }

    /// To `target` once the cooldown is over; until then nil: the HPA keeps managing 1↔N.
    private func coolDown(to target: Int, current: Int, seen: String, at now: SimTime) -> ScalingDecision? {
        let ready = if let lastActive { lastActive + spec.cooldownPeriod < now } else { spec.initialCooldownPeriod < now }
        if ready { return ScalingDecision(desiredReplicas: target, reason: "KEDA: inactive (\(seen)), cooldown over → \(target)") }
        return nil
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
}
