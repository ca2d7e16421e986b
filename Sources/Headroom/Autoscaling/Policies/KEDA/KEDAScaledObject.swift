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
    }

    /// Both loops run on a common tick.
    public var syncPeriod: SimTime? {
        SimTime(nanoseconds: Self.gcd(spec.pollingInterval.nanoseconds, spec.hpaSyncPeriod.nanoseconds))
    }
    public var startsWarm: Bool { true }
    public var queries: [PromQLQuery] { hpa.queries }
    public var prometheus: PrometheusScrapeConfig? { hpa.prometheus }

    public mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
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
            if let decision = pollLoop(current: current, observation: observation, at: now) { return decision }
        }
        guard now - lastHPASync! >= spec.hpaSyncPeriod else {
            return ScalingDecision(desiredReplicas: current, reason: "waiting for the next poll or HPA sync")
        }
        lastHPASync = now
        var decision = hpa.decide(observation, at: now)
        decision.reason = "HPA: " + decision.reason
        return decision
    }

    /// `RequestScale`: activation from zero, cooldown to zero or idle.
    private mutating func pollLoop(current: Int, observation: ScalingObservation, at now: SimTime) -> ScalingDecision? {
        var values: [String] = []
        var active = false
        for trigger in spec.triggers {
            if trigger.kind == .cpu {
                active = true
                continue
            }
            if let query = trigger.query {
                // `GetMetricsAndActivity`: an error leaves the trigger inactive.
                let index = hpa.queries.firstIndex(of: query.query)!
                let outcome = observation.queryResults.indices.contains(index) ? observation.queryResults[index] : nil
                switch query.values(outcome) {
                case let .success(v):
                    let value = HorizontalPodAutoscaler.milli(v[0])
                    values.append("\(query.query.text) = \(HorizontalPodAutoscaler.format(value))")
                    if value > trigger.activationThresholdMilli { active = true }
                case let .failure(error):
                    values.append("\(query.query.text): \(error)")
                }
                continue
            }
            let index = signals.firstIndex { $0.signal == trigger.signal }!
            let value = HorizontalPodAutoscaler.milli((latest[index]?.total ?? 0) + (latest[index]?.activator ?? 0))
            values.append("\(trigger.signal.rawValue) \(HorizontalPodAutoscaler.format(value))")
            if value > trigger.activationThresholdMilli { active = true }
        }
        let seen = values.joined(separator: ", ")
        if active {
            lastActive = now
            if current == 0 || (spec.idleReplicaCount != nil && current < spec.minReplicaCount) {
                let target = spec.minReplicaCount > 0 ? spec.minReplicaCount : 1
                return ScalingDecision(desiredReplicas: target, reason: "KEDA: activated (\(seen)) → \(target)")
            }
            return nil
        }
        if let idle = spec.idleReplicaCount, current > idle || (current > 0 && spec.minReplicaCount == 0) {
            return coolDown(to: idle, current: current, seen: seen, at: now)
        }
        if spec.idleReplicaCount == nil && current > 0 && spec.minReplicaCount == 0 {
            return coolDown(to: 0, current: current, seen: seen, at: now)
        }
        if spec.idleReplicaCount == nil && current < spec.minReplicaCount {
            return ScalingDecision(desiredReplicas: spec.minReplicaCount, reason: "KEDA: below minReplicaCount")
        }
        return ScalingDecision(desiredReplicas: current, reason: "KEDA: inactive (\(seen)) at \(current)")
    }

    private func coolDown(to target: Int, current: Int, seen: String, at now: SimTime) -> ScalingDecision {
        let ready = if let lastActive { lastActive + spec.cooldownPeriod < now } else { spec.initialCooldownPeriod < now }
        if ready { return ScalingDecision(desiredReplicas: target, reason: "KEDA: inactive (\(seen)), cooldown over → \(target)") }
        let since = lastActive.map { "last active \(now - $0) ago" } ?? "never active"
        return ScalingDecision(desiredReplicas: current, reason: "KEDA: inactive (\(seen)), cooling down (\(since), cooldown \(spec.cooldownPeriod))")
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
}
