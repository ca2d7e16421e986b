import HeadroomEngine

/// The HPA's memory between syncs — raw recommendations and scale events — and the two ways it
/// turns a metric proposal into a desired count (kubernetes/kubernetes
/// `pkg/controller/podautoscaler/horizontal.go`: `normalizeDesiredReplicas` for the legacy path,
/// `normalizeDesiredReplicasWithBehaviors` when `spec.behavior` is set).
public struct HPANormalizer: Sendable, Equatable {
    struct Recommendation: Sendable, Equatable {
        var replicas: Int
        var time: SimTime
    }
    struct ScaleEvent: Sendable, Equatable {
        var change: Int
        var time: SimTime
        var outdated = false
    }

    private var recommendations: [Recommendation] = []
    private(set) var upEvents: [ScaleEvent] = []
    private(set) var downEvents: [ScaleEvent] = []
    private(set) var initialized = false

    public init() {}

    /// On first sight the HPA seeds its history with the current count (`recordInitialRecommendation`).
    mutating func seed(current: Int, at now: SimTime) {
        guard !initialized else { return }
        initialized = true
        recommendations = [Recommendation(replicas: current, time: now)]
    }

    /// Legacy path: stabilize scale-down over `window` (boundary included), then cap scale-up at
    /// max(2×current, 4) and clamp to [min, max].
    mutating func legacy(proposal: Int, current: Int, min minReplicas: Int, max maxReplicas: Int, window: SimTime, at now: SimTime)
        -> (replicas: Int, reason: String) {
        let cutoff = now - window
        var stabilized = proposal
        var oldSample: Int?
        for (index, recommendation) in recommendations.enumerated() {
            if recommendation.time < cutoff {
                oldSample = index
            } else if recommendation.replicas > stabilized {
                stabilized = recommendation.replicas
            }
        }
        store(Recommendation(replicas: proposal, time: now), replacing: oldSample)
        let scaleUpLimit = max(2 * current, 4)
        let maxAllowed = min(maxReplicas, scaleUpLimit)
        var reason = stabilized > proposal ? "stabilized: max over \(window) window is \(stabilized)" : "proposal \(proposal)"
        if stabilized < minReplicas { return (minReplicas, reason + "; raised to minReplicas") }
        if stabilized > maxAllowed {
            reason += maxReplicas > scaleUpLimit ? "; capped by the scale-up limit max(2×\(current), 4)" : "; capped at maxReplicas"
            return (maxAllowed, reason)
        }
        return (stabilized, reason)
    }

    /// Behavior path: stabilize against raw recommendations in each direction's window (boundary
    /// excluded), then apply the rate policies over their periods.
    mutating func withBehavior(
        proposal: Int, current: Int, min minReplicas: Int, max maxReplicas: Int, behavior: HPABehavior,
        defaultDownWindow: SimTime, at now: SimTime
    ) -> (replicas: Int, reason: String) {
        let upWindow = SimTime.seconds(Double(behavior.scaleUp.stabilizationWindowSeconds ?? 0))
        let downWindow = behavior.scaleDown.stabilizationWindowSeconds.map { SimTime.seconds(Double($0)) } ?? defaultDownWindow
        let upCutoff = now - upWindow, downCutoff = now - downWindow
        var up = proposal, down = proposal
        var oldSample: Int?
        for (index, recommendation) in recommendations.enumerated() {
            if recommendation.time > upCutoff { up = min(recommendation.replicas, up) }
            if recommendation.time > downCutoff { down = max(recommendation.replicas, down) }
            if recommendation.time < upCutoff && recommendation.time < downCutoff { oldSample = index }
        }
        var stabilized = current
        if stabilized < up { stabilized = up }
        if stabilized > down { stabilized = down }
        store(Recommendation(replicas: proposal, time: now), replacing: oldSample)
        var reason = stabilized == proposal ? "proposal \(proposal)"
            : "stabilized to \(stabilized) (proposal \(proposal); min over up window \(up), max over down window \(down))"

        if stabilized > current {
            let limit = max(Self.scaleUpLimit(current: current, up: upEvents, down: downEvents, rules: behavior.scaleUp, at: now), current)
            let allowed = min(maxReplicas, limit)
            if stabilized > allowed {
                reason += limit < maxReplicas ? "; rate-limited to \(allowed) by scaleUp policies" : "; capped at maxReplicas"
                return (allowed, reason)
            }
        } else if stabilized < current {
            let limit = min(Self.scaleDownLimit(current: current, up: upEvents, down: downEvents, rules: behavior.scaleDown, at: now), current)
            let allowed = max(minReplicas, limit)
            if stabilized < allowed {
                reason += limit > minReplicas ? "; rate-limited to \(allowed) by scaleDown policies" : "; raised to minReplicas"
                return (allowed, reason)
            }
        }
        return (stabilized, reason)
    }

