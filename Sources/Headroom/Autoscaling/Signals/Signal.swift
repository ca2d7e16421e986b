import HeadroomEngine

/// A scaling signal as an autoscaler sees it. Values are per replica; only ready replicas report.
public enum Signal: String, CaseIterable, Sendable, Codable {
    /// Requests at the replica, queued or running, time-averaged over the window (Knative's
    /// queue-proxy definition). Unit: requests.
    case concurrency
    /// Requests routed to the replica per second (Knative's RPS counts arrivals). Unit: 1/s.
    case requestsPerSecond = "requests_per_second"
    /// Requests finished per second (a Prometheus counter incremented at the end). Unit: 1/s.
    case completionsPerSecond = "completions_per_second"
    /// NVML `utilization.gpu`: the percent of the window in which any kernel ran (an iteration was
    /// in progress), rounded down — whatever the batch size. Unit: percent.
    case gpuUtilization = "gpu_utilization"
    /// CPU cores used by the server process: Python work capped at one core by the GIL, plus
    /// native and busy-wait CPU. Unit: cores (the HPA divides by the CPU request).
    case cpu
}

extension Signal {
    /// Whether its value reads output tokens or iterations, which a scrape takes from the run
    /// under way too (`ReplicaEngine.unreportedProgress`): the CPU model's, alone.
    var readsProgress: Bool { self == .cpu }
}

/// How a signal travels from the replica to the policy: sampled every `scrapeInterval`, each sample
/// the average over the `window` before it, visible to the policy `lag` after it was taken.
public struct SignalPipeline: Sendable, Equatable, Hashable {
    /// > 0.
    public var scrapeInterval: SimTime
    /// > 0; a counter's rate over this window (Prometheus `rate[window]`, or NVML's sample period).
    public var window: SimTime
    /// >= 0; adapter and exporter delay before the policy can see a sample.
    public var lag: SimTime

    public init(scrapeInterval: SimTime, window: SimTime, lag: SimTime = .zero) {
        self.scrapeInterval = scrapeInterval
        self.window = window
        self.lag = lag
    }

    /// metrics-server as upstream manifests deploy it: 15 s resolution, the rate between two scrapes.
    public static let metricsServer = SignalPipeline(scrapeInterval: .seconds(15), window: .seconds(15))
    /// A Prometheus adapter: 15 s scrape, `rate[1m]`, visible after ~15 s more.
    public static let prometheusAdapter = SignalPipeline(scrapeInterval: .seconds(15), window: .minutes(1), lag: .seconds(15))
    /// dcgm-exporter reading NVML every 30 s over a 1 s sample period, then Prometheus (15 s lag).
    public static let dcgmExporter = SignalPipeline(scrapeInterval: .seconds(30), window: .seconds(1), lag: .seconds(15))
    /// Knative queue-proxy: a 1 s average reported every second, scraped at once.
    public static let queueProxy = SignalPipeline(scrapeInterval: .seconds(1), window: .seconds(1))
}

/// One signal a policy asks for, and the pipeline it comes through.
public struct SignalRequest: Sendable, Equatable, Hashable {
    public var signal: Signal
    public var pipeline: SignalPipeline
    public init(_ signal: Signal, _ pipeline: SignalPipeline) {
        self.signal = signal
        self.pipeline = pipeline
    }
}

/// One sample of a signal as delivered to a policy.
public struct SignalReading: Sendable, Equatable {
    public var signal: Signal
    /// When it was taken (before the pipeline's lag).
    public var sampledAt: SimTime
    /// One value per ready replica that had a full window of data, in replica order.
    public var values: [Double]
    /// The activator's share, for concurrency and request rates: requests it buffered (time-averaged)
    /// or received per second. Zero for the other signals.
    public var activator: Double

    public init(signal: Signal, sampledAt: SimTime, values: [Double], activator: Double = 0) {
        self.signal = signal
        self.sampledAt = sampledAt
        self.values = values
        self.activator = activator
    }

    /// The sum over reporting replicas.
    public var total: Double { values.reduce(0, +) }
}
