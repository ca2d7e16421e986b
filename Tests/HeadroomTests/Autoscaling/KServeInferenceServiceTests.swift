import Foundation
import HeadroomEngine
import Testing

@testable import Headroom

/// A KServe InferenceService pasted under `policy:` becomes the autoscaler KServe's controller
/// creates (kserve/kserve `aaac4e29`): each form's exact spec, mirroring `keda_reconciler_test.go`,
/// `hpa_reconciler_test.go` and the Knative annotations of `SetAutoScalingAnnotations`.
@Suite("KServe InferenceService")
struct KServeInferenceServiceTests {
    static func isvc(annotations: String, predictor: String) -> String {
        """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: m
          annotations: {\(annotations)}
        spec:
          predictor:
            model: {modelFormat: {name: huggingface}, storageUri: "hf://Qwen/Qwen2.5-0.5B-Instruct"}
        \(predictor.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    static let keda = #"serving.kserve.io/deploymentMode: RawDeployment, serving.kserve.io/autoscalerClass: keda"#

    static func policy(_ yaml: String) throws -> PolicySpec {
        try Scenario.parse(yaml: AIBrixPodAutoscalerTests.scenario(yaml)).policy
    }

    @Test("the docs' LLM example, pasted unchanged, is the ScaledObject KServe creates and decides as it does")
    func docsExampleMatchesScaledObject() throws {
        let path = PromQLPolicyTests.root.appendingPathComponent("kserve-running-value.yaml").standardized.path
        var pasted = try Scenario.load(file: path)
        var document = ScenarioDocument(yaml: try String(contentsOfFile: path, encoding: .utf8), file: path)
        // keda_reconciler.go: min 1, max 5, threshold "2", no metricType (KEDA's default AverageValue).
        try document.set(
            "policy",
            to: """
                {kind: keda, spec: {minReplicaCount: 1, maxReplicaCount: 5, triggers: [{type: prometheus, metadata: {
                  serverAddress: "http://prometheus.istio-system.svc.cluster.local:9090", query: "vllm:num_requests_running", threshold: "2"}}]}}
                """)
        var scaledObject = try document.scenario()
        #expect(pasted.policy == scaledObject.policy)
        pasted.duration = .minutes(25)
        scaledObject.duration = .minutes(25)
        let a = Simulation.run(pasted), b = Simulation.run(scaledObject)
        #expect(a.decisions.count > 50)
        #expect(a.decisions.map(\.desiredReplicas) == b.decisions.map(\.desiredReplicas))
        #expect(a.decisions.map(\.reason) == b.decisions.map(\.reason))
        #expect(a.decisions.map(\.desiredReplicas).max() == 3)
    }

    @Test("keda External: threshold from target.value whatever target.type, AverageValue, min 1 and max raised to it when absent")
    func kedaExternal() throws {
        let policy = try Self.policy(
            Self.isvc(
                annotations: Self.keda,
                predictor: """
                    autoScaling:
                      metrics:
                        - type: External
                          external:
                            metric: {backend: prometheus, query: 'sum(vllm:num_requests_waiting)', namespace: ns}
                            authenticationRef: {authenticationRef: {name: secret}}
                            target: {type: AverageValue, value: "0.5", averageValue: "7"}
                    """))
        guard case let .keda(object) = policy else { Issue.record("not KEDA: \(policy)"); return }
        #expect(object.spec.minReplicaCount == 1 && object.spec.maxReplicaCount == 1)  // TestCreateKedaScaledObject_DefaultMinReplicas
        #expect(
            object.spec.pollingInterval == .seconds(30) && object.spec.cooldownPeriod == .seconds(300)
                && object.spec.behavior == nil)
        let trigger = try #require(object.spec.triggers.first)
        #expect(
            trigger.kind == .prometheus && trigger.averageValue && trigger.thresholdMilli == 500
                && trigger.activationThresholdMilli == 0)
        #expect(
            trigger.query?.query.text == "sum(vllm:num_requests_waiting)"
                && trigger.query?.reading == .kedaScaler(ignoreNullValues: true))
    }

    @Test(
        "keda Resource cpu and the behavior's stabilization windows (TestCreateKedaScaledObject_AdvancedConfigFromComponentExt)")
    func kedaResourceAndBehavior() throws {
        let policy = try Self.policy(
            Self.isvc(
                annotations: Self.keda,
                predictor: """
                    minReplicas: 0
                    maxReplicas: 4
                    autoScaling:
                      metrics:
                        - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}
                      behavior: {scaleDown: {stabilizationWindowSeconds: 120}}
                    """))
        guard case let .keda(object) = policy else { Issue.record("not KEDA: \(policy)"); return }
        #expect(object.spec.minReplicaCount == 0 && object.spec.maxReplicaCount == 4)
        #expect(object.spec.triggers == [KEDATrigger(kind: .cpu, signal: .cpu, thresholdMilli: 50_000, pipeline: .metricsServer)])
        var scaleDown = HPAScalingRules.defaultScaleDown
        scaleDown.stabilizationWindowSeconds = 120
        #expect(object.spec.behavior == HPABehavior(scaleUp: .defaultScaleUp, scaleDown: scaleDown))
    }

    @Test("hpa (the default class): CPU at scaleTarget %, minReplicas 0 raised to 1, the API server's default behavior")
    func hpaForms() throws {
        let shorthand = try Self.policy(
            Self.isvc(
                annotations: "serving.kserve.io/deploymentMode: Standard",
                predictor: "minReplicas: 0\nmaxReplicas: 3\nscaleMetric: cpu\nscaleTarget: 60"))
        guard case let .hpa(hpa) = shorthand else { Issue.record("not an HPA: \(shorthand)"); return }
        #expect(hpa.spec == HPASpec(minReplicas: 1, maxReplicas: 3, metrics: [.cpuUtilization(60)], behavior: HPABehavior()))
        let metrics = try Self.policy(
            Self.isvc(
                annotations: "serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: hpa",
                predictor:
                    "minReplicas: 2\nautoScaling: {metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization}}}]}"
            ))
        guard case let .hpa(second) = metrics else { Issue.record("not an HPA: \(metrics)"); return }
        // maxReplicas absent (0) is raised to minReplicas; averageUtilization absent is DefaultCPUUtilization.
        #expect(second.spec == HPASpec(minReplicas: 2, maxReplicas: 2, metrics: [.cpuUtilization(80)], behavior: HPABehavior()))
        let none = try Self.policy(
            Self.isvc(
                annotations: "serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: none",
                predictor: "minReplicas: 2"))
        #expect(none == .fixed(FixedPolicy(replicas: 2)))
    }

    @Test("Knative mode (also when the annotation is absent): KServe's annotations over the user's, containerConcurrency")
    func knativeForms() throws {
        let policy = try Self.policy(
            Self.isvc(
                annotations: #"autoscaling.knative.dev/target: "50", autoscaling.knative.dev/window: 120s"#,
                predictor: "scaleMetric: rps\nscaleTarget: 5\ncontainerConcurrency: 4"))
        guard case let .kpa(kpa) = policy else { Issue.record("not a KPA: \(policy)"); return }
        var expected = KPASpec()
        expected.metric = .rps
        expected.target = 5  // scaleTarget overwrites the target annotation
        expected.containerConcurrency = 4
        expected.stableWindow = .seconds(120)
        expected.minScale = 1  // minReplicas absent: DefaultMinReplicas
        expected.maxScale = 0  // maxReplicas absent: no limit
        #expect(kpa.spec == expected)
        let serverless = try Self.policy(
            Self.isvc(
                annotations: "serving.kserve.io/deploymentMode: Serverless",
                predictor: "minReplicas: 0\nmaxReplicas: 3"))
        guard case let .kpa(second) = serverless else { Issue.record("not a KPA: \(serverless)"); return }
        #expect(
            second.spec.minScale == 0 && second.spec.maxScale == 3 && second.spec.metric == .concurrency
                && second.spec.target == nil)
    }
}
