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
