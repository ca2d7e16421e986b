import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// Dynamo's planner wired to a disaggregated deployment pair: it reads the frontend's window and
/// the engines' forward passes and sets both roles' replicas, within its GPU budget.
@Suite("Dynamo's planner in a run")
struct DynamoPlannerRunTests {
    static func yaml(planner: String, rate: String = "2/s") -> String {
        """
        name: planned
        duration: 10m
        seed: 2
        node_pools:
          - {name: h100, gpu: H100-80GB, gpus_per_node: 8, price_per_hour: 98.32, provisioning: 1m, max_nodes: 1, initial_nodes: 1, image_cached: true}
        deployments:
          - name: prefill
            role: prefill
            workload: {arrivals: {process: poisson, rate: \(rate)}, prompt_tokens: 2000, output_tokens: 100}
            model: {name: llama-3.1-8b, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3.1-8b-tp1
            replica: {warmup: 10s, weights: {mode: streamed, remote_bandwidth: 4GB/s}}
            policy: {kind: fixed, replicas: 3}
          - name: decode
            shares_traffic_with: prefill
            role: decode
            profile: h100-llama3.1-8b-tp1
            replica: {warmup: 10s, weights: {mode: streamed, remote_bandwidth: 4GB/s}}
            policy: {kind: fixed, replicas: 3}
        dynamo_planner:
        \(planner.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        """
    }

    static let loadLoop = """
        generation: "2026"
        prefill: prefill
        decode: decode
        enable_load_scaling: true
        ttft: 2000
        itl: 100
        max_gpu_budget: 6
        """

    @Test("2026 load loop on light traffic: both roles consolidate to one worker (N/(N−1) fits), the decisions are logged, the budget holds")
    func consolidates() throws {
        let result = Simulation.run(try Scenario.parse(yaml: Self.yaml(planner: Self.loadLoop, rate: "0.5/s")))
        #expect(result.brokenInvariant == nil)
        let planned = result.decisions.filter { $0.reason.hasPrefix("dynamo planner:") }
        #expect(!planned.isEmpty)
        for name in ["prefill", "decode"] {
            let last = try #require(planned.last { $0.deployment == name })
            #expect(last.desiredReplicas == 1, "\(name): \(last.reason)")
        }
        // Each instant's counts fit the budget (one GPU per worker).
        let byTime = Dictionary(grouping: planned, by: \.time)
        for (_, decisions) in byTime { #expect(decisions.reduce(0) { $0 + $1.desiredReplicas } <= 6) }
        #expect(result.summary.requests.finished > 250)
    }

    @Test("the classic SLA planner sizes on its throughput interval only, from the frontend's window")
    func classicCadence() throws {
        let classic = """
            generation: sla-2025
            prefill: prefill
            decode: decode
            throughput_adjustment_interval: 120
            ttft: 2000
            itl: 100
            max_gpu_budget: 6
            """
        let result = Simulation.run(try Scenario.parse(yaml: Self.yaml(planner: classic)))
        #expect(result.brokenInvariant == nil)
        let times = Set(result.decisions.filter { $0.reason.hasPrefix("dynamo planner:") }.map(\.time))
        #expect(!times.isEmpty && times.allSatisfy { $0.truncatingRemainder(dividingBy: 120) == 0 }, "\(times.sorted())")
    }

    @Test("refusals: an unknown deployment, a wrong role, a planned deployment not on `fixed`")
    func refusals() throws {
        func refusal(_ text: String) -> String {
            do {
                _ = try Scenario.parse(yaml: text)
                return "accepted"
            } catch { return error.description }
        }
        #expect(refusal(Self.yaml(planner: Self.loadLoop.replacingOccurrences(of: "decode: decode", with: "decode: dec")))
            .contains("no deployment named `dec`"))
        #expect(refusal(Self.yaml(planner: Self.loadLoop.replacingOccurrences(of: "prefill: prefill", with: "prefill: decode")))
            .contains("the planner's `prefill` must be a `role: prefill` deployment"))
        let kpa = Self.yaml(planner: Self.loadLoop).replacingOccurrences(
            of: "    policy: {kind: fixed, replicas: 3}\n  - name: decode", with: "    policy: {kind: kpa}\n  - name: decode")
        #expect(refusal(kpa).contains("the planner sets `prefill`'s replicas; give it `policy: {kind: fixed, replicas: N}`"))
        #expect(refusal(Self.yaml(planner: Self.loadLoop + "\ndeployment: prefill")).contains("`deployment` is for `mode: agg`"))
    }
}

extension DynamoPlannerRunTests {
    @Test("agg mode: the 2026 planner sizes one aggregated deployment from its engines' forward passes")
    func aggregated() throws {
        let yaml = """
            name: planned-agg
            duration: 10m
            seed: 2
            node_pools:
              - {name: h100, gpu: H100-80GB, gpus_per_node: 8, price_per_hour: 98.32, provisioning: 1m, max_nodes: 1, initial_nodes: 1, image_cached: true}
            deployments:
              - name: llama
                workload: {arrivals: {process: poisson, rate: 0.5/s}, prompt_tokens: 2000, output_tokens: 100}
                model: {name: llama-3.1-8b, weights: 16GB, kv_bytes_per_token: 128KiB}
                profile: h100-llama3.1-8b-tp1
                replica: {warmup: 10s, weights: {mode: streamed, remote_bandwidth: 4GB/s}}
                policy: {kind: fixed, replicas: 3}
            dynamo_planner:
              generation: "2026"
              mode: agg
              deployment: llama
              enable_load_scaling: true
              ttft: 2000
              itl: 100
              max_gpu_budget: 4
            """
        let result = Simulation.run(try Scenario.parse(yaml: yaml))
        #expect(result.brokenInvariant == nil)
        let planned = result.decisions.filter { $0.reason.hasPrefix("dynamo planner:") }
        #expect(!planned.isEmpty && planned.allSatisfy { $0.desiredReplicas <= 4 })
        #expect(planned.last?.desiredReplicas == 1, "light traffic consolidates: \(planned.last?.reason ?? "")")
        #expect(result.summary.requests.finished > 250)
    }
}
