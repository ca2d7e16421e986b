import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

@Suite("Engine metrics as vLLM exposes them")
struct EngineMetricsTests {
    @Test("bucket bounds are vLLM's (vllm/v1/metrics/loggers.py @005a810b), build_1_2_5_buckets as its docstring shows")
    func bounds() {
        #expect(EngineMetric.oneTwoFive(upTo: 100) == [1, 2, 5, 10, 20, 50, 100])  // the docstring's example
        let ttft = EngineMetric.timeToFirstToken.buckets(maxModelLen: 1)
        #expect(ttft.count == 22 && ttft.first == 0.001 && ttft.last == 2560)
        #expect(EngineMetric.interTokenLatency.buckets(maxModelLen: 1).count == 19)
        #expect(EngineMetric.e2eLatency.buckets(maxModelLen: 1).last == 7680)
        #expect(EngineMetric.requestPromptTokens.buckets(maxModelLen: 131_072).last == 100_000)
        #expect(EngineMetric.numRequestsRunning.buckets(maxModelLen: 1).isEmpty)
    }

    @Test("one finished request, hand-computed: TTFT 0.3 s, 10 intervals of 0.1 s, e2e 1.3 s")
    func oneRequest() {
        var state = EngineMetricState(maxModelLen: 1000)
        state.finished(arrival: .zero, firstToken: .milliseconds(300), end: .milliseconds(1300), promptTokens: 100, outputTokens: 11)
        state.generated(11)
        var out: [ScrapedSample] = []
        let target = Labels([("pod", "vllm-0"), ("namespace", "default"), ("model_name", "m")])
        EngineExposition.samples(
            ["vllm:time_to_first_token_seconds_bucket", "vllm:inter_token_latency_seconds_count", "vllm:inter_token_latency_seconds_sum",
             "vllm:e2e_request_latency_seconds_sum", "vllm:prompt_tokens_total", "vllm:generation_tokens_total",
             "vllm:request_success_total", "vllm:num_requests_waiting", "sglang:num_queue_reqs", "vllm:gpu_cache_usage_perc",
             "vllm:request_prompt_tokens_bucket", "no_such_metric"],
            state: state, gauges: EngineGauges(running: 3, waiting: 2, kvCacheUsage: 0.25, unreportedTokens: 4), target: target, into: &out)
        func value(_ name: String, _ extra: [String: String] = [:]) -> Double? {
            out.first { sample in sample.labels.metricName == name && extra.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
        }
        #expect(value("vllm:time_to_first_token_seconds_bucket", ["le": "0.25"]) == 0)
        #expect(value("vllm:time_to_first_token_seconds_bucket", ["le": "0.5"]) == 1)
        #expect(value("vllm:time_to_first_token_seconds_bucket", ["le": "+Inf"]) == 1)
        #expect(value("vllm:inter_token_latency_seconds_count") == 10)
        #expect(abs(value("vllm:inter_token_latency_seconds_sum")! - 1.0) < 1e-12)
        #expect(abs(value("vllm:e2e_request_latency_seconds_sum")! - 1.3) < 1e-12)
        #expect(value("vllm:prompt_tokens_total") == 100)
        #expect(value("vllm:generation_tokens_total") == 15)  // 11 credited + 4 of the run under way
        #expect(value("vllm:request_success_total", ["finished_reason": "length"]) == 1)
        #expect(value("vllm:num_requests_waiting") == 2 && value("sglang:num_queue_reqs") == 2)
        #expect(value("vllm:gpu_cache_usage_perc") == 0.25)
        #expect(value("vllm:request_prompt_tokens_bucket", ["le": "50.0"]) == 0)
        #expect(value("vllm:request_prompt_tokens_bucket", ["le": "100.0"]) == 1)
        #expect(out.allSatisfy { $0.labels["pod"] == "vllm-0" && $0.labels["model_name"] == "m" && $0.labels["namespace"] == "default" })
        #expect(value("no_such_metric") == nil)
    }

    @Test("a run's scraped counters agree with its own accounting")
    func runCounters() throws {
        let scenario = TestScenario.make(duration: .seconds(120), arrivals: .poisson(rate: 4), prompt: .constant(100), output: .constant(20))
        let world = Simulation.world(scenario, policy: PrometheusProbe(replicas: 1))
        let store = world.deployments[0].prometheus!.store
        let finished = try #require(store.dump("vllm:e2e_request_latency_seconds_count").first?.samples.last?.value)
        let prompt = try #require(store.dump("vllm:prompt_tokens_total").first?.samples.last?.value)
        let generated = try #require(store.dump("vllm:generation_tokens_total").first?.samples.last?.value)
        #expect(finished > 100)
        #expect(prompt == 100 * finished)
        #expect(generated >= 20 * finished)
        // Scrapes every 15 s, from 0 through 120 s.
        #expect(store.dump("vllm:num_requests_running").first?.samples.map(\.time) == stride(from: 0, through: 120_000, by: 15_000).map { Int64($0) })
        #expect(store.dump("vllm:num_incoming_requests_total").first?.samples.last?.value ?? 0 >= finished)
    }

    @Test("KV-cache usage is the share of a finite cache in use, 0…1, under both names")
    func kvCacheUsage() throws {
        let scenario = TestScenario.make(duration: .seconds(120), arrivals: .poisson(rate: 20), prompt: .constant(1000), output: .constant(400),
                                         engine: EngineSpec(kvCacheTokens: .tokens(50_000)))
        let world = Simulation.world(scenario, policy: PrometheusProbe(replicas: 1))
        let usage = try #require(world.deployments[0].prometheus!.store.dump("vllm:kv_cache_usage_perc").first?.samples.map(\.value))
        let deprecated = try #require(world.deployments[0].prometheus!.store.dump("vllm:gpu_cache_usage_perc").first?.samples.map(\.value))
        #expect(usage == deprecated)
        #expect(usage.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(usage.max()! > 0.5)  // 20 req/s of 1,400 tokens fill a 50,000-token cache
    }

    @Test("a replica scaled away goes stale at the next scrape: an instant query no longer sees it")
    func goneReplicaGoesStale() throws {
        struct ScaleDown: ScalingPolicy {
            var prometheus: PrometheusScrapeConfig? = PrometheusScrapeConfig()
            var syncPeriod: SimTime? { .seconds(15) }
            var startsWarm: Bool { true }
            func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
                ScalingDecision(desiredReplicas: now < .seconds(60) ? 2 : 1, reason: "script")
            }
        }
        let scenario = TestScenario.make(duration: .seconds(120), arrivals: .poisson(rate: 1), replicas: 2)
        let world = Simulation.world(scenario, policy: ScaleDown())
        let evaluator = PromQLEvaluator(store: world.deployments[0].prometheus!.store)
        let count = try PromQLParser.parse("count(vllm:num_requests_running)")
        #expect(try evaluator.evaluate(count, at: 45_000) == .vector([PromSample(Labels(), 2)]))
        // Removed at 60 s (after the 60 s scrape); its marker is written at 75 s, inside the look-back.
        #expect(try evaluator.evaluate(count, at: 75_000) == .vector([PromSample(Labels(), 1)]))
        #expect(try evaluator.evaluate(count, at: 70_000) == .vector([PromSample(Labels(), 2)]))
    }

    @Test("a replica still loading exposes nothing: its scrapes fail until it is ready")
    func loadingExposesNothing() throws {
        let scenario = TestScenario.make(duration: .seconds(150), arrivals: .poisson(rate: 2), replicas: 1, warm: false,
                                         replica: TestScenario.quickStartReplica)
        let world = Simulation.world(scenario, policy: PrometheusProbe(replicas: 1, warm: false))
        let readyAt = try #require(world.replicas[0].coldStart.readyAt)
        let samples = try #require(world.deployments[0].prometheus!.store.dump("vllm:num_requests_waiting").first?.samples)
        #expect(readyAt > .seconds(15))
        #expect(samples.first!.time >= Simulation.promTime(readyAt))
        #expect(samples.count >= 3)
    }
}
