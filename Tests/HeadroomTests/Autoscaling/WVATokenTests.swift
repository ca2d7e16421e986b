import HeadroomEngine
import Testing

@testable import Headroom

/// WVA V2: cases mirror `internal/engines/analyzers/saturation_v2/analyzer_test.go` and
/// `internal/engines/pipeline/cost_aware_optimizer_test.go` (llm-d-workload-variant-autoscaler@b08b1c7).
struct WVATokenTests {
    static let config = WVASaturationConfig(
        kvCacheThreshold: 0.8, queueLengthThreshold: 5, kvSpareTrigger: 0.1, queueSpareTrigger: 3, analyzer: .v2)

    /// `makeReplicaMetrics`: block size 16, usage = tokens in use / capacity.
    static func pod(_ inUse: Int64, _ capacity: Int64, queue: Int, input: Double, output: Double) -> WVAReplicaMetrics {
        WVAReplicaMetrics(
            kvCacheUsage: Double(inUse) / Double(capacity), queueLength: queue, numGpuBlocks: capacity / 16, blockSize: 16,
            avgInputTokens: input, avgOutputTokens: output)
    }

    /// `makeAnalyzerInput` with one variant; upstream's tests load no Deployment, so `engine` is nil.
    static func input(_ pods: [WVAReplicaMetrics], current: Int = 1, pending: Int = 0, engine: WVAEngineParams? = nil)
        -> WVAModelInput
    {
        WVAModelInput(
            modelID: "test-model",
            variants: [
                WVAVariantInput(
                    name: "variant-a", acceleratorLabel: "H100", cost: 10, currentReplicas: current,
                    readyReplicas: current - pending,
                    engine: engine, pods: pods)
            ])
    }

    static func capacity(_ analyzer: inout WVATokenAnalyzer, _ pods: [WVAReplicaMetrics], engine: WVAEngineParams? = nil)
        -> Double
    {
        analyzer.analyze(input(pods, engine: engine), config: config).variants[0].perReplicaCapacity
    }

    @Test("config: analyzerName saturation gets scaleUpThreshold 0.85 and scaleDownBoundary 0.70 (ApplyDefaults)")
    func defaults() {
        #expect(Self.config.scaleUpThreshold == 0.85 && Self.config.scaleDownBoundary == 0.70)
        #expect(WVASaturationConfig.shipped.scaleUpThreshold == 0)
    }

    @Test("k1/k2 interaction: k1 when k2 unknown, observed k2 when the queue is at its threshold, compute-bound below k1")
    func k1k2() {
        var a = WVATokenAnalyzer()
        #expect(Self.capacity(&a, [Self.pod(5000, 16000, queue: 0, input: 100, output: 50)]) == 12800)
        a = WVATokenAnalyzer()
        #expect(Self.capacity(&a, [Self.pod(8000, 16000, queue: 6, input: 100, output: 50)]) == 8000)
        a = WVATokenAnalyzer()
        #expect(Self.capacity(&a, [Self.pod(4000, 16000, queue: 10, input: 100, output: 50)]) == 4000)
    }

    @Test("k2 history: stored per model|accelerator|bucket, reused when the queue drops, not across output buckets")
    func history() {
        var a = WVATokenAnalyzer()
        _ = Self.capacity(&a, [Self.pod(8000, 16000, queue: 6, input: 100, output: 50)])
        #expect(a.state.k2History["test-model|H100|short"] == [8000])
        var same = a
        #expect(Self.capacity(&same, [Self.pod(6000, 16000, queue: 2, input: 100, output: 50)]) == 8000)
        #expect(Self.capacity(&a, [Self.pod(6000, 16000, queue: 2, input: 100, output: 600)]) == 12800)
        // The window keeps the last 10 observations (RollingAverageWindowSize).
        for i in 1...11 { _ = Self.capacity(&a, [Self.pod(Int64(1000 * i), 16000, queue: 6, input: 100, output: 50)]) }
        #expect(a.state.k2History["test-model|H100|short"] == (2...11).map { Double(1000 * $0) })
    }

