import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// `spot:` and `availability:` are read as written, and bad ones are refused naming their path.
@Suite("Spot and availability keys")
struct SpotYAMLTests {
    static func parse(_ pool: String) throws(ScenarioError) -> Scenario {
        try Scenario.parse(yaml: """
            name: t
            duration: 10m
            workload:
              arrivals: {process: poisson, rate: 1/s}
              prompt_tokens: 100
              output_tokens: 10
            model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3-8b
            node_pools:
              - {name: p, gpu: H100, price_per_hour: 1, max_nodes: 4, \(pool)}
            policy: {kind: fixed, replicas: 1}
            """, file: "s.yaml")
    }

    static func message(_ pool: String) -> String {
        do {
            _ = try parse(pool)
            return ""
        } catch {
            return error.description
        }
    }

    @Test("keys are read")
    func reads() throws {
        let pool = try Self.parse("spot: {interruption_rate: 0.5/h, interruptions: [30m, 30m], notice: 30s}, "
                                  + "availability: [{from: 0s, nodes: 4}, {from: 1h, nodes: 1}]").nodePools[0]
        #expect(pool.spot == SpotSpec(interruptionsPerHour: 0.5, interruptions: [.minutes(30), .minutes(30)], notice: .seconds(30)))
        #expect(pool.availability == [AvailabilityStep(from: .zero, nodes: 4), AvailabilityStep(from: .hours(1), nodes: 1)])
        #expect(pool.nodeLimit(at: .minutes(59)) == 4 && pool.nodeLimit(at: .hours(2)) == 1)
        #expect(try Self.parse("spot: {interruptions: [1m]}").nodePools[0].spot?.notice == .minutes(2), "EC2's two minutes by default")
    }

    @Test("bad values are refused with their path", arguments: [
        ("spot: {interruption_rate: -1/h}", "node_pools[0].spot.interruption_rate", "negative"),
        ("spot: {interruption_rate: 1/h, notice: -30s}", "node_pools[0].spot.notice", "negative"),
        ("spot: {notice: 30s}", "node_pools[0].spot", "interruption_rate"),
        ("spot: {interruption_rate: 1/h, warning: 30s}", "node_pools[0].spot.warning", "unknown key"),
        ("availability: [{from: 30m, nodes: 1}, {from: 10m, nodes: 2}]", "node_pools[0].availability[1].from", "sorted"),
        ("availability: [{from: 0s, nodes: 5}]", "node_pools[0].availability[0].nodes", "between 0 and 4"),
        ("availability: [{from: 0s, node: 1}]", "node_pools[0].availability[0].node", "did you mean `nodes`?"),
        ("availability: [{from: 0s, nodes: 1}], stockout_probability: 0.1", "node_pools[0].availability", "not both"),
        ("initial_nodes: 2, availability: [{from: 0s, nodes: 1}]", "node_pools[0].availability", "initial_nodes"),
        ("spott: {}", "node_pools[0].spott", "did you mean `spot`?"),
    ])
    func refusals(pool: String, path: String, words: String) {
        let message = Self.message(pool)
        #expect(message.contains(path) && message.contains(words), "\(message)")
    }
}
