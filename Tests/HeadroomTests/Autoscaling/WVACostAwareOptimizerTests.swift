import HeadroomEngine
import Testing

@testable import Headroom

/// Cases mirror `internal/engines/pipeline/cost_aware_optimizer_test.go` (llm-d-workload-variant-autoscaler@b08b1c7),
/// then a scripted V2 run through `WorkloadVariantAutoscaler`.
struct WVACostAwareOptimizerTests {
    typealias Capacity = WVATokenAnalyzer.VariantCapacity

    static func capacity(_ name: String, cost: Double, ready: Int, perReplica: Double) -> Capacity {
        Capacity(
            name: name, cost: cost, acceleratorLabel: "H100", readyCount: ready, pendingReplicas: 0,
            perReplicaCapacity: perReplica,
            totalCapacity: Double(ready) * perReplica, totalDemand: 0)
    }

    static func optimize(required: Double = 0, spare: Double = 0, _ variants: [(Capacity, Int)]) -> [String: Int] {
        let analysis = WVATokenAnalyzer.Analysis(
            variants: variants.map(\.0), totalSupply: 0, totalDemand: 0, anticipatedSupply: 0, requiredCapacity: required,
            spareCapacity: spare)
        let input = WVAModelInput(
            modelID: "model-1",
            variants: variants.map {
                WVAVariantInput(name: $0.0.name, acceleratorLabel: "H100", currentReplicas: $0.1, readyReplicas: $0.1, pods: [])
            })
        return WVACostAwareOptimizer.optimize(analysis, input).replicas
    }

