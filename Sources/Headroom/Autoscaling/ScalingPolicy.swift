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
    /// The signals it reads, each through its pipeline; `observation.readings` follows this order.
    var signals: [SignalRequest] { get }
    /// Whether a request arriving while the desired scale is zero triggers an evaluation at once
    /// (Knative's poke from the activator) instead of waiting for the next tick.
    var evaluatesOnFirstRequest: Bool { get }
    /// Whether the replicas it creates are ready at once, on nodes ready at once (the oracle's
    /// "ignoring start-up time"); real policies wait for every cold-start stage.
    var startsInstantly: Bool { get }
    /// The Prometheus it queries (scrape intervals, what to keep); `nil` runs none.
    var prometheus: PrometheusScrapeConfig? { get }
    /// The PromQL queries evaluated before each decision; `observation.queryResults` follows this order.
    var queries: [PromQLQuery] { get }
    /// Whether it fetches its metrics from the pods itself (AIBrix) rather than from Prometheus:
    /// in a metric outage its fetches fail pod by pod, and there is no query API to fail.
    var scrapesPodsDirectly: Bool { get }
    mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision
}

extension ScalingPolicy {
    public var signals: [SignalRequest] { [] }
    public var evaluatesOnFirstRequest: Bool { false }
    public var startsInstantly: Bool { false }
    public var prometheus: PrometheusScrapeConfig? { nil }
    public var queries: [PromQLQuery] { [] }
    public var scrapesPodsDirectly: Bool { false }
}

/// What a policy sees at one evaluation.
public struct ScalingObservation: Sendable, Equatable {
    /// Replicas by lifecycle stage, as the cluster reports them.
    public var replicas: ReplicaCounts
    /// Requests buffered in the activator (no ready replica had room), now.
    public var activatorQueue: Int
    /// Per requested signal, the readings that became visible since the previous evaluation, oldest first.
    public var readings: [[SignalReading]]
    /// This evaluation was triggered by a request reaching a fleet scaled to zero, not by the tick.
    public var isFirstRequestPoke: Bool
    /// Per requested signal, whether a query of its pipeline fails now (an injected metric
    /// outage); empty when none does.
    public var unavailable: [Bool]
    /// Per query in `policy.queries`, its value now (an instant query at the decision's time).
    public var queryResults: [PromQLOutcome]

    public init(
        replicas: ReplicaCounts, activatorQueue: Int, readings: [[SignalReading]] = [], isFirstRequestPoke: Bool = false,
        unavailable: [Bool] = [], queryResults: [PromQLOutcome] = []
    ) {
        self.replicas = replicas
        self.activatorQueue = activatorQueue
        self.readings = readings
        self.isFirstRequestPoke = isFirstRequestPoke
        self.unavailable = unavailable
        self.queryResults = queryResults
    }

    /// Whether signal `index`'s pipeline fails a query now.
    public func isUnavailable(_ index: Int) -> Bool { index < unavailable.count && unavailable[index] }
}

/// Replicas by lifecycle stage.
public struct ReplicaCounts: Sendable, Equatable, Codable {
    /// Waiting for a node with free GPUs.
    public var pending = 0
    /// Pulling the image, loading weights or warming up.
    public var starting = 0
    /// Of `starting`, those past the image pull: the container runs but is not ready yet.
    public var loading = 0
    public var ready = 0
    /// Finishing their requests before they go.
    public var draining = 0

    public init(pending: Int = 0, starting: Int = 0, loading: Int = 0, ready: Int = 0, draining: Int = 0) {
        self.pending = pending
        self.starting = starting
        self.loading = loading
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
    /// Knative's excess burst capacity at this decision (negative: the activator is in the path).
    public var excessBurstCapacity: Double?
    /// KEDA's `Active` condition at this decision (a trigger above its activation threshold).
    public var active: Bool?

    public init(desiredReplicas: Int, reason: String, excessBurstCapacity: Double? = nil, active: Bool? = nil) {
        self.desiredReplicas = desiredReplicas
        self.reason = reason
        self.excessBurstCapacity = excessBurstCapacity
        self.active = active
    }
}

/// `printf("%.Nf")` for decision reasons, without Foundation's formatter (see `FixedDecimal`).
@inline(__always)
func fixed(_ value: Double, _ places: Int) -> String { FixedDecimal.format(value, places: places) }
