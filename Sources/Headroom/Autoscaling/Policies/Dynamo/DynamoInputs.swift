/// One throughput window as Dynamo's planner reads it from the frontend's Prometheus histograms
/// (`monitoring/traffic_metrics.py`: `increase(X_sum[I]) / increase(X_count[I])`; the request count
/// is the counter's `increase` over `I`). A mean is NaN when the window saw no request.
public struct DynamoTrafficWindow: Sendable, Equatable {
    public var requestCount: Double
    /// Mean TTFT and ITL, seconds (the planner converts to ms, as `observe_traffic_stats` does).
    public var ttft: Double
    public var itl: Double
    /// Mean input and output tokens per request.
    public var isl: Double
    public var osl: Double
    /// Mean request duration, seconds.
    public var requestDuration: Double
    /// The window's length `I`, seconds.
    public var seconds: Double
    /// The newest prefix-cache hit rate (0–1), last-value semantics; nil: none yet (read as 0).
    public var kvHitRate: Double?

    public init(requestCount: Double, ttft: Double, itl: Double, isl: Double, osl: Double, requestDuration: Double,
                seconds: Double, kvHitRate: Double? = nil) {
        self.requestCount = requestCount
        self.ttft = ttft
        self.itl = itl
        self.isl = isl
        self.osl = osl
        self.requestDuration = requestDuration
        self.seconds = seconds
        self.kvHitRate = kvHitRate
    }
}

/// One engine's latest forward-pass metrics (FPM, `dynamo.common.forward_pass_metrics`): what its
/// last iteration scheduled, and what waits behind it.
public struct DynamoEngineLoad: Sendable, Equatable {
    /// Distinct engines are told apart by this id (upstream's `worker_id`; one data-parallel rank).
    public var workerID: Int
    /// The iteration's wall time, seconds (0: an idle heartbeat, dropped from the regression).
    public var wallTime: Double
    public var scheduledPrefillTokens: Int
    public var scheduledPrefillRequests: Int
    public var scheduledDecodeRequests: Int
    public var scheduledDecodeKVTokens: Int
    public var queuedPrefillTokens: Int
    public var queuedDecodeKVTokens: Int

    public init(workerID: Int, wallTime: Double = 0, scheduledPrefillTokens: Int = 0, scheduledPrefillRequests: Int = 0,
                scheduledDecodeRequests: Int = 0, scheduledDecodeKVTokens: Int = 0, queuedPrefillTokens: Int = 0,
                queuedDecodeKVTokens: Int = 0) {
        self.workerID = workerID
        self.wallTime = wallTime
        self.scheduledPrefillTokens = scheduledPrefillTokens
        self.scheduledPrefillRequests = scheduledPrefillRequests
        self.scheduledDecodeRequests = scheduledDecodeRequests
        self.scheduledDecodeKVTokens = scheduledDecodeKVTokens
        self.queuedPrefillTokens = queuedPrefillTokens
        self.queuedDecodeKVTokens = queuedDecodeKVTokens
    }
}

/// Ready and expected (DGD spec) worker counts per component; an aggregated deployment uses the
/// decode pair, as upstream does.
public struct DynamoWorkerCounts: Sendable, Equatable {
    public var readyPrefill: Int, expectedPrefill: Int
    public var readyDecode: Int, expectedDecode: Int

    public init(readyPrefill: Int = 0, expectedPrefill: Int = 0, readyDecode: Int, expectedDecode: Int) {
        self.readyPrefill = readyPrefill
        self.expectedPrefill = expectedPrefill
        self.readyDecode = readyDecode
        self.expectedDecode = expectedDecode
    }
}

/// What an engine reports about itself (`WorkerCapabilities`).
public struct DynamoEngineCapabilities: Sendable, Equatable {
    /// The most tokens one iteration schedules (prefill chunk size).
    public var maxNumBatchedTokens: Int
    /// The engine's KV cache, tokens.
    public var maxKVTokens: Int
    /// The most sequences one iteration runs.
    public var maxNumSeqs: Int
    /// GPUs per engine, for per-GPU profile figures (`DynamoStepTimeEngine`); the GPU budget reads
    /// the spec's `prefill_engine_num_gpu` / `decode_engine_num_gpu`, so set both alike.
    public var gpus: Int

    public init(maxNumBatchedTokens: Int, maxKVTokens: Int, maxNumSeqs: Int, gpus: Int) {
        self.maxNumBatchedTokens = maxNumBatchedTokens
        self.maxKVTokens = maxKVTokens
        self.maxNumSeqs = maxNumSeqs
        self.gpus = gpus
    }
}

/// A planner's answer: the replica counts to set (nil: leave that component alone) and why.
/// In aggregated mode the count is `decode`, as upstream's `ScalingDecision(num_decode:)`.
public struct DynamoDecision: Sendable, Equatable {
    public var prefill: Int?
    public var decode: Int?
    public var reason: String

    public init(prefill: Int? = nil, decode: Int? = nil, reason: String) {
        self.prefill = prefill
        self.decode = decode
        self.reason = reason
    }

    /// Whether the planner asks for any replica count.
    public var scales: Bool { prefill != nil || decode != nil }
}
