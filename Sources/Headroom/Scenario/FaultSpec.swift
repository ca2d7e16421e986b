import HeadroomEngine

/// Faults injected into a run (`faults:` in a scenario): windows in which a metric pipeline
/// returns nothing, and replicas that crash.
public struct FaultSpec: Sendable, Equatable {
    public var metricOutages: [MetricOutage] = []
    public var replicaFailures: [ReplicaFailure] = []

    public init(metricOutages: [MetricOutage] = [], replicaFailures: [ReplicaFailure] = []) {
        self.metricOutages = metricOutages
        self.replicaFailures = replicaFailures
    }

    public var isEmpty: Bool { metricOutages.isEmpty && replicaFailures.isEmpty }

    /// Whether the pipeline of `signal` is down at `time`.
    func isDown(_ signal: Signal, at time: SimTime) -> Bool {
        metricOutages.contains { $0.covers(signal, at: time) }
    }

    /// What of the simulated Prometheus is down at `time`: an outage naming no `signal` reaches
    /// it; `query` (Prometheus itself down) wins over `scrape` (only collection down).
    func prometheusOutage(at time: SimTime) -> MetricOutage.Target? {
        let down = metricOutages.filter { $0.signal == nil && $0.from <= time && time < $0.to }
        if down.isEmpty { return nil }
        return down.contains { $0.target == .query } ? .query : .scrape
    }
}

/// `{kind: metric_outage, from: 10m, to: 12m, signal: concurrency}`: from `from` (included) to
/// `to` (excluded) the pipeline of `signal` (every signal when unset) scrapes nothing and a query
/// fails, as when Prometheus, the adapter or metrics-server is down. On the PromQL path (an
/// outage naming no `signal`), `target` says what is down; see `Target`.
public struct MetricOutage: Sendable, Equatable {
    /// `target:` what of Prometheus an outage takes down.
    public enum Target: String, Sendable, CaseIterable {
        /// Prometheus itself (the default): it scrapes nothing and every query errors, so KEDA
        /// and the HPA see a failed fetch, as in the signal pipelines' outages.
        case query
        /// Only collection (the scraper or agent): nothing is written, not even staleness markers,
        /// and queries still answer from what the 5-minute look-back holds, then series vanish.
        case scrape
    }
    public var from: SimTime
    public var to: SimTime
    public var signal: Signal?
    public var target: Target

    public init(from: SimTime, to: SimTime, signal: Signal? = nil, target: Target = .query) {
        self.from = from
        self.to = to
        self.signal = signal
        self.target = target
    }

    func covers(_ signal: Signal, at time: SimTime) -> Bool {
        from <= time && time < to && (self.signal == nil || self.signal == signal)
    }
}

/// `{kind: replica_crash, phase: serving, rate: 2/h}` or `{..., at: [5m, 9m]}`: a replica's
/// container exits. Its requests fail; the kubelet restarts the container in the same pod after
/// the CrashLoopBackOff delay, and it loads and warms up again. `{kind: pod_failure, ...}`: the
/// pod ends Failed instead; the HPA ignores it and the Deployment's ReplicaSet creates a
/// replacement at once.
public struct ReplicaFailure: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case replicaCrash = "replica_crash", podFailure = "pod_failure"
    }
    /// When the container dies: while it loads weights or warms up, or while it serves.
    public enum Phase: String, Sendable, CaseIterable { case warming, serving }

    public var kind: Kind
    public var phase: Phase
    /// Crashes per hour a replica in `phase` suffers (exponential times); 0 = none.
    public var ratePerHour: Double
    /// Scripted crashes: at each time the oldest replica in `phase` (if any) crashes.
    public var at: [SimTime]

    public init(kind: Kind, phase: Phase = .serving, ratePerHour: Double = 0, at: [SimTime] = []) {
        self.kind = kind
        self.phase = phase
        self.ratePerHour = ratePerHour
        self.at = at
    }
}
