import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// KEDA's prometheus trigger and the HPA's Pods/Object/External metrics on PromQL, decision by
/// decision on scripted query results (like kedacore/keda `pkg/scalers/prometheus_scaler_test.go`
/// and kubernetes `replica_calculator_test.go`), and the reference's examples pasted in.
@Suite("Policies on PromQL")
struct PromQLPolicyTests {
    static func t(_ seconds: Double) -> SimTime { .seconds(seconds) }
    static func vector(_ values: [Double], pods: Bool = true) -> PromQLOutcome {
        .success(.vector(values.enumerated().map { PromSample(Labels(pods ? [("pod", "vllm-\($0.offset)")] : []), $0.element) }))
    }

    static func keda(_ query: String, threshold: Int64 = 5_000, activation: Int64 = 0, averageValue: Bool = true,
                     ignoreNull: Bool = true, min: Int = 1) throws -> KEDAScaledObject {
        var spec = KEDASpec()
        spec.minReplicaCount = min
        spec.maxReplicaCount = 10
        spec.pollingInterval = .seconds(15)
        spec.triggers = [KEDATrigger(kind: .prometheus, signal: .concurrency, averageValue: averageValue, thresholdMilli: threshold,
                                     activationThresholdMilli: activation,
                                     query: QueryMetric(try PromQLQuery(query), reading: .kedaScaler(ignoreNullValues: ignoreNull)))]
        return KEDAScaledObject(spec: spec)
    }

    @Test("KEDA prometheus trigger: one element drives the HPA; more than one is an error (prometheus_scaler.go)")
    func kedaTrigger() throws {
        var keda = try Self.keda("sum(vllm:num_requests_waiting)")
        #expect(keda.queries.map(\.text) == ["sum(vllm:num_requests_waiting)"])
        #expect(keda.prometheus?.names == ["vllm:num_requests_waiting"])
        _ = keda.decide(ScalingObservation(replicas: ReplicaCounts(), activatorQueue: 0), at: .zero)
        // AverageValue 5: 27 waiting on 1 replica → ceil(27 / 5) = 6, capped at 4 by the legacy limit.
        let busy = ScalingObservation(replicas: ReplicaCounts(ready: 1), activatorQueue: 0, queryResults: [Self.vector([27], pods: false)])
        #expect(keda.decide(busy, at: Self.t(15)).desiredReplicas == 4)
        // Two elements: the scaler fails, the HPA has no metric and keeps the count.
        let two = ScalingObservation(replicas: ReplicaCounts(ready: 4), activatorQueue: 0, queryResults: [Self.vector([9, 9])])
        let failed = keda.decide(two, at: Self.t(30))
        #expect(failed.desiredReplicas == 4)
        #expect(failed.reason.contains("returned multiple elements"))
    }

    @Test("KEDA: ignoreNullValues (default true) reads an empty result as 0; false makes it an error; Value targets scale by ready pods")
    func kedaNullsAndValue() throws {
        let empty = QueryMetric(try PromQLQuery("vllm:num_requests_running"), reading: .kedaScaler(ignoreNullValues: true))
        #expect(try empty.values(.success(.vector([]))).get() == [0])
        #expect(try empty.values(.success(.vector([PromSample(Labels(), .nan)]))).get() == [0])
        let strict = QueryMetric(try PromQLQuery("vllm:num_requests_running"), reading: .kedaScaler(ignoreNullValues: false))
        #expect(throws: PromQLError.self) { try strict.values(.success(.vector([]))).get() }
        #expect(throws: PromQLError.self) { try strict.values(.success(.scalar(1))).get() }
        // KServe's Value target 2: a total of 9 over 2 ready pods (3 active) → ceil(9 / 2 × 2) = 9, capped at 2 × 3 = 6.
        var keda = try Self.keda("vllm:num_requests_running", threshold: 2_000, averageValue: false)
        _ = keda.decide(ScalingObservation(replicas: ReplicaCounts(), activatorQueue: 0), at: .zero)
        let observation = ScalingObservation(replicas: ReplicaCounts(starting: 1, loading: 1, ready: 2), activatorQueue: 0,
                                             queryResults: [Self.vector([9], pods: false)])
        #expect(keda.decide(observation, at: Self.t(15)).desiredReplicas == 6)
    }

    @Test("KEDA keep-alive: scale to zero only after the traffic trigger has been inactive for the cooldown")
    func kedaKeepAlive() throws {
        var keda = try Self.keda("sum(rate(vllm:num_incoming_requests_total[1m]) > bool 0)", threshold: 1_000, min: 0)
        _ = keda.decide(ScalingObservation(replicas: ReplicaCounts(), activatorQueue: 0), at: .zero)
        let traffic = ScalingObservation(replicas: ReplicaCounts(ready: 1), activatorQueue: 0, queryResults: [Self.vector([1], pods: false)])
        #expect(keda.decide(traffic, at: Self.t(15)).desiredReplicas == 1)
        let quiet = ScalingObservation(replicas: ReplicaCounts(ready: 1), activatorQueue: 0, queryResults: [Self.vector([0], pods: false)])
        // Inactive but within the cooldown: the scale loop does nothing, the HPA (min 1) keeps its replica.
        let cooling = keda.decide(quiet, at: Self.t(30))
        #expect(cooling.desiredReplicas == 1 && cooling.reason.hasPrefix("HPA: "), "\(cooling.reason)")
        #expect(keda.decide(quiet, at: Self.t(300)).desiredReplicas == 1)
        #expect(keda.decide(quiet, at: Self.t(330)).desiredReplicas == 0)  // 15 + 300 s < 330 s
    }

