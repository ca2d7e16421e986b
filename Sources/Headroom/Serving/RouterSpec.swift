import HeadroomEngine

/// How requests reach replicas, and how long they may wait.
public struct RouterSpec: Sendable, Equatable {
    public enum Strategy: String, Sendable, CaseIterable {
        /// Fewest requests queued or running; ties go to the lowest replica index.
        case leastOutstanding = "least_outstanding"
        case roundRobin = "round_robin"
        /// Two ready replicas drawn at random; the one with fewer outstanding requests.
        case powerOfTwo = "power_of_two"
    }
    /// Default least_outstanding.
    public var strategy: Strategy
    /// Requests the activator buffers while no ready replica has room. Default 10000; >= 0.
    public var activatorCapacity: Int
    /// Longest a request waits in the activator before it is dropped. Default 5m; > 0.
    public var activatorTimeout: SimTime
    /// Longest a request waits in a replica's queue before it is dropped (checked at iteration
    /// boundaries). Default none.
    public var queueTimeout: SimTime?
    /// Most requests a replica holds, queued plus running (Knative's containerConcurrency); beyond
    /// it requests wait in the activator. Default none (unlimited).
    public var maxOutstandingPerReplica: Int?

    public init(
        strategy: Strategy = .leastOutstanding, activatorCapacity: Int = 10_000, activatorTimeout: SimTime = .minutes(5),
        queueTimeout: SimTime? = nil, maxOutstandingPerReplica: Int? = nil
    ) {
        self.strategy = strategy
        self.activatorCapacity = activatorCapacity
        self.activatorTimeout = activatorTimeout
        self.queueTimeout = queueTimeout
        self.maxOutstandingPerReplica = maxOutstandingPerReplica
    }
}
