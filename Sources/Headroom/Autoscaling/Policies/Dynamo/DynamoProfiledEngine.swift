/// What Dynamo's pre-deployment profiler measures of one engine, and the classic SLA planner reads
/// back through `utils/perf_interpolation.py` (ai-dynamo/dynamo@0dcef4e): prefill at batch size 1
/// over ISL, decode over (active KV usage, context length). Milliseconds and tokens/s/GPU.
public protocol DynamoProfiledEngine: Sendable {
    /// TTFT of one request of `isl` prompt tokens alone on the engine, ms.
    func prefillTTFT(isl: Double) -> Double
    /// Prefill tokens per second per GPU at that ISL.
    func prefillThroughputPerGPU(isl: Double) -> Double
    /// ITL with `concurrency` sequences of `context` tokens each decoding, ms.
    func decodeITL(concurrency: Double, context: Double) -> Double
    /// Decode tokens per second per GPU there.
    func decodeThroughputPerGPU(concurrency: Double, context: Double) -> Double
    /// The profiled ISL range (lookups clamp into it).
    var islRange: ClosedRange<Double> { get }
    /// The largest profiled context length (the decode grid's top row).
    var maxContextLength: Double { get }
    /// The engine's KV capacity, tokens (`x = concurrency·context/max_kv_tokens`).
    var maxKVTokens: Double { get }
}

/// A profile with linear costs, for hand-checkable tests: TTFT `a + b·isl`, ITL `c + d·(kv tokens)`.
public struct DynamoLinearEngine: DynamoProfiledEngine {
    public var ttftBase: Double, ttftPerToken: Double
    public var itlBase: Double, itlPerKVToken: Double
    public var gpus: Double
    public var islRange: ClosedRange<Double>
    public var maxContextLength: Double
    public var maxKVTokens: Double

    public init(ttftBase: Double, ttftPerToken: Double, itlBase: Double, itlPerKVToken: Double, gpus: Double = 1,
                islRange: ClosedRange<Double>, maxContextLength: Double, maxKVTokens: Double) {
        self.ttftBase = ttftBase
        self.ttftPerToken = ttftPerToken
        self.itlBase = itlBase
        self.itlPerKVToken = itlPerKVToken
        self.gpus = gpus
        self.islRange = islRange
        self.maxContextLength = maxContextLength
        self.maxKVTokens = maxKVTokens
    }

    public func prefillTTFT(isl: Double) -> Double { ttftBase + ttftPerToken * isl }
    public func prefillThroughputPerGPU(isl: Double) -> Double { isl / (prefillTTFT(isl: isl) / 1000) / gpus }
    public func decodeITL(concurrency: Double, context: Double) -> Double { itlBase + itlPerKVToken * concurrency * context }
    public func decodeThroughputPerGPU(concurrency: Double, context: Double) -> Double {
        concurrency / (decodeITL(concurrency: concurrency, context: context) / 1000) / gpus
    }
}
