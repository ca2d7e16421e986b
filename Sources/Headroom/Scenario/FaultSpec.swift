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
}

/// `{kind: metric_outage, from: 10m, to: 12m, signal: concurrency}`: from `from` (included) to
/// `to` (excluded) the pipeline of `signal` (every signal when unset) scrapes nothing and a query
/// fails, as when Prometheus, the adapter or metrics-server is down.
public struct MetricOutage: Sendable, Equatable {
    public var from: SimTime
    public var to: SimTime
    public var signal: Signal?

    public init(from: SimTime, to: SimTime, signal: Signal? = nil) {
        self.from = from
        self.to = to
        self.signal = signal
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

extension FaultSpec {
    static let kinds = ["metric_outage"] + ReplicaFailure.Kind.allCases.map(\.rawValue)

    init(_ value: YAMLValue) throws(ScenarioError) {
        self.init()
        for item in try value.sequence() {
            guard case let .mapping(mapping) = item.node, let kindNode = mapping["kind"] else {
                _ = try item.mapping(allowing: ["kind"])
                throw item.error("missing required key `kind`; allowed: \(Self.kinds.joined(separator: ", "))")
            }
            let kindValue = YAMLValue(node: kindNode, path: item.path + ".kind", file: item.file)
            let kind = try kindValue.scalar("a fault kind")
            if kind == "metric_outage" {
                let map = try item.mapping(allowing: ["kind", "from", "to", "signal"])
                let fromValue = try map.required("from"), toValue = try map.required("to")
                let from = try fromValue.duration(), to = try toValue.duration()
                guard to > from else { throw toValue.error("`to` (\(to)) must be after `from` (\(from))") }
                metricOutages.append(MetricOutage(from: from, to: to, signal: try map["signal"]?.signal()))
            } else if let failure = ReplicaFailure.Kind(rawValue: kind) {
                guard replicaFailures.count < 16 else { throw item.error("at most 16 replica failures") }
                let map = try item.mapping(allowing: ["kind", "phase", "rate", "at"])
                let rate = try map["rate"]?.ratePerHour() ?? 0
                let times = try map["at"].map { (v) throws(ScenarioError) in
                    try v.sequence().map { (t) throws(ScenarioError) in try t.duration() }
                } ?? []
                guard rate > 0 || !times.isEmpty else { throw item.error("a replica failure needs `rate` (e.g. `2/h`) or `at` (a list of times)") }
                replicaFailures.append(ReplicaFailure(
                    kind: failure, phase: try map["phase"]?.choice(ReplicaFailure.Phase.self) ?? .serving, ratePerHour: rate, at: times))
            } else {
                throw kindValue.error("unknown fault kind `\(kind)`; allowed: \(Self.kinds.joined(separator: ", "))")
            }
        }
    }
}

extension YAMLValue {
    /// A rate such as `2/h`, `0.5/min` or `1/s`, per hour.
    func ratePerHour() throws(ScenarioError) -> Double {
        let text = try scalar("a rate such as 2/h")
        let units: [(String, Double)] = [("/h", 1), ("/min", 60), ("/m", 60), ("/s", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number.isFinite, number >= 0, number * scale <= 1e6 {
                return number * scale
            }
        }
        throw error("expected a rate such as `2/h`, `0.5/min` or `1/s` (at most 1e6/h); got `\(text)`")
    }
}
