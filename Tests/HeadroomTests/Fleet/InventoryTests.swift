import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// A pool's availability over time: requests above it are stockouts, retried after
/// `stockout_retry`; replicas fall through to the next pool while a pool is out, and prefer it
/// again once it is back; stockouts and time waiting for a node are counted.
@Suite("Pool inventory and fallback")
struct InventoryTests {
    /// Desired replicas by time: `steps[i].1` from `steps[i].0` on, evaluated every 10 s.
    struct Stepped: ScalingPolicy {
        var steps: [(SimTime, Int)]
        var syncPeriod: SimTime? { .seconds(10) }
        var startsWarm: Bool { false }
        func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
            ScalingDecision(desiredReplicas: steps.last { $0.0 <= now }?.1 ?? 0, reason: "scripted")
        }
    }

    static func scenario(spot: String, fallback: Bool = true) throws -> Scenario {
        try Scenario.parse(yaml: """
            name: inventory
            duration: 20m
            workload:
              arrivals: {process: poisson, rate: 1/s}
              prompt_tokens: 100
              output_tokens: 10
            model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3-8b
            node_pools:
              - {name: spot, gpu: H100, gpus_per_node: 1, price_per_hour: 3, provisioning: 1m, max_nodes: 8, stockout_retry: 1m, image_cached: true, weights_cached: true, \(spot)}
              - {name: od, gpu: H100, gpus_per_node: 1, price_per_hour: 10, provisioning: 1m, max_nodes: 8, image_cached: true, weights_cached: true}
            replica: {gpus: 1, node_pools: [spot\(fallback ? ", od" : "")], warmup: 10s}
            policy: {kind: fixed, replicas: 2, warm: false}
            """, file: "inventory.yaml")
    }

    @Test("no spot nodes until 10m: a stockout a minute, both replicas waiting 600 s each, then placed")
    func availabilityStockoutsAndRecovery() throws {
        let scenario = try Self.scenario(spot: "availability: [{from: 0s, nodes: 0}, {from: 10m, nodes: 4}]", fallback: false)
        let result = Simulation.run(scenario)
        // The first replica's request at 0, 1m, ..., 9m is refused (the second waits on the same
        // retry); at 10m both get nodes.
        #expect(result.summary.stockoutsByPool == ["spot": 10, "od": 0] && result.summary.stockouts == 10)
        #expect(result.summary.capacityWaitSeconds == 1200)
        #expect(result.nodes.map(\.requested) == [600, 600] && result.nodes.allSatisfy { $0.pool == "spot" })
        #expect(result.brokenInvariant == nil)
    }

    @Test("availability caps the nodes alive: a third replica waits for a step up")
    func availabilityCaps() throws {
        let scenario = try Self.scenario(spot: "availability: [{from: 0s, nodes: 2}, {from: 5m, nodes: 3}]", fallback: false)
        let result = Simulation.run(scenario, options: RunOptions(policy: Stepped(steps: [(.zero, 3)])))
        #expect(result.nodes.map(\.requested) == [0, 0, 300], "\(result.nodes.map(\.requested))")
        #expect(result.summary.stockoutsByPool?["spot"] == 5)
        #expect(result.summary.capacityWaitSeconds == 300)
    }

    @Test("while spot is out replicas land on on-demand; when it returns a new replica prefers spot again")
    func fallbackOrder() throws {
        for out in ["availability: [{from: 0s, nodes: 0}, {from: 10m, nodes: 4}]", "stockout_probability: 0.999999"] {
            let scenario = try Self.scenario(spot: out)
            let result = Simulation.run(scenario, options: RunOptions(policy: Stepped(steps: [(.zero, 2), (.minutes(12), 3)])))
            let pools = result.nodes.map(\.pool), requested = result.nodes.map(\.requested)
            #expect(pools.prefix(2) == ["od", "od"] && requested.prefix(2) == [0, 0], "\(out): \(pools)")
            #expect(result.summary.stockoutsByPool?["spot"] ?? 0 >= 1 && result.summary.capacityWaitSeconds == nil)
            if out.hasPrefix("availability") {
                #expect(pools == ["od", "od", "spot"] && requested[2] == 720, "\(pools) \(requested)")
            } else {
                #expect(pools == ["od", "od", "od"], "a pool still out of stock falls through again: \(pools)")
            }
        }
    }
}
