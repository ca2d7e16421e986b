import HeadroomEngine

/// A step policy like managed inference endpoints offer (an alarm on a metric averaged over a window,
/// then one step at a time): scale out by `step` when the per-replica mean over `window` exceeds
/// `scaleUpThreshold`, in by `step` when it falls below `scaleDownThreshold`, at most one step per
/// `cooldown`, within [minReplicas, maxReplicas].
public struct StepScalingPolicy: ScalingPolicy, Equatable {
    /// The signal watched (per-replica mean). Default gpu_utilization.
    public var signal: Signal = .gpuUtilization
    /// Default 80.
    public var scaleUpThreshold = 80.0
    /// Default none (never scales in).
    public var scaleDownThreshold: Double?
    /// The alarm's averaging window. Default 5m.
    public var window = SimTime.minutes(5)
    /// Replicas added or removed per step. Default 1; >= 1.
    public var step = 1
    /// Least time between two steps. Default 5m.
    public var cooldown = SimTime.minutes(5)
    /// How often the alarm is evaluated. Default 1m.
    public var evaluationInterval = SimTime.minutes(1)
    public var minReplicas = 1
    public var maxReplicas = 8
    /// The metric's pipeline. Default: 1-minute averages published every minute.
    public var pipeline = SignalPipeline(scrapeInterval: .minutes(1), window: .minutes(1))

    private var history: [(time: SimTime, value: Double)] = []
    private var lastStep: SimTime?

    public init() {}

    public var signals: [SignalRequest] { [SignalRequest(signal, pipeline)] }
    public var syncPeriod: SimTime? { evaluationInterval }
    public var startsWarm: Bool { true }

    public mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        for reading in observation.readings.first ?? [] where !reading.values.isEmpty {
            history.append((reading.sampledAt, reading.total / Double(reading.values.count)))
        }
        history.removeAll { $0.time <= now - window }
        let current = observation.replicas.active
        if current < minReplicas { return ScalingDecision(desiredReplicas: minReplicas, reason: "at minReplicas \(minReplicas)") }
        guard !history.isEmpty else { return ScalingDecision(desiredReplicas: current, reason: "no data in the window") }
        let mean = history.reduce(0) { $0 + $1.value } / Double(history.count)
        let seen = "\(signal.rawValue) \(fixed(mean, 1)) over \(window)"
        if let lastStep, now - lastStep < cooldown {
            return ScalingDecision(desiredReplicas: current, reason: "\(seen); in cooldown")
        }
        if mean > scaleUpThreshold && current < maxReplicas {
            lastStep = now
            let target = min(maxReplicas, current + step)
            return ScalingDecision(desiredReplicas: target, reason: "\(seen) > \(scaleUpThreshold): step out to \(target)")
        }
        if let down = scaleDownThreshold, mean < down && current > minReplicas {
            lastStep = now
            let target = max(minReplicas, current - step)
            return ScalingDecision(desiredReplicas: target, reason: "\(seen) < \(down): step in to \(target)")
        }
        return ScalingDecision(desiredReplicas: current, reason: seen)
    }

    public static func == (a: StepScalingPolicy, b: StepScalingPolicy) -> Bool {
        a.signal == b.signal && a.scaleUpThreshold == b.scaleUpThreshold && a.scaleDownThreshold == b.scaleDownThreshold
            && a.window == b.window && a.step == b.step && a.cooldown == b.cooldown && a.evaluationInterval == b.evaluationInterval
            && a.minReplicas == b.minReplicas && a.maxReplicas == b.maxReplicas && a.pipeline == b.pipeline
    }
}
