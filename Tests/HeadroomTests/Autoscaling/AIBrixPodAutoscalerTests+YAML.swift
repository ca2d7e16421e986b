import Foundation
import HeadroomEngine
import Testing

@testable import Headroom

/// PodAutoscaler objects pasted from AIBrix's docs, refusals naming the YAML path and the
/// allowed forms, and whole runs of the shipped AIBrix scenarios.
extension AIBrixPodAutoscalerTests {
    static func scenario(_ policy: String) -> String {
        """
        name: t
        duration: 1m
        workload: {arrivals: {process: poisson, rate: 1/s}, prompt_tokens: 10, output_tokens: 10}
        model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
        profile: h100-llama3-8b
        node_pools: [{name: p, gpu: H100-80GB, price_per_hour: 1}]
        policy:
        \(policy.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        """
    }

    static func aibrix(_ yaml: String) throws -> AIBrixPodAutoscaler {
        let scenario = try Scenario.parse(yaml: Self.scenario(yaml))
        guard case let .aibrix(policy) = scenario.policy else { throw PolicyParameterError("not an AIBrix policy") }
        return policy
    }

    static func refusal(_ yaml: String) -> String {
        do {
            _ = try Scenario.parse(yaml: Self.scenario(yaml))
            return "accepted"
        } catch { return error.description }
    }