    @Test("k2 derivation from engine params (estimateCapacityFromParams) and the k1 fallback without token means")
    func derivation() {
        #expect(
            WVATokenAnalyzer.State.derivedCapacity(
                WVAEngineParams(effectiveMaxBatchedTokens: 4096, maxNumSeqs: 256), input: 500, output: 100) == 140800)
        #expect(
            WVATokenAnalyzer.State.derivedCapacity(
                WVAEngineParams(effectiveMaxBatchedTokens: 8192, maxNumSeqs: 64), input: 100, output: 200) == 12800)
        #expect(WVATokenAnalyzer.State.derivedCapacity(WVAEngineParams(), input: 100, output: 0) == 0)
        #expect(WVATokenAnalyzer.State.derivedCapacity(nil, input: 100, output: 100) == 0)
        var a = WVATokenAnalyzer()
        let engine = WVAEngineParams(effectiveMaxBatchedTokens: 2048, maxNumSeqs: 256)
        #expect(Self.capacity(&a, [Self.pod(5000, 16000, queue: 2, input: 500, output: 100)], engine: engine) == 12800)
        // Compute-bound by derivation: S = 16 → 16 · (500 + 50) = 8800 < k1.
        a = WVATokenAnalyzer()
        let narrow = WVAEngineParams(effectiveMaxBatchedTokens: 2048, maxNumSeqs: 16)
        #expect(Self.capacity(&a, [Self.pod(5000, 16000, queue: 2, input: 500, output: 100)], engine: narrow) == 8800)
        a = WVATokenAnalyzer()
        #expect(Self.capacity(&a, [Self.pod(5000, 16000, queue: 0, input: 0, output: 0)], engine: engine) == 12800)
    }

    @Test("Scaling signals: required = demand/0.85 − anticipated, spare = supply − demand/0.70, steady in between")
    func signals() {
        var a = WVATokenAnalyzer()
        // demand = 11000 + 3·100 = 11300; supply 12800.
        let up = a.analyze(Self.input([Self.pod(11000, 16000, queue: 3, input: 100, output: 50)]), config: Self.config)
        #expect(up.totalDemand == 11300 && up.requiredCapacity == 11300 / 0.85 - 12800 && up.spareCapacity == 0)
        a = WVATokenAnalyzer()
        let pods = [
            Self.pod(1000, 16000, queue: 0, input: 100, output: 50), Self.pod(1000, 16000, queue: 0, input: 100, output: 50),
        ]
        let down = a.analyze(Self.input(pods, current: 2), config: Self.config)
        #expect(down.requiredCapacity == 0 && down.spareCapacity == 25600 - 2000 / 0.7)
        a = WVATokenAnalyzer()
        let steady = a.analyze(Self.input([Self.pod(10000, 16000, queue: 0, input: 100, output: 50)]), config: Self.config)
        #expect(steady.requiredCapacity == 0 && steady.spareCapacity == 0)
    }

    @Test("Pending replicas: in anticipated supply for scale-up, not in supply for scale-down")
    func pending() {
        var a = WVATokenAnalyzer()
        let r = a.analyze(
            Self.input([Self.pod(10000, 16000, queue: 0, input: 100, output: 50)], current: 2, pending: 1), config: Self.config)
        #expect(r.totalSupply == 12800 && r.anticipatedSupply == 25600 && r.requiredCapacity == 0)
        a = WVATokenAnalyzer()
        let s = a.analyze(
            Self.input([Self.pod(1000, 16000, queue: 0, input: 100, output: 50)], current: 3, pending: 1), config: Self.config)
        #expect(s.totalSupply == 25600 && s.spareCapacity == 25600 - 1000 / 0.7)
    }

    @Test(
        "Zero-replica variants: a live record is used as is; a Deployment record derives k2, bounded by a compatible live variant"
    )
    func zeroReplicas() {
        var a = WVATokenAnalyzer()
        a.state.capacity["variant-a"] = .init(
            acceleratorLabel: "H100", gpuCount: 1, engine: nil, effectiveCapacity: 12000, live: true)
        #expect(a.analyze(Self.input([], current: 0), config: Self.config).variants[0].perReplicaCapacity == 12000)
        // variant-b has no pod; variant-a runs on the same hardware and settings.
        a = WVATokenAnalyzer()
        let engine = WVAEngineParams(effectiveMaxBatchedTokens: 4096, maxNumSeqs: 256)
        let input = WVAModelInput(
            modelID: "test-model",
            variants: [
                WVAVariantInput(
                    name: "variant-a", acceleratorLabel: "H100", currentReplicas: 1, readyReplicas: 1, engine: engine,
                    pods: [Self.pod(5000, 16000, queue: 0, input: 500, output: 100)]),
                WVAVariantInput(
                    name: "variant-b", acceleratorLabel: "H100", currentReplicas: 0, readyReplicas: 0, engine: engine, pods: []),
            ])
        let r = a.analyze(input, config: Self.config)
        // derived 140800, bounded by variant-a's live min(k1 12800, k2 140800) = 12800; cost 0 (no pod).
        #expect(r.variants[1].perReplicaCapacity == 12800 && r.variants[1].cost == 0 && r.variants[1].acceleratorLabel == nil)
    }

    @Test("Scheduler queue demand: max(bytes/4, size·avgIn)·(1 − hit rate) + size·avgOut; nil adds nothing")
    func schedulerQueue() {
        var a = WVATokenAnalyzer()
        var input = Self.input([Self.pod(5000, 16000, queue: 0, input: 100, output: 50)])
        input.schedulerQueue = WVASchedulerQueue(size: 10, bytes: 8000)
        #expect(a.analyze(input, config: Self.config).totalDemand == 5000 + 2000 + 500)
        input.schedulerQueue = nil
        #expect(a.analyze(input, config: Self.config).totalDemand == 5000)
    }

    @Test("median helper: empty, one, odd, even (integer mean), unsorted")
    func median() {
        #expect(WVATokenAnalyzer.median([]) == 0 && WVATokenAnalyzer.median([5]) == 5)
        #expect(
            WVATokenAnalyzer.median([1, 3, 2]) == 2 && WVATokenAnalyzer.median([1, 2, 3, 6]) == 2
                && WVATokenAnalyzer.median([9, 1, 5]) == 5)
    }
}
