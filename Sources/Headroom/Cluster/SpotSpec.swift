import HeadroomEngine

/// A spot (preemptible) pool: the provider may take a node back at any time, after a notice.
///
/// On the notice the node is cordoned and drained, as the AWS Node Termination Handler or GKE's
/// graceful node shutdown do: its ready replicas leave their routers at once and finish what they
/// hold; when the notice ends the node is gone, and whatever its replicas still hold is retried
/// through the activator. The price is the pool's `price_per_hour`.
public struct SpotSpec: Sendable, Equatable {
    /// Interruptions per node per hour, a Poisson process from the moment a node is ready (each
    /// node draws from the pool's own random stream, so no other draw moves). Default 0.
    public var interruptionsPerHour: Double
    /// Scripted interruptions: at each time the pool's oldest ready node not already under notice
    /// gets its notice (none if the pool has none). A time may repeat to take several nodes.
    public var interruptions: [SimTime]
    /// From the notice to the node's end. Default 2m (EC2's two-minute spot interruption
    /// notice; GCP and Azure give 30 s); >= 0.
    public var notice: SimTime

    public init(interruptionsPerHour: Double = 0, interruptions: [SimTime] = [], notice: SimTime = .minutes(2)) {
        self.interruptionsPerHour = interruptionsPerHour
        self.interruptions = interruptions
        self.notice = notice
    }
}

/// One step of a pool's inventory: from `from` on (until the next step), at most `nodes` of the
/// pool may be alive (provisioning or ready). A request above it is a stockout, retried after
/// `stockout_retry`; nodes already alive stay (a reclaim is what `spot` models).
public struct AvailabilityStep: Sendable, Equatable {
    public var from: SimTime
    public var nodes: Int

    public init(from: SimTime, nodes: Int) {
        self.from = from
        self.nodes = nodes
    }
}

extension NodePoolSpec {
    /// Most nodes the pool may have alive at `time`: `max_nodes`, lowered by the availability
    /// step in force (none before the first step).
    func nodeLimit(at time: SimTime) -> Int {
        guard let step = availability.last(where: { $0.from <= time }) else { return maxNodes }
        return min(maxNodes, step.nodes)
    }
}
