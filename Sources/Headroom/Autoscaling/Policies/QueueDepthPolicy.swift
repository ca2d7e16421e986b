import HeadroomEngine

/// The README's example of a user-written policy: target tracking on requests in the system
/// (at replicas plus buffered in the activator) per replica, read every 10 s through the
/// queue-proxy pipeline, with a minimum and maximum.
public struct QueueDepthPolicy: ScalingPolicy {
    public var targetPerReplica: Double
    public var minReplicas: Int
    public var maxReplicas: Int

    public init(targetPerReplica: Double, minReplicas: Int, maxReplicas: Int) {
        self.targetPerReplica = targetPerReplica
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }

    /// From the scenario's `parameters`: `target` (required), `min` (default 1), `max` (default 10).
    public init(parameters: [String: String]) throws {
        for key in parameters.keys where !["target", "min", "max"].contains(key) {
            throw PolicyParameterError("unknown parameter `\(key)`; allowed: target, min, max")
        }
        guard let target = parameters["target"].flatMap(Double.init), target > 0 else {
            throw PolicyParameterError("`target` must be a number > 0")
        }
        guard let min = Int(parameters["min"] ?? "1"), let max = Int(parameters["max"] ?? "10"), 0 <= min, min <= max else {
            throw PolicyParameterError("`min` and `max` must be whole numbers with 0 <= min <= max")
        }
        self.init(targetPerReplica: target, minReplicas: min, maxReplicas: max)
    }

    public var syncPeriod: SimTime? { .seconds(10) }
    public var startsWarm: Bool { true }
    public var signals: [SignalRequest] { [SignalRequest(.concurrency, .queueProxy)] }
    public var evaluatesOnFirstRequest: Bool { true }

    public func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        let load = (observation.readings.first?.last).map { $0.total + $0.activator } ?? Double(observation.activatorQueue)
        let wanted = Int((load / targetPerReplica).rounded(.up))
        let desired = Swift.min(maxReplicas, Swift.max(minReplicas, wanted))
        return ScalingDecision(desiredReplicas: desired, reason: "\(fixed(load, 1)) requests in the system → \(desired)")
    }
}