    @Test(
        "docs/source/features/autoscaling/metric-based-autoscaling.rst: the windows example and the annotations example paste in")
    func docsExamples() throws {
        let windows = try Self.aibrix(
            """
            apiVersion: autoscaling.aibrix.ai/v1alpha1
            kind: PodAutoscaler
            metadata:
              name: example-kpa-windows
            spec:
              scalingStrategy: KPA
              minReplicas: 1
              maxReplicas: 8
              observeWindowSeconds: 600
              panicWindowSeconds: 60
              metricsSources:
                - metricSourceType: pod
                  protocolType: http
                  port: "8000"
                  path: metrics
                  targetMetric: gpu_cache_usage_perc
                  targetValue: "0.5"
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: deepseek-r1-distill-llama-8b
            """)
        #expect(windows.spec.stableWindow == .seconds(600) && windows.spec.panicWindow == .seconds(60))
        #expect(windows.spec.kpaVariant == .current)
        #expect(windows.queries.map(\.text) == ["vllm:gpu_cache_usage_perc"])
        let annotated = try Self.aibrix(
            """
            apiVersion: autoscaling.aibrix.ai/v1alpha1
            kind: PodAutoscaler
            metadata:
              name: example-kpa
              annotations:
                autoscaling.aibrix.ai/max-scale-up-rate: "3.0"
                autoscaling.aibrix.ai/max-scale-down-rate: "2.0"
                autoscaling.aibrix.ai/scale-up-tolerance: "0.2"
                autoscaling.aibrix.ai/scale-down-tolerance: "0.1"
                autoscaling.aibrix.ai/panic-threshold: "2.5"
                autoscaling.aibrix.ai/scale-up-cooldown-window: "30s"
                autoscaling.aibrix.ai/scale-down-cooldown-window: "5m"
                autoscaling.aibrix.ai/scale-to-zero: "false"
            spec:
              scalingStrategy: KPA
              maxReplicas: 8
              metricsSources:
                - {metricSourceType: pod, targetMetric: kv_cache_usage_perc, targetValue: "0.5"}
            """)
        let s = annotated.spec
        #expect(s.maxScaleUpRate == 3 && s.maxScaleDownRate == 2 && s.upTolerance == 0.2 && s.downTolerance == 0.1)
        #expect(
            s.panicThreshold == 2.5 && s.scaleUpCooldown == .seconds(30) && s.scaleDownCooldown == .minutes(5) && !s.scaleToZero)
        #expect(s.minReplicas == 1)  // BaseBounds: an omitted minReplicas is 1
        // samples/autoscaling/hpa.yaml: the HPA strategy.
        let hpa = try Self.aibrix(
            """
            apiVersion: autoscaling.aibrix.ai/v1alpha1
            kind: PodAutoscaler
            metadata:
              name: deepseek-r1-distill-llama-8b-hpa
              namespace: default
              labels:
                app.kubernetes.io/name: aibrix
                app.kubernetes.io/managed-by: kustomize
            spec:
              scalingStrategy: HPA
              minReplicas: 1
              maxReplicas: 10
              metricsSources:
                - metricSourceType: pod
                  protocolType: http
                  port: '8000'
                  path: /metrics
                  targetMetric: gpu_cache_usage_perc
                  targetValue: '50'
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: deepseek-r1-distill-llama-8b
            """)
        #expect(hpa.syncPeriod == .seconds(15))
        #expect(
            try Self.aibrix(
                "kind: aibrix\nkpaVariant: v0.4\nspec: {scalingStrategy: KPA, maxReplicas: 4, metricsSources: "
                    + "[{metricSourceType: pod, targetMetric: num_requests_waiting, targetValue: '5'}]}"
            ).spec.kpaVariant == .v04)
    }

    @Test("refusals name the YAML path and the allowed forms: annotations, keys, metric names, variants, windows")
    func refusals() {
        func object(
            annotations: String = "", spec: String = "", metric: String = "num_requests_running", target: String = "'8'",
            extra: String = "", strategy: String = "KPA"
        ) -> String {
            """
            kind: PodAutoscaler
            \(extra)metadata:
              annotations: {\(annotations)}
            spec:
              scalingStrategy: \(strategy)
              maxReplicas: 4\(spec)
              metricsSources: [{metricSourceType: pod, targetMetric: \(metric), targetValue: \(target)}]
            """
        }
        let cases: [(String, [String])] = [
            (
                object(annotations: "autoscaling.aibrix.ai/panic-window: 10s"),
                [
                    "policy.metadata.annotations.autoscaling.aibrix.ai/panic-window", "unknown key",
                    "autoscaling.aibrix.ai/panic-threshold",
                ]
            ),
            (
                object(annotations: "apa.autoscaling.aibrix.ai/window: 30s"),
                [
                    "policy.metadata.annotations.apa.autoscaling.aibrix.ai/window", "not read by AIBrix",
                    "spec.observeWindowSeconds",
                ]
            ),
            (
                object(annotations: "autoscaling.aibrix.ai/up-fluctuation-tolerance: '0.1'"),
                ["use `autoscaling.aibrix.ai/scale-up-tolerance`"]
            ),
            (object(annotations: "autoscaling.aibrix.ai/scale-to-zero: maybe"), ["strconv.ParseBool"]),
            (object(metric: "num_requests_queued"), ["policy.spec.metricsSources[0].targetMetric", "num_requests_waiting"]),
            (object(target: "'0'"), ["policy.spec.metricsSources[0].targetValue", "greater than 0"]),
            (
                object(spec: "\n  observeWindowSeconds: 30"),
                ["panicWindowSeconds (60) must be less than or equal to observeWindowSeconds (30)"]
            ),
            (object(spec: "\n  scheduels: []"), ["policy.spec.scheduels", "did you mean `schedules`?"]),
            (object(strategy: "KPAA"), ["policy.spec.scalingStrategy", "KPA, APA, HPA"]),
            (object(extra: "kpaVariant: v0.5\n"), ["policy.kpaVariant", "v0.4, current"]),
            (object(extra: "kpaVariant: v0.4\n", strategy: "APA"), ["kpaVariant applies to scalingStrategy KPA only"]),
            (object(target: "'0.5'", strategy: "HPA"), ["truncates it with int64()"]),
            (object(extra: "apiVersion: autoscaling.aibrix.ai/v1\n"), ["policy.apiVersion", "autoscaling.aibrix.ai/v1alpha1"]),
        ]
        for (yaml, fragments) in cases {
            let message = Self.refusal(yaml)
            #expect(fragments.allSatisfy { message.contains($0) }, "\(message)")
        }
        let source = "[{metricSourceType: external, targetMetric: num_requests_running, targetValue: '1'}]"
        #expect(
            Self.refusal("kind: aibrix\nspec: {scalingStrategy: APA, maxReplicas: 2, metricsSources: \(source)}")
                .contains("metricSourceType `external` is not modelled; allowed: pod"))
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../../scenarios/llm-signals")

    @Test(
        "whole runs: the shipped AIBrix scenarios scale the bursty chat workload out and back",
        arguments: [
            "aibrix-kpa", "aibrix-kpa-v04", "aibrix-apa",
        ])
    func shippedScenarios(_ name: String) throws {
        var scenario = try Scenario.load(file: Self.root.appendingPathComponent("\(name).yaml").standardized.path)
        scenario.duration = .minutes(25)
        let result = Simulation.run(scenario)
        #expect(result.brokenInvariant == nil)
        #expect(result.summary.requests.finished > 1000)
        let reasons = result.decisions.map(\.reason)
        #expect(reasons.contains { $0.contains("num_requests_running") })
        #expect(reasons.contains { $0.contains("scraped as 0") })  // pods started during the burst read 0
        #expect(result.decisions.map(\.desiredReplicas).max()! > 1)
        #expect(zip(result.decisions, result.decisions.dropFirst()).allSatisfy { $1.time - $0.time <= 10.000001 })
    }
}
