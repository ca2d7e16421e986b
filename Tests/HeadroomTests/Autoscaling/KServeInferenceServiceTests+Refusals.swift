import Foundation
import Testing

@testable import Headroom

/// What a careless paste gets: each refusal names the YAML path and what is allowed or why.
extension KServeInferenceServiceTests {
    static let external = """
        autoScaling:
          metrics:
            - type: External
              external:
                metric: {backend: prometheus, query: vllm:num_requests_running}
                target: {type: Value, value: "2"}
        """

    @Test("refusals name the path: wrong apiVersion, misspelt annotations, a missing query, unmodelled and ignored fields")
    func refusals() {
        let standard = "serving.kserve.io/deploymentMode: Standard"
        let cases: [(String, String, String)] = [
            (
                Self.isvc(annotations: Self.keda, predictor: Self.external).replacingOccurrences(of: "v1beta1", with: "v1alpha1"),
                "policy.apiVersion", "expected `serving.kserve.io/v1beta1`"
            ),
            (
                Self.isvc(
                    annotations: "serving.kserve.io/deploymentMode: RawDeployment, serving.kserve.io/autoscalerclass: keda",
                    predictor: Self.external),
                "policy.metadata.annotations.serving.kserve.io/autoscalerclass",
                "did you mean `serving.kserve.io/autoscalerClass`?"
            ),
            (
                Self.isvc(
                    annotations: "serving.kserve.io/deploymentMode: RawDeployment, serving.kserve.io/autoscalerClass: kedaa",
                    predictor: Self.external),
                "policy.metadata.annotations.serving.kserve.io/autoscalerClass", "allowed: hpa, keda, external, none"
            ),
            (
                Self.isvc(annotations: "serving.kserve.io/deploymentMode: Raw", predictor: ""),
                "policy.metadata.annotations.serving.kserve.io/deploymentMode", "allowed: Standard, RawDeployment"
            ),
            (
                Self.isvc(annotations: "serving.kserve.io/autoscalerClass: keda", predictor: Self.external),
                "policy.metadata.annotations.serving.kserve.io/autoscalerClass", "ignored in Knative mode"
            ),
            (
                Self.isvc(
                    annotations: Self.keda,
                    predictor: Self.external.replacingOccurrences(of: ", query: vllm:num_requests_running", with: "")),
                "policy.spec.predictor.autoScaling.metrics[0].external.metric", "missing required key `query`"
            ),
            (
                Self.isvc(
                    annotations: Self.keda,
                    predictor: Self.external.replacingOccurrences(
                        of: "vllm:num_requests_running", with: "vllm:num_request_running")),
                "policy.spec.predictor.autoScaling.metrics[0].external.metric.query", "did you mean `vllm:num_requests_running`?"
            ),
            (
                Self.isvc(
                    annotations: Self.keda,
                    predictor: Self.external.replacingOccurrences(of: #"value: "2""#, with: #"averageValue: "2""#)),
                "policy.spec.predictor.autoScaling.metrics[0].external.target", "KServe reads `value` only"
            ),
            (
                Self.isvc(annotations: Self.keda, predictor: Self.external.replacingOccurrences(of: #""2""#, with: #""500m""#)),
                "policy.spec.predictor.autoScaling.metrics[0].external.target.value", "KEDA parses the threshold as a float"
            ),
            (
                Self.isvc(
                    annotations: Self.keda, predictor: Self.external.replacingOccurrences(of: "prometheus", with: "graphite")),
                "policy.spec.predictor.autoScaling.metrics[0].external.metric.backend", "allowed: prometheus"
            ),
            (
                Self.isvc(
                    annotations: Self.keda, predictor: Self.external.replacingOccurrences(of: "External", with: "PodMetric")),
                "policy.spec.predictor.autoScaling.metrics[0].type", "PodMetric"
            ),
            (
                Self.isvc(annotations: Self.keda, predictor: "scaleTarget: 5\n" + Self.external),
                "policy.spec.predictor.scaleTarget", "ignored with autoscalerClass keda"
            ),
            (
                Self.isvc(annotations: Self.keda, predictor: "minReplicas: 1"), "policy.spec.predictor",
                "needs autoScaling.metrics"
            ),
            (
                Self.isvc(annotations: Self.keda, predictor: Self.external + "\n  behavior: {scaleUp: {policies: []}}"),
                "policy.spec.predictor.autoScaling.behavior.scaleUp.policies", "copies only stabilizationWindowSeconds"
            ),
            (
                Self.isvc(annotations: standard, predictor: Self.external), "policy.spec.predictor.autoScaling.metrics[0].type",
                "autoscalerClass hpa takes Resource metrics only"
            ),
            (
                Self.isvc(annotations: standard, predictor: "scaleMetric: memory"), "policy.spec.predictor.scaleMetric",
                "not modelled"
            ),
            (
                Self.isvc(annotations: standard, predictor: "minReplicas: 4\nmaxReplicas: 2"),
                "policy.spec.predictor.minReplicas",
                "cannot be greater than MaxReplicas"
            ),
            (
                Self.isvc(annotations: standard, predictor: "scaleTarget: 50").replacingOccurrences(
                    of: "Instruct\"}", with: "Instruct\", resources: {requests: {cpu: \"1\"}}}"),
                "policy.spec.predictor.model.resources.requests.cpu",
                "set replica.cpu.request to match"
            ),
            (
                Self.isvc(annotations: standard, predictor: "canaryTrafficPercent: 10"),
                "policy.spec.predictor.canaryTrafficPercent",
                "canary"
            ),
            (
                Self.isvc(annotations: standard, predictor: "minReplica: 2"), "policy.spec.predictor.minReplica",
                "did you mean `minReplicas`?"
            ),
            (
                Self.isvc(annotations: standard + #", autoscaling.knative.dev/target: "5""#, predictor: ""),
                "policy.metadata.annotations.autoscaling.knative.dev/target", "read by Knative only"
            ),
            (
                Self.isvc(annotations: #"autoscaling.knative.dev/class: hpa.autoscaling.knative.dev"#, predictor: ""),
                "policy.metadata.annotations.autoscaling.knative.dev/class", "only Knative's KPA"
            ),
            (
                Self.isvc(annotations: #"autoscaling.knative.dev/targt: "5""#, predictor: ""),
                "policy.metadata.annotations.autoscaling.knative.dev/targt", "did you mean `autoscaling.knative.dev/target`?"
            ),
            (
                Self.isvc(annotations: "", predictor: "scaleMetric: cpu"), "policy.spec.predictor.scaleMetric",
                "allowed: concurrency, rps"
            ),
            (
                Self.isvc(annotations: "serving.kserve.io/metrics: x", predictor: ""),
                "policy.metadata.annotations.serving.kserve.io/metrics",
                "read by no KServe reconciler"
            ),
        ]
        for (yaml, path, message) in cases {
            let error = AIBrixPodAutoscalerTests.refusal(yaml)
            #expect(error.contains(path + ":") && error.contains(message), "\(error)\n--- expected \(path): …\(message)")
            #expect(error.hasPrefix("<scenario>:"), "the line is named: \(error)")
        }
    }

    @Test("what cannot change scaling is accepted: prometheus.io annotations, the model, pod spec, labels, status")
    func inertFields() throws {
        let yaml =
            Self.isvc(
                annotations: Self.keda + #", prometheus.io/scrape: "true", serving.kserve.io/enable-prometheus-scraping: "true""#,
                predictor: Self.external + "\nserviceAccountName: sa\ntolerations: []\nlabels: {a: b}\ntimeout: 60")
            + "\nstatus: {url: http://x}"
        guard case .keda = try Self.policy(yaml) else { Issue.record("not KEDA"); return }
        // A cpu target with the scenario's request (replica.cpu.request) named by the model is accepted.
        let matching = AIBrixPodAutoscalerTests.scenario(
            Self.isvc(annotations: "serving.kserve.io/deploymentMode: Standard", predictor: "scaleTarget: 50")
                .replacingOccurrences(of: "Instruct\"}", with: "Instruct\", resources: {requests: {cpu: 500m}}}")
        )
        .replacingOccurrences(of: "policy:", with: "replica: {cpu: {request: 0.5}}\npolicy:")
        guard case let .hpa(hpa) = try Scenario.parse(yaml: matching).policy else { Issue.record("not an HPA"); return }
        #expect(hpa.settings.cpuRequestCores == 0.5 && hpa.spec.metrics == [.cpuUtilization(50)])
    }
}
