import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// `metric_outage` faults on the Prometheus path: `target: query` (Prometheus down, the default)
/// and `target: scrape` (collection down), and AIBrix's own scrapes.
@Suite("Metric outages on the Prometheus path")
struct PrometheusOutageTests {
    /// A fixed fleet whose policy queries `vllm:num_requests_running`.
    struct QueryProbe: ScalingPolicy {
        var prometheus: PrometheusScrapeConfig? = PrometheusScrapeConfig()
        var queries: [PromQLQuery]
        var syncPeriod: SimTime? { .seconds(15) }
        var startsWarm: Bool { true }
        func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
            ScalingDecision(desiredReplicas: 1, reason: "probe")
        }
        static func make() throws -> QueryProbe { QueryProbe(queries: [try PromQLQuery("vllm:num_requests_running")]) }
    }

    static func scenario(_ outage: MetricOutage, duration: SimTime = .minutes(12)) -> Scenario {
        var scenario = TestScenario.make(duration: duration, arrivals: .poisson(rate: 4), prompt: .constant(100), output: .constant(20))
        scenario.faults = FaultSpec(metricOutages: [outage])
        return scenario
    }

    static func times(_ world: Simulation) -> [Int64] {
        world.deployments[0].prometheus!.store.dump("vllm:num_requests_running").first?.samples.map(\.time) ?? []
    }

    @Test("target: scrape — nothing written (no staleness markers); instant queries answer from the 5-minute look-back, then the series vanishes")
    func scrapeOutage() throws {
        let world = Simulation.world(Self.scenario(MetricOutage(from: .minutes(2), to: .minutes(9), target: .scrape)), policy: try QueryProbe.make())
        // Scrapes every 15 s up to 105 s, none from 2 m to 9 m, again from 9 m.
        #expect(Self.times(world) == stride(from: 0, through: 105_000, by: 15_000).map { Int64($0) }
                + stride(from: 540_000, through: 720_000, by: 15_000).map { Int64($0) })
        // 4 m: the 105 s sample is 135 s old, held by the look-back (no staleness marker was
        // written at 2 m). 7 m: 315 s old, gone.
        #expect(world.evaluateQueries(0, at: .minutes(4)).count == 1)
        guard case let .success(.vector(held)) = world.evaluateQueries(0, at: .minutes(4))[0] else { Issue.record("query failed"); return }
        #expect(held.count == 1)
        guard case let .success(.vector(gone)) = world.evaluateQueries(0, at: .minutes(7))[0] else { Issue.record("query failed"); return }
        #expect(gone.isEmpty)
    }

    @Test("target: query (the default) — Prometheus is down: it scrapes nothing and every query errors")
    func queryOutage() throws {
        #expect(MetricOutage(from: .zero, to: .seconds(1)).target == .query)
        let world = Simulation.world(Self.scenario(MetricOutage(from: .minutes(2), to: .minutes(9))), policy: try QueryProbe.make())
        #expect(!Self.times(world).contains { $0 >= 120_000 && $0 < 540_000 })
        guard case let .failure(error) = world.evaluateQueries(0, at: .minutes(4))[0] else { Issue.record("query answered"); return }
        #expect(error.description.contains("metric outage"))
        guard case .success = world.evaluateQueries(0, at: .minutes(10))[0] else { Issue.record("query failed after the outage"); return }
        // An outage naming a signal stays in that signal's pipeline.
        let scoped = Simulation.world(Self.scenario(MetricOutage(from: .minutes(2), to: .minutes(9), signal: .concurrency)), policy: try QueryProbe.make())
        #expect(Self.times(scoped).contains(240_000))
    }

    @Test("AIBrix (metrics/fetcher.go): its own scrapes fail — the series is stale at once and each pod is recorded as 0")
    func aibrixScrapesFail() throws {
        var spec = AIBrixSpec(strategy: .apa, minReplicas: 1, maxReplicas: 4,
                              metrics: [try AIBrixMetricSource(name: "num_requests_running", target: 10)])
        spec.scaleDownCooldown = .zero
        let policy = AIBrixPodAutoscaler(spec: spec)
        #expect(policy.scrapesPodsDirectly)
        // Stopped at 130 s, before the store prunes what the look-back no longer needs.
        let world = Simulation.world(Self.scenario(MetricOutage(from: .minutes(2), to: .minutes(9)), duration: .seconds(130)), policy: policy)
        let samples = try #require(world.deployments[0].prometheus!.store.dump("vllm:num_requests_running").first?.samples)
        // The last sample is the 110 s one: the 120 s fetch failed (and marked the series stale).
        #expect(samples.last?.time == 110_000)
        // The query API never fails for AIBrix: the pod is simply missing (the 110 s sample is not
        // held by the look-back), and the autoscaler records it as 0.
        guard case let .success(.vector(missing)) = world.evaluateQueries(0, at: .seconds(125))[0] else { Issue.record("query failed"); return }
        #expect(missing.isEmpty)
    }

    @Test("YAML: `target` parses; a bad value or one beside `signal` names the place")
    func parsing() throws {
        func parse(_ yaml: String) throws(ScenarioError) -> FaultSpec {
            try FaultSpec(YAMLValue(node: YAMLText.compose(yaml, file: "f.yaml"), path: "faults", file: "f.yaml"))
        }
        #expect(try parse("- {kind: metric_outage, from: 1m, to: 2m, target: scrape}").metricOutages
                == [MetricOutage(from: .minutes(1), to: .minutes(2), target: .scrape)])
        for (bad, message) in [("- {kind: metric_outage, from: 1m, to: 2m, target: prometheus}", "allowed: query, scrape"),
                               ("- {kind: metric_outage, from: 1m, to: 2m, signal: concurrency, target: scrape}", "leave out one")] {
            do {
                _ = try parse(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.description.contains(message) && error.description.contains("faults[0].target"), "\(error.description)")
            }
        }
    }
}

extension PrometheusOutageTests {
    @Test("whole run (scenarios/faults/keda-promql-outage.yaml): Prometheus down 15–20 m; KEDA's PromQL trigger fails, then the HPA is served the fallback")
    func kedaPromQLOutageRun() throws {
        var document = try ScenarioDocument.load(file: "scenarios/faults/keda-promql-outage.yaml")
        let result = Simulation.run(try document.scenario())
        #expect(result.brokenInvariant == nil)
        let during = result.decisions.filter { $0.time >= 900 && $0.time < 1200 }
        #expect(during.contains { $0.reason.contains("FailedGetMetrics") })
        let served = during.filter { $0.reason.contains("fallback for sum(vllm:num_requests_running)") }
        #expect(!served.isEmpty)
        #expect(served.contains { $0.desiredReplicas == 6 }, "\(served.map(\.desiredReplicas))")
        #expect(during.allSatisfy { $0.desiredReplicas > 0 })
        #expect(!result.decisions.filter { $0.time < 900 || $0.time >= 1215 }.contains { $0.reason.contains("fallback") })
        // Nothing was scraped while Prometheus was down: the same run with `target: scrape` keeps
        // answering queries from the look-back and never falls back.
        try document.set("faults", to: "[{kind: metric_outage, from: 15m, to: 20m, target: scrape}]")
        let scrape = Simulation.run(try document.scenario())
        #expect(!scrape.decisions.contains { $0.reason.contains("fallback") || $0.reason.contains("FailedGetMetrics") })
    }
}
