import HeadroomEngine

/// A clairvoyant lower bound on cost: at each window it runs the fewest replicas that meet the SLO
/// for the arrivals of the window ahead, knowing the future (the same seed gives it the same
/// requests) and ignoring start-up time (its replicas are ready the instant it asks for them).
///
/// One replica's capacity is found once, before the run: a binary search over Poisson arrival
/// rates for the highest rate at which a single warm replica meets both SLO targets for
/// `attainment` of requests with this workload's token lengths. Burstiness inside a window is
/// ignored, so the bound is approximate: a policy can beat it slightly on smooth traffic.
public struct OraclePolicy: ScalingPolicy, Equatable {
    public struct Spec: Sendable, Equatable {
        /// The decision period and the look-ahead. Default 1m.
        public var window = SimTime.minutes(1)
        /// Share of requests that must meet both SLO targets. Default 0.99; in (0, 1).
        public var attainment = 0.99
        /// Simulated time of each capacity probe. Default 10m.
        public var probeDuration = SimTime.minutes(10)
        public var minReplicas = 0
        public var maxReplicas = 1000
        public init() {}
    }

    public let spec: Spec
    /// Requests per second one replica serves within the SLO.
    public let replicaCapacity: Double
    /// Arrivals per window over the whole run.
    private let arrivals: [Int]

    public init(spec: Spec, replicaCapacity: Double, arrivals: [Int]) {
        self.spec = spec
        self.replicaCapacity = replicaCapacity
        self.arrivals = arrivals
    }

    /// Measures one replica's capacity and counts the scenario's future arrivals.
    public init(spec: Spec, scenario: Scenario) {
        var counts = Array(repeating: 0, count: Int(scenario.duration.nanoseconds / spec.window.nanoseconds) + 1)
        var workload = RequestFeed(scenario.workload.makeSource(seed: scenario.seed))
        while let request = workload.next(), request.arrival <= scenario.duration {
            counts[Int(request.arrival.nanoseconds / spec.window.nanoseconds)] += 1
        }
        self.init(spec: spec, replicaCapacity: Self.capacity(of: scenario, spec: spec), arrivals: counts)
    }

    public var syncPeriod: SimTime? { spec.window }
    public var startsWarm: Bool { true }
    public var startsInstantly: Bool { true }

    public func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        let index = Int(now.nanoseconds / spec.window.nanoseconds)
        let count = index < arrivals.count ? arrivals[index] : 0
        let rate = Double(count) / spec.window.seconds
        let needed = min(spec.maxReplicas, max(spec.minReplicas, Int((rate / replicaCapacity).rounded(.up))))
        return ScalingDecision(desiredReplicas: needed, reason:
            "\(count) arrivals in the next \(spec.window) (\(fixed(rate, 2))/s) at \(fixed(replicaCapacity, 2))/s per replica")
    }

    /// A Poisson workload with a trace's token lengths (its first 10,000 rows, as empirical
    /// distributions), for the capacity probe.
    static func poissonProbe(trace: TraceSpec, rate: Double) -> WorkloadSpec {
        var prompts: [Double: Double] = [:], outputs: [Double: Double] = [:]
        if var reader = try? TraceReader(file: trace.file, format: trace.format, columns: trace.columns) {
            var rows = 0
            while rows < 10_000, let record = try? reader.next() {
                prompts[Double(max(1, record.promptTokens)), default: 0] += 1
                outputs[Double(max(1, record.outputTokens)), default: 0] += 1
                rows += 1
            }
        }
        func empirical(_ counts: [Double: Double], override: Distribution?) -> Distribution {
            if let override { return override }
            let keys = counts.keys.sorted()
            return (try? Distribution(.empirical(values: keys, weights: keys.map { counts[$0]! }))) ?? .constant(1)
        }
        return WorkloadSpec(arrivals: .poisson(rate: rate), promptTokens: empirical(prompts, override: trace.promptTokens),
                            outputTokens: empirical(outputs, override: trace.outputTokens))
    }

    /// The highest Poisson rate one warm replica serves with `attainment` of requests within both
    /// SLO targets (bisection on the rate, 12 steps).
    static func capacity(of scenario: Scenario, spec: Spec) -> Double {
        func meets(_ rate: Double) -> Bool {
            var probe = scenario
            probe.duration = spec.probeDuration
            probe.workload.arrivals = .poisson(rate: rate)
            if let trace = scenario.workload.trace { probe.workload = Self.poissonProbe(trace: trace, rate: rate) }
            probe.policy = .fixed(FixedPolicy(replicas: 1, warm: true))
            probe.router = RouterSpec()
            return Simulation.run(probe).summary.slo.both >= spec.attainment
        }
        var low = 0.0, high = 1.0
        while meets(high) && high < 1e5 { low = high; high *= 2 }
        for _ in 0..<12 {
            let mid = (low + high) / 2
            if meets(mid) { low = mid } else { high = mid }
        }
        return max(low, 1e-6)
    }
}