    @Test("HPA Pods metric from the adapter: per-pod values averaged; a pod without a sample counts as missing")
    func hpaPods() throws {
        let metric = HPAMetric(source: .pods, signal: .concurrency, target: .averageValue(milli: 4_000),
                               query: QueryMetric(try PromQLQuery("sum by (pod) (vllm:num_requests_running)"), reading: .perPod))
        var hpa = HorizontalPodAutoscaler(spec: HPASpec(minReplicas: 1, maxReplicas: 20, metrics: [metric]))
        #expect(hpa.signals.isEmpty && hpa.queries.count == 1)
        _ = hpa.decide(ScalingObservation(replicas: ReplicaCounts(ready: 3), activatorQueue: 0), at: .zero)
        // 10, 6, 8 per pod: mean 8 over target 4 → ratio 2 → 6 (the legacy cap is max(2 × 3, 4) = 6).
        let observation = ScalingObservation(replicas: ReplicaCounts(ready: 3), activatorQueue: 0, queryResults: [Self.vector([10, 6, 8])])
        #expect(hpa.decide(observation, at: Self.t(15)).desiredReplicas == 6)
        // A fourth ready pod without a sample: missing, read as 0 on scale-up: (24 + 0) / 4 = 6 → ceil(1.5 × 4) = 6.
        let missing = ScalingObservation(replicas: ReplicaCounts(ready: 4), activatorQueue: 0, queryResults: [Self.vector([10, 6, 8])])
        let decision = hpa.decide(missing, at: Self.t(30))
        #expect(decision.desiredReplicas == 6)
        #expect(decision.reason.contains("1 missing"))
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scenarios/llm-signals")

    @Test("the reference's examples paste in unchanged and run: production-stack queue, keep-alive, KServe Value, HPA Pods",
          arguments: ["keda-queue-production-stack", "keda-queue-summed", "keda-scale-to-zero-keepalive", "kserve-running-value",
                      "hpa-pods-running"])
    func shippedScenarios(_ name: String) throws {
        var scenario = try Scenario.load(file: Self.root.appendingPathComponent("\(name).yaml").standardized.path)
        scenario.duration = .minutes(25)
        let result = Simulation.run(scenario)
        #expect(result.brokenInvariant == nil)
        #expect(result.summary.requests.finished > 1000)
        let reasons = result.decisions.map(\.reason)
        #expect(reasons.contains { $0.contains("vllm:") })
        #expect(result.decisions.map(\.desiredReplicas).max()! > 1)  // the bursts scale the fleet out
        if name == "keda-queue-production-stack" { #expect(reasons.contains { $0.contains("returned multiple elements") }) }
    }

    @Test("bad queries and unknown metric names are refused with the YAML path and the allowed forms")
    func refusals() {
        func trigger(_ query: String) -> String {
            """
            name: t
            duration: 1m
            workload: {arrivals: {process: poisson, rate: 1/s}, prompt_tokens: 10, output_tokens: 10}
            model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3-8b
            node_pools: [{name: p, gpu: H100-80GB, price_per_hour: 1}]
            policy:
              kind: keda
              spec:
                triggers:
                  - type: prometheus
                    metadata: {query: '\(query)', threshold: '5'}
            """
        }
        let cases = [
            ("vllm:num_request_waiting", "unknown metric `vllm:num_request_waiting` (did you mean `vllm:num_requests_waiting`?)"),
            ("topk(1, vllm:num_requests_waiting)", "column 1: the topk aggregation is not supported"),
            ("sum(vllm:num_requests_waiting", "column 30: unexpected end of query"),
        ]
        for (query, message) in cases {
            do {
                _ = try Scenario.parse(yaml: trigger(query))
                Issue.record("\(query) was accepted")
            } catch {
                #expect(error.description.contains(message) && error.description.contains("policy.spec.triggers"), "\(error)")
            }
        }
        #expect((try? Scenario.parse(yaml: trigger("concurrency"))) != nil)  // the names shipped before PromQL
    }

    @Test("HPA metrics: a vLLM series becomes the adapter's query with its matchLabels; an unknown name lists the allowed ones")
    func hpaYAML() throws {
        func hpa(_ metric: String) -> String {
            """
            name: t
            duration: 1m
            workload: {arrivals: {process: poisson, rate: 1/s}, prompt_tokens: 10, output_tokens: 10}
            model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3-8b
            node_pools: [{name: p, gpu: H100-80GB, price_per_hour: 1}]
            policy:
              kind: hpa
              prometheus: {scrape_interval: 30s}
              spec:
                maxReplicas: 4
                metrics:
                  - type: External
                    external:
                      metric: {name: \(metric), selector: {matchLabels: {model_name: m}}}
                      target: {type: Value, value: "3"}
            """
        }
        let scenario = try Scenario.parse(yaml: hpa("vllm:num_requests_waiting"))
        let policy = scenario.policy.makePolicy(for: scenario)
        #expect(policy.queries.map(\.text) == [#"sum(vllm:num_requests_waiting{model_name="m"})"#])
        #expect(policy.prometheus?.scrapeInterval == .seconds(30))
        do {
            _ = try Scenario.parse(yaml: hpa("vllm:num_requests_queued"))
            Issue.record("accepted an unknown metric")
        } catch {
            #expect(error.description.contains("policy.spec.metrics[0].external.metric.name") && error.description.contains("unknown metric")
                    && error.description.contains("vllm:kv_cache_usage_perc"), "\(error)")
        }
    }
}
