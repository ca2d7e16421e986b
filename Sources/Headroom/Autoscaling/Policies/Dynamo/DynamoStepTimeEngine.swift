import HeadroomEngine

/// Dynamo's profiler run against Headroom's own engine: every profiled figure is computed from the
/// hardware profile's iteration time (`HardwareProfile.iterationTime`), so the planner's tables are
/// exactly the engine the simulator runs — no sweep, no interpolation error.
///
/// - Prefill (profiled at batch size 1): the prompt in `max_num_batched_tokens` chunks, each
///   iteration pricing its chunk over the tokens cached before it; TTFT is their sum.
/// - Decode: `B = max(1, round(concurrency))` sequences of `context` tokens each (the profiler's
///   smallest concurrency is 1), one pure decode iteration; throughput `B / ITL / GPUs`.
public struct DynamoStepTimeEngine: DynamoProfiledEngine {
    public let profile: HardwareProfile
    public let capabilities: DynamoEngineCapabilities
    public let islRange: ClosedRange<Double>
    public let maxContextLength: Double
    public var maxKVTokens: Double { Double(capabilities.maxKVTokens) }

    public init(profile: HardwareProfile, capabilities: DynamoEngineCapabilities, islRange: ClosedRange<Double>,
                maxContextLength: Double) {
        self.profile = profile
        self.capabilities = capabilities
        self.islRange = islRange
        self.maxContextLength = maxContextLength
    }

    public func prefillTTFT(isl: Double) -> Double {
        Self.chunkedPrefill(profile, tokens: Int(isl.rounded()), chunk: capabilities.maxNumBatchedTokens).seconds * 1000
    }

    public func prefillThroughputPerGPU(isl: Double) -> Double {
        isl / (prefillTTFT(isl: isl) / 1000) / Double(capabilities.gpus)
    }

    public func decodeITL(concurrency: Double, context: Double) -> Double {
        let batch = Self.batch(concurrency)
        let tokens = Int64((Double(batch) * context).rounded())
        return profile.iterationTime(decodes: batch, prefills: [], decodeContext: tokens).seconds * 1000
    }

    public func decodeThroughputPerGPU(concurrency: Double, context: Double) -> Double {
        Double(Self.batch(concurrency)) / (decodeITL(concurrency: concurrency, context: context) / 1000)
            / Double(capabilities.gpus)
    }

    static func batch(_ concurrency: Double) -> Int {
        concurrency.isFinite ? max(1, Int(min(concurrency, 1e9).rounded())) : 1_000_000_000
    }

    /// One prompt of `tokens` prefilled alone in chunks of at most `chunk` tokens.
    static func chunkedPrefill(_ profile: HardwareProfile, tokens: Int, chunk: Int) -> SimTime {
        var done = 0, total = SimTime.zero
        let step = max(1, chunk)
        while done < tokens {
            let piece = min(step, tokens - done)
            total += profile.iterationTime(decodes: 0, prefills: [(chunk: piece, cached: done)], decodeContext: 0)
            done += piece
        }
        return total
    }
}
