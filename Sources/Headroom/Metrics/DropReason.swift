/// Why a request was dropped. Every drop has exactly one.
public enum DropReason: String, CaseIterable, Codable, Sendable {
    /// The activator's buffer was full (no ready replica had room).
    case activatorFull = "activator_full"
    /// Waited in the activator longer than `router.activator_timeout`.
    case activatorTimeout = "activator_timeout"
    /// Waited in a replica's queue longer than `router.queue_timeout`.
    case queueTimeout = "queue_timeout"
    /// Prompt plus output exceed the replica's whole KV cache: it could never run.
    case exceedsKVCache = "exceeds_kv_cache"
    /// Without chunked prefill, prompt plus output exceed `max_num_batched_tokens`.
    case exceedsBatchTokens = "exceeds_max_num_batched_tokens"
    /// Its replica crashed or its pod failed while it was queued or running (an injected fault).
    case replicaFailed = "replica_failed"
    /// Its spot node was reclaimed while it was queued or running, and the retry found the
    /// activator full or the request past `router.activator_timeout`.
    case spotInterrupted = "spot_interrupted"
}

extension DropReason {
    /// Its place in `allCases`: drops are counted by reason in an array.
    var index: Int {
        switch self {
        case .activatorFull: 0
        case .activatorTimeout: 1
        case .queueTimeout: 2
        case .exceedsKVCache: 3
        case .exceedsBatchTokens: 4
        case .replicaFailed: 5
        case .spotInterrupted: 6
        }
    }
}