    /// Records an applied change in its direction's log, reusing an outdated slot.
    mutating func recordScale(from previous: Int, to new: Int, behavior: HPABehavior, at now: SimTime) {
        guard new != previous else { return }
        if new > previous {
            Self.store(new - previous, in: &upEvents, longestPeriod: behavior.scaleUp.policies.map(\.periodSeconds).max() ?? 0, at: now)
        } else {
            Self.store(previous - new, in: &downEvents, longestPeriod: behavior.scaleDown.policies.map(\.periodSeconds).max() ?? 0, at: now)
        }
    }

    /// `storeScaleEvent`: marks events older than the longest period outdated, then overwrites the
    /// *last* outdated slot (upstream's loop keeps reassigning its candidate index while scanning),
    /// or appends when none is outdated.
    static func store(_ change: Int, in events: inout [ScaleEvent], longestPeriod: Int, at now: SimTime) {
        let cutoff = now - .seconds(Double(longestPeriod))
        for index in events.indices where events[index].time < cutoff { events[index].outdated = true }
        if let slot = events.lastIndex(where: \.outdated) {
            events[slot] = ScaleEvent(change: change, time: now)
        } else {
            events.append(ScaleEvent(change: change, time: now))
        }
    }

    private mutating func store(_ recommendation: Recommendation, replacing index: Int?) {
        if let index { recommendations[index] = recommendation } else { recommendations.append(recommendation) }
    }

    /// Replicas changed in the last `period` seconds (events strictly after the cutoff).
    static func change(in events: [ScaleEvent], periodSeconds: Int, at now: SimTime) -> Int {
        let cutoff = now - .seconds(Double(periodSeconds))
        return events.reduce(0) { $0 + ($1.time > cutoff ? $1.change : 0) }
    }

    /// The replica count at the start of a policy's period: current, less what was added in it,
    /// plus what was removed.
    static func periodStart(current: Int, up: [ScaleEvent], down: [ScaleEvent], periodSeconds: Int, at now: SimTime) -> Int {
        current - change(in: up, periodSeconds: periodSeconds, at: now) + change(in: down, periodSeconds: periodSeconds, at: now)
    }

    static func scaleUpLimit(current: Int, up: [ScaleEvent], down: [ScaleEvent], rules: HPAScalingRules, at now: SimTime) -> Int {
        if rules.selectPolicy == .disabled { return current }
        var result = rules.selectPolicy == .min ? Int.max : Int.min
        for policy in rules.policies {
            let start = periodStart(current: current, up: up, down: down, periodSeconds: policy.periodSeconds, at: now)
            let proposed = switch policy.kind {
            case .pods: start + policy.value
            case .percent: Int((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up))
            }
            result = rules.selectPolicy == .min ? min(result, proposed) : max(result, proposed)
        }
        return result
    }

    static func scaleDownLimit(current: Int, up: [ScaleEvent], down: [ScaleEvent], rules: HPAScalingRules, at now: SimTime) -> Int {
        if rules.selectPolicy == .disabled { return current }
        var result = rules.selectPolicy == .min ? Int.min : Int.max
        for policy in rules.policies {
            let start = periodStart(current: current, up: up, down: down, periodSeconds: policy.periodSeconds, at: now)
            let proposed = switch policy.kind {
            case .pods: start - policy.value
            case .percent: Int(Double(start) * (1 - Double(policy.value) / 100))
            }
            result = rules.selectPolicy == .min ? max(result, proposed) : min(result, proposed)
        }
        return result
    }
}
