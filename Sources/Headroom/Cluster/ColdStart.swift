import HeadroomEngine

/// The stages of one replica's start, as it happened. Every cold start that began has one record,
/// so `started = ready + cancelled + unfinished`.
public struct ColdStart: Sendable, Equatable, Codable {
    /// How a cold start ended.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// The replica became ready.
        case ready
        /// Scaled away before it was ready (at `stage`).
        case cancelled
        /// Still starting when the run ended (at `stage`).
        case unfinished
    }

    /// The stage a start was in when it was cancelled or the run ended.
    public enum Stage: String, Sendable, Codable, CaseIterable {
        case pending, pullingImage = "pulling_image", loadingWeights = "loading_weights", warmingUp = "warming_up"
    }

    /// When the replica was created.
    public var requestedAt: SimTime
    /// Waiting for a node: placement, node provisioning.
    public var pendingSeconds = 0.0
    public var pullSeconds = 0.0
    public var loadSeconds = 0.0
    public var warmupSeconds = 0.0
    /// The node already held the image (or had a pull under way).
    public var imageCached = false
    /// The weights were already on the node's disk.
    public var weightsCached = false
    /// The replica had to wait for a new node.
    public var waitedForNode = false
    /// When it became ready; `nil` if it never did (cancelled or run ended).
    public var readyAt: SimTime?
    public var outcome = Outcome.ready
    /// Where a cancelled or unfinished start stopped; `nil` for a ready one. Its stage seconds
    /// count the time spent up to then.
    public var stoppedAt: Stage?

    public init(requestedAt: SimTime) { self.requestedAt = requestedAt }

    public var totalSeconds: Double { pendingSeconds + pullSeconds + loadSeconds + warmupSeconds }
}

/// Pulling the container image onto a node.
public enum ImagePull {
    /// Download then unpack of the part fetched before start.
    public static func duration(_ image: ImageSpec) -> SimTime {
        let bytes = image.sizeBytes * image.lazyFraction
        return .seconds(bytes / image.pullBandwidth + bytes / image.unpackRate)
    }
}

/// Moving the weights remote storage → local disk → host memory → GPU.
public enum WeightLoad {
    /// The hop bandwidths in order; the remote hop is skipped when the weights are on local disk.
    public static func hops(_ spec: WeightLoadSpec, onLocalDisk: Bool) -> [Double] {
        (onLocalDisk ? [] : [spec.remoteBandwidth]) + [spec.diskBandwidth, spec.hostToGPUBandwidth]
    }

    /// `sequential`: Σ size/bwᵢ. `streamed`: size/min(bw) + Σ over the other hops of chunk/bwᵢ (the
    /// pipeline fill: the first chunk must cross every faster hop too).
    public static func duration(bytes: Double, _ spec: WeightLoadSpec, onLocalDisk: Bool) -> SimTime {
        let bandwidths = hops(spec, onLocalDisk: onLocalDisk)
        switch spec.mode {
        case .sequential:
            return .seconds(bandwidths.reduce(0) { $0 + bytes / $1 })
        case .streamed:
            let slowest = bandwidths.min() ?? spec.hostToGPUBandwidth
            return .seconds(bytes / slowest + fill(bytes: bytes, spec, onLocalDisk: onLocalDisk))
        }
    }

    /// A streamed load's pipeline fill in seconds: one chunk through every hop but the slowest.
    static func fill(bytes: Double, _ spec: WeightLoadSpec, onLocalDisk: Bool) -> Double {
        let bandwidths = hops(spec, onLocalDisk: onLocalDisk)
        let slowest = bandwidths.min() ?? spec.hostToGPUBandwidth
        let chunk = min(spec.chunkBytes, bytes)
        var fill = 0.0
        var skippedSlowest = false
        for bandwidth in bandwidths {
            if bandwidth == slowest && !skippedSlowest { skippedSlowest = true; continue }
            fill += chunk / bandwidth
        }
        return fill
    }
}
