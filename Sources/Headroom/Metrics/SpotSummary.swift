/// What spot interruptions did in a run. Requests they lost are in `requests.droppedByReason`
/// under `spot_interrupted`.
public struct SpotSummary: Codable, Sendable, Equatable {
    /// Interruption notices, by pool name (spot pools only, zero included).
    public var interruptionsByPool: [String: Int] = [:]
    /// Replicas that were on a node when its notice came (starting ones are cancelled, ready ones drain).
    public var replicasInterrupted = 0
    /// Requests still queued or running on a node when it was reclaimed, retried through their
    /// deployment's activator (those that found it full or timed out are dropped instead).
    public var requestsRetried = 0

    public init(interruptionsByPool: [String: Int] = [:], replicasInterrupted: Int = 0, requestsRetried: Int = 0) {
        self.interruptionsByPool = interruptionsByPool
        self.replicasInterrupted = replicasInterrupted
        self.requestsRetried = requestsRetried
    }
}
