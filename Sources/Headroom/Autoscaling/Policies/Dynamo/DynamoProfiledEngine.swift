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
