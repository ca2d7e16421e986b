import Headroom
import HeadroomEngine

/// Small scenarios for tests, built in code with every knob a test varies in reach.
public enum TestScenario {
    /// A profile with round numbers: 10 ms base, 1 ms per sequence, 0.1 ms per prefill token.
    public static let simpleProfile = HardwareProfile(
        name: "test", source: "test", base: .milliseconds(10), perSequence: .milliseconds(1),
        perPrefillToken: .microseconds(100), perContextToken: .zero)

    /// A knee-form profile of the same scale: flat at 6 ms up to 200 tokens, 30 µs a token beyond.
    public static let kneeProfile = HardwareProfile.knee(
        name: "test-knee", source: "test", overhead: .milliseconds(2), weightRead: .milliseconds(6), perTokenCompute: .microseconds(30),
        perToken: .microseconds(1), perDecodeSequence: .microseconds(8), perContextToken: .zero, perAttentionUnitPicoseconds: 1600)

    /// A table-form profile of the same scale, convex past 200 tokens, with a key-walk attention floor.
    public static let tableProfile = HardwareProfile.table(
        name: "test-table", source: "test",
        table: try! TokenCostTable(tokens: [1, 64, 200, 512, 2048],
                                   linear: [.milliseconds(8), .milliseconds(8.1), .milliseconds(8.3), .milliseconds(17), .milliseconds(75)],
                                   communication: [.zero, .microseconds(20), .microseconds(50), .microseconds(120), .microseconds(500)]),
        perDecodeSequence: .microseconds(8), perContextToken: .zero, perAttentionUnitPicoseconds: 1600, perAttentionKeyPicoseconds: 400_000)

    /// A replica that starts in about 15 s: 1 GB image (4 + 2 s), 16 GB of weights over 10 GB/s
    /// hops (1.6 + 1.6 + 0.8 s), 5 s warm-up.
    public static let quickStartReplica = ReplicaSpec(
        image: ImageSpec(sizeBytes: 1e9, pullBandwidth: 250e6, unpackRate: 500e6),
        weights: WeightLoadSpec(remoteBandwidth: 10e9, diskBandwidth: 10e9, hostToGPUBandwidth: 20e9),
        warmup: .constant(5))

    public static func make(
        duration: SimTime = .seconds(60),
        seed: UInt64 = 1,
        arrivals: ArrivalProcess = .poisson(rate: 5),
        prompt: Distribution = .constant(100),
        output: Distribution = .constant(20),
        profile: HardwareProfile = simpleProfile,
        engine: EngineSpec = EngineSpec(kvCacheTokens: .unlimited),
        replicas: Int = 1,
        warm: Bool = true,
        pool: NodePoolSpec = NodePoolSpec(name: "pool", gpu: "H100-80GB", pricePerHour: 36, provisioning: .constant(60)),
        replica: ReplicaSpec? = nil,
        router: RouterSpec = RouterSpec(),
        slo: SLOSpec = SLOSpec()
    ) -> Scenario {
        var replicaSpec = replica ?? ReplicaSpec()
        replicaSpec.engine = engine
        return Scenario(
            name: "test", duration: duration, seed: seed, seriesInterval: .seconds(10),
            workload: WorkloadSpec(arrivals: arrivals, promptTokens: prompt, outputTokens: output),
            model: ModelSpec(name: "test-8b", weightsBytes: 16e9, kvBytesPerToken: 131_072),
            profile: profile, nodePools: [pool], replica: replicaSpec, router: router,
            policy: .fixed(FixedPolicy(replicas: replicas, warm: warm)), slo: slo)
    }
}

extension RunResult {
    /// Asserts the bookkeeping every run must satisfy; returns a description of the first broken
    /// rule, or `nil`.
    public var brokenInvariant: String? {
        let r = summary.requests
        if r.finished + r.dropped + r.inFlight != r.arrived {
            return "finished \(r.finished) + dropped \(r.dropped) + in flight \(r.inFlight) != arrived \(r.arrived)"
        }
        if r.droppedByReason.values.reduce(0, +) != r.dropped { return "drops by reason do not add up" }
        if [r.arrived, r.finished, r.dropped, r.inFlight].contains(where: { $0 < 0 }) { return "negative count" }
        let g = summary.gpuSeconds
        if [g.provisioning, g.starting, g.serving, g.idle, g.unallocated].contains(where: { $0 < -1e-9 }) {
            return "negative GPU-seconds"
        }
        var last = -Double.infinity
        for point in series {
            if point.time <= last { return "series time not increasing at \(point.time)" }
            last = point.time
            if point.inFlight < 0 || point.activatorQueue < 0 || point.running < 0 { return "negative series value at \(point.time)" }
        }
        return nil
    }
}

/// A fixed fleet that reads signals, so tests can inspect what a policy would see in the
/// decision log.
public struct SignalProbe: ScalingPolicy {
    public var replicas: Int
    public let signals: [SignalRequest]
    public var syncPeriod: SimTime?
    public var warm: Bool

    public init(replicas: Int, signals: [Signal], pipeline: SignalPipeline = .queueProxy, syncPeriod: SimTime = .seconds(1),
                warm: Bool = true) {
        self.replicas = replicas
        self.warm = warm
        self.signals = signals.map { SignalRequest($0, pipeline) }
        self.syncPeriod = syncPeriod
    }

    public var startsWarm: Bool { warm }

    public func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        ScalingDecision(desiredReplicas: replicas, reason: "probe")
    }
}

extension RunResult {
    /// The per-replica means of `signal` the policy saw, one per evaluation that had a reading.
    public func seen(_ signal: Signal) -> [SignalInput] {
        decisions.compactMap { $0.signals.first { $0.signal == signal } }
    }
}
