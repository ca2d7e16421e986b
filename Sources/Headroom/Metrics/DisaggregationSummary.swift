/// What prefill/decode disaggregation did in a run: the KV caches moved from prefill to decode
/// workers, how long they took, and how much of the handed-off requests' TTFT they were.
public struct DisaggregationSummary: Codable, Sendable, Equatable {
    /// KV transfers completed (a request whose decode worker left during its transfer moves twice).
    public var transfers: Int
    public var gigabytes: Double
    /// Transfer time from the first byte to the last plus the link's latency, seconds.
    public var transferSeconds: LatencyStats
    /// Σ transfer time / Σ TTFT over the requests handed to a decode worker.
    public var shareOfTTFT: Double
    /// Prefilled requests that found no decode worker ready and waited for one.
    public var waitedForDecodeWorker: Int
    /// Mean seconds a handed-off request queued on its decode worker after its KV arrived (its
    /// prefill worker's queueing is the run's `queue_wait`).
    public var meanDecodeQueueSeconds: Double = 0
}
