import HeadroomEngine

/// A fixed fleet of `replicas`: the baseline every autoscaler is compared against.
public struct FixedPolicy: ScalingPolicy, Equatable {
    /// Number of replicas. Required; 0...10000.
    public var replicas: Int
    /// Start the fleet ready at time zero (true), or send every replica through provisioning, image
    /// pull, weight load and warm-up (false). Default true.
    public var warm: Bool

    public init(replicas: Int, warm: Bool = true) {
        self.replicas = replicas
        self.warm = warm
    }

    public var syncPeriod: SimTime? { nil }
    public var startsWarm: Bool { warm }

    public func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        ScalingDecision(desiredReplicas: replicas, reason: "fixed fleet of \(replicas)")
    }
}