    @Test("Scale-Up: most cost-efficient variant; pending not skipped; zero capacity skipped; one variant covers it all")
    func scaleUp() {
        #expect(
            Self.optimize(
                required: 5000,
                [
                    (Self.capacity("cheap", cost: 5, ready: 2, perReplica: 10000), 2),
                    (Self.capacity("expensive", cost: 15, ready: 1, perReplica: 20000), 1),
                ])
                == ["cheap": 3, "expensive": 1])
        // "should not skip variants with pending replicas": cheap has current 2 (one pending) and still gets +1.
        #expect(
            Self.optimize(
                required: 5000,
                [
                    (Self.capacity("cheap", cost: 5, ready: 1, perReplica: 10000), 2),
                    (Self.capacity("mid", cost: 10, ready: 1, perReplica: 15000), 1),
                ])
                == ["cheap": 3, "mid": 1])
        #expect(
            Self.optimize(
                required: 5000,
                [
                    (Self.capacity("zero-cap", cost: 1, ready: 0, perReplica: 0), 0),
                    (Self.capacity("normal", cost: 10, ready: 1, perReplica: 10000), 1),
                ])
                == ["zero-cap": 0, "normal": 2])
        #expect(
            Self.optimize(
                required: 25000,
                [
                    (Self.capacity("cheap", cost: 5, ready: 1, perReplica: 10000), 1),
                    (Self.capacity("mid", cost: 10, ready: 1, perReplica: 15000), 1),
                ])
                == ["cheap": 4, "mid": 1])
    }

    @Test("Scale-Down: most expensive first, cheapest kept at 1 only when last, cheap removed when expensive is too big, cascade")
    func scaleDown() {
        #expect(
            Self.optimize(
                spare: 15000,
                [
                    (Self.capacity("cheap", cost: 5, ready: 3, perReplica: 10000), 3),
                    (Self.capacity("expensive", cost: 15, ready: 2, perReplica: 20000), 2),
                ])
                == ["cheap": 2, "expensive": 2])
        #expect(
            Self.optimize(
                spare: 30000,
                [
                    (Self.capacity("expensive", cost: 15, ready: 1, perReplica: 20000), 1),
                    (Self.capacity("cheap", cost: 5, ready: 1, perReplica: 10000), 1),
                ])
                == ["expensive": 0, "cheap": 1])
        #expect(
            Self.optimize(
                spare: 15000,
                [
                    (Self.capacity("expensive", cost: 15, ready: 1, perReplica: 20000), 1),
                    (Self.capacity("cheap", cost: 5, ready: 1, perReplica: 10000), 1),
                ])
                == ["expensive": 1, "cheap": 0])
        #expect(
            Self.optimize(
                spare: 50000,
                [
                    (Self.capacity("expensive", cost: 15, ready: 2, perReplica: 20000), 2),
                    (Self.capacity("mid", cost: 10, ready: 2, perReplica: 15000), 2),
                    (Self.capacity("cheap", cost: 5, ready: 2, perReplica: 10000), 2),
                ]) == ["expensive": 0, "mid": 2, "cheap": 1])
    }

    @Test("Steady State: no signal, no change; equal cost efficiency keeps the listed order")
    func steady() {
        #expect(Self.optimize([(Self.capacity("v1", cost: 5, ready: 2, perReplica: 10000), 2)]) == ["v1": 2])
        #expect(
            Self.optimize(
                required: 100,
                [
                    (Self.capacity("b", cost: 5, ready: 1, perReplica: 1000), 1),
                    (Self.capacity("a", cost: 5, ready: 1, perReplica: 1000), 1),
                ])
                == ["b": 2, "a": 1])
    }

    /// H100 (cost 80, twice the KV of A100) and A100 (cost 30): per token the A100 is cheaper.
    @Test("Scripted V2 cycles: shortfall to the A100 variant, no transition gate, surplus taken from the H100 first")
    func scriptedCycles() {
        var wva = WorkloadVariantAutoscaler(config: WVATokenTests.config)
        func variant(_ name: String, _ label: String, cost: Double, current: Int, ready: Int, _ pods: [WVAReplicaMetrics])
            -> WVAVariantInput
        {
            WVAVariantInput(
                name: name, acceleratorLabel: label, cost: cost, currentReplicas: current, readyReplicas: ready, engine: nil,
                pods: pods)
        }
        let warm = { (capacity: Int64) in WVATokenTests.pod(capacity * 13 / 20, capacity, queue: 1, input: 100, output: 50) }
        // Cycle 1: H100 k1 25600 with 20800 + 100 in use; A100 k1 12800 with 10400 + 100: demand 31400, supply 38400.
        let c1 = WVAModelInput(
            modelID: "m",
            variants: [
                variant("h100", "H100", cost: 80, current: 1, ready: 1, [warm(32000)]),
                variant("a100", "A100", cost: 30, current: 1, ready: 1, [warm(16000)]),
            ])
        var d = wva.evaluate(c1, at: .seconds(30))
        // 31400/0.85 = 36941 < 38400 and 38400 − 31400/0.7 = −6457 < 0 → steady.
        #expect(d.desiredReplicas == ["h100": 1, "a100": 1] && d.reason == "V2 steady state")
        // Cycle 2: both queues back up (k2 observed = tokens in use), demand rises.
        let q = { (capacity: Int64) in WVATokenTests.pod(capacity * 3 / 4, capacity, queue: 6, input: 100, output: 50) }
        let c2 = WVAModelInput(
            modelID: "m",
            variants: [
                variant("h100", "H100", cost: 80, current: 1, ready: 1, [q(32000)]),
                variant("a100", "A100", cost: 30, current: 1, ready: 1, [q(16000)]),
            ])
        d = wva.evaluate(c2, at: .seconds(60))
        // caps 24000 and 12000; demand 24600 + 12600 = 37200; required = 37200/0.85 − 36000 = 7764.7 → A100 (30/12000 < 80/24000): +1.
        #expect(
            d.desiredReplicas == ["h100": 1, "a100": 2]
                && d.reason.hasPrefix("V2 scale-up (optimizer: cost-aware, required: 7765)"))
        // Cycle 3: the new A100 pod is still pending: anticipated covers it, no further step (and no gate).
        let c3 = WVAModelInput(
            modelID: "m",
            variants: [
                variant("h100", "H100", cost: 80, current: 1, ready: 1, [q(32000)]),
                variant("a100", "A100", cost: 30, current: 2, ready: 1, [q(16000)]),
            ])
        d = wva.evaluate(c3, at: .seconds(90))
        #expect(d.desiredReplicas == ["h100": 1, "a100": 2])
        // Cycle 4: load gone; history keeps k2 (24000, 12000): spare = 48000 − 1200/0.7 → H100 −1 first, then A100 −1 ... to the floor.
        let idle = { (capacity: Int64) in WVATokenTests.pod(200, capacity, queue: 0, input: 100, output: 50) }
        let c4 = WVAModelInput(
            modelID: "m",
            variants: [
                variant("h100", "H100", cost: 80, current: 1, ready: 1, [idle(32000)]),
                variant("a100", "A100", cost: 30, current: 2, ready: 2, [idle(16000), idle(16000)]),
            ])
        d = wva.evaluate(c4, at: .seconds(120))
        // spare = (24000 + 2·12000) − 600/0.7 = 47142.9: H100 −1 (24000), then A100 −1 (12000) with H100 at 0 → A100 kept at 1.
        #expect(d.desiredReplicas == ["h100": 0, "a100": 1])
    }
}
