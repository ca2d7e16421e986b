import HeadroomEngine

/// A scaling policy: handed time and what it can observe, it returns how many replicas it wants.
///
/// Like Knative's `Scale(logger, now) ScaleResult`, a policy never reads a clock and never touches
/// replicas; the `ScalingController` applies its decision. It may keep its own history (windows,
/// last scale time) as state, hence `mutating`.
public protocol ScalingPolicy: Sendable {
    /// How often the controller asks; `nil` asks once, at time zero.
    var syncPeriod: SimTime? { get }
    /// Whether replicas created at time zero start ready (skipping every cold-start stage).
    var startsWarm: Bool { get }
    mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision
}

/// What a policy sees at one evaluation.
public struct ScalingObservation: Sendable, Equatable {
    /// Replicas by lifecycle stage, as the cluster reports them.
    public var replicas: ReplicaCounts
    /// Requests buffered in the activator (no ready replica had room).
    public var activatorQueue: Int

    public init(replicas: ReplicaCounts, activatorQueue: Int) {
        self.replicas = replicas
        self.activatorQueue = activatorQueue
    }
}

/// Replicas by lifecycle stage.
public struct ReplicaCounts: Sendable, Equatable, Codable {
    /// Waiting for a node with free GPUs.
    public var pending = 0
    /// Pulling the image, loading weights or warming up.
    public var starting = 0
    public var ready = 0
    /// Finishing their requests before they go.
    public var draining = 0

    public init(pending: Int = 0, starting: Int = 0, ready: Int = 0, draining: Int = 0) {
        self.pending = pending
        self.starting = starting
        self.ready = ready
        self.draining = draining
    }

    /// Replicas that count towards the desired number (all but draining ones).
    public var active: Int { pending + starting + ready }
}

/// A policy's answer, with the reason a person reads in the decision log.
public struct ScalingDecision: Sendable, Equatable {
    public var desiredReplicas: Int
    public var reason: String

    public init(desiredReplicas: Int, reason: String) {
        self.desiredReplicas = desiredReplicas
        self.reason = reason
    }
}
