import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// llm-d's variant autoscaler wired to the simulation: its cycle reads each variant's pods from
/// that variant's Prometheus, publishes `wva_desired_replicas`, and the variant's HPA — the one
/// upstream's `config/samples/hpa-integration.yaml` writes — follows the gauge.
@Suite("WVA drives its variants' HPAs")
struct VariantAutoscalingRunTests {
    static func variant(_ name: String, pool: String, profile: String, rate: String) -> String {
        """
          - name: \(name)
            workload: {arrivals: {process: poisson, rate: \(rate)}, prompt_tokens: 500, output_tokens: 200}
            model: {name: llama-3-8b, weights: 16GB, kv_bytes_per_token: 128KiB, layers: 32}
            profile: \(profile)
            replica: {node_pool: \(pool), image: {size: 1GB}, weights: {remote_bandwidth: 10GB/s}, warmup: 5s, engine: {max_num_seqs: 4}}
            router: {activator_timeout: 10m}
            policy:
              kind: hpa
              spec:
                minReplicas: 1
                maxReplicas: 10
                behavior:
                  scaleUp: {stabilizationWindowSeconds: 0, policies: [{type: Pods, value: 10, periodSeconds: 15}]}
                  scaleDown: {stabilizationWindowSeconds: 0, policies: [{type: Pods, value: 10, periodSeconds: 15}]}
                metrics:
                  - type: External
                    external:
                      metric: {name: wva_desired_replicas, selector: {matchLabels: {variant_name: \(name)-va}}}
                      target: {type: AverageValue, averageValue: "1"}
        """
    }

    static func va(_ name: String, accelerator: String, cost: String) -> String {
        """
            ---
            apiVersion: llmd.ai/v1alpha1
            kind: VariantAutoscaling
            metadata:
              name: \(name)-va
              namespace: llm
              labels: {inference.optimization/acceleratorName: \(accelerator)}
            spec:
              scaleTargetRef: {kind: Deployment, name: \(name)}
              modelID: meta/llama-3-8b
              variantCost: "\(cost)"
        """
    }

    static let pools = """
        node_pools:
          - {name: h100, gpu: H100-80GB, gpus_per_node: 1, price_per_hour: 4, provisioning: 30s, max_nodes: 10}
          - {name: a100, gpu: A100-80GB, gpus_per_node: 1, price_per_hour: 2, provisioning: 30s, max_nodes: 10}
        """

    static func scenario(_ deployments: [String], _ objects: [String]) -> String {
        "name: wva\nduration: 20m\nseed: 3\n" + pools + "\ndeployments:\n" + deployments.joined(separator: "\n")
            + "\nvariant_autoscaling: |\n" + objects.joined(separator: "\n") + "\n"
    }

    @Test("a saturated variant gets +1 per cycle through its HPA; the HPA's decisions read the gauge WVA published")
    func oneVariantScalesUp() throws {
        let yaml = Self.scenario([Self.variant("llama", pool: "h100", profile: "h100-llama3.1-8b-tp1", rate: "12/s")],
                                 [Self.va("llama", accelerator: "H100", cost: "10")])
        let result = Simulation.run(try Scenario.parse(yaml: yaml))
        #expect(result.brokenInvariant == nil)
        #expect(result.summary.peakReplicas >= 3, "saturated replicas ask for more")
        let read = result.decisions.compactMap { $0.queryValues?.first?.values.first }
        #expect(read.contains { $0 >= 2 }, "the HPA read a gauge above 1: \(read.prefix(10))")
        // WVA moves one replica a cycle (V1 adds 1 to the cheapest variant): the gauge never jumps by more.
        for (a, b) in zip(read, read.dropFirst()) { #expect(b - a <= 1) }
    }

    @Test("two variants of one model: the V1 analyzer adds capacity on the cheaper one")
    func cheapestVariantFirst() throws {
        let yaml = Self.scenario(
            [Self.variant("premium", pool: "h100", profile: "h100-llama3.1-8b-tp1", rate: "10/s"),
             Self.variant("standard", pool: "a100", profile: "a100-llama3-8b-tp1", rate: "10/s")],
            [Self.va("premium", accelerator: "H100", cost: "80.0"), Self.va("standard", accelerator: "A100", cost: "40.0")])
        let result = Simulation.run(try Scenario.parse(yaml: yaml))
        #expect(result.brokenInvariant == nil)
        let premium = try #require(result.summary.deployments?.first { $0.name == "premium" })
        let standard = try #require(result.summary.deployments?.first { $0.name == "standard" })
        #expect(standard.peakReplicas > premium.peakReplicas, "premium \(premium.peakReplicas), standard \(standard.peakReplicas)")
    }

    @Test("refusals: a variant without an accelerator label, a VA naming no deployment, a gauge nobody publishes")
    func refusals() throws {
        let deployment = Self.variant("llama", pool: "h100", profile: "h100-llama3.1-8b-tp1", rate: "1/s")
        let unlabelled = Self.va("llama", accelerator: "H100", cost: "10").split(separator: "\n")
            .filter { !$0.contains("acceleratorName") }.joined(separator: "\n")
        #expect(throws: ScenarioError.self) { try Scenario.parse(yaml: Self.scenario([deployment], [unlabelled])) }
        do {
            _ = try Scenario.parse(yaml: Self.scenario([deployment], [unlabelled]))
        } catch {
            #expect(error.description.contains("inference.optimization/acceleratorName"), "\(error)")
        }
        let elsewhere = Self.va("llama", accelerator: "H100", cost: "10").replacingOccurrences(of: "name: llama}", with: "name: other}")
        do {
            _ = try Scenario.parse(yaml: Self.scenario([deployment], [elsewhere]))
            Issue.record("a VA naming no deployment was accepted")
        } catch {
            #expect(error.description.contains("`other`") && error.description.contains("llama"))
        }
        let alone = "name: wva\nduration: 20m\n" + Self.pools + "\ndeployments:\n" + deployment + "\n"
        do {
            _ = try Scenario.parse(yaml: alone)
            Issue.record("a gauge nobody publishes was accepted")
        } catch {
            #expect(error.description.contains("variant_autoscaling"))
        }
    }
}
