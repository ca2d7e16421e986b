import HeadroomEngine

/// The simulated Prometheus: per-replica vLLM counters kept between scrapes, and the scrapes.
struct PrometheusState: Sendable {
    let config: PrometheusScrapeConfig
    let modelName: String
    let maxModelLen: Int
    var store: SeriesStore
    /// One per replica, parallel to `Simulation.replicas`.
    var engines: [EngineMetricState] = []
    private(set) var scrapes = 0
    let engineNames: [String]
    let wantsRouter: Bool

    init(config: PrometheusScrapeConfig, modelName: String, maxModelLen: Int) {
        self.config = config
        self.modelName = modelName
        self.maxModelLen = maxModelLen
        store = SeriesStore(retention: config.retention.map { $0.nanoseconds / 1_000_000 })
        let names = config.names ?? (EngineExposition.allNames + [PrometheusScrapeConfig.routerRequests])
        engineNames = names.filter { EngineMetric.exposedNames[$0] != nil }
        wantsRouter = names.contains(PrometheusScrapeConfig.routerRequests)
    }

    static func podName(_ replica: Int32) -> String { "vllm-\(replica)" }

    mutating func countScrape(at time: Int64) {
        scrapes += 1
        if scrapes % 64 == 0 { store.prune(at: time) }
    }
}

extension Simulation {
    /// Milliseconds, Prometheus' timestamp unit.
    static func promTime(_ time: SimTime) -> Int64 { time.nanoseconds / 1_000_000 }

    /// Scrapes the pods (`job` 0) or the router (`job` 1), then schedules the job's next scrape.
    mutating func scrapePrometheus(job: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard prometheus != nil else { return }
        let time = Self.promTime(now)
        let interval = job == 0 ? prometheus!.config.scrapeInterval : prometheus!.config.routerScrapeInterval
        if scenario.faults.prometheusOutage(at: now) != nil {
            // A metric outage: Prometheus (or its collector) is down and writes nothing, so the
            // look-back ages as it would; a policy that fetches from the pods itself sees each
            // fetch fail instead (no sample, the series stale at once).
            if controller.policy.scrapesPodsDirectly && job == 0 {
                for target in prometheus!.store.liveTargets where target != "router" {
                    prometheus!.store.scrapeFailed(target: target, at: time)
                }
            }
            schedule(event(.prometheusScrape, job), at: now + interval, queue: &queue)
            return
        }
        if job == 0 {
            scrapePods(at: now, time: time)
        } else {
            let labels = Labels([("__name__", PrometheusScrapeConfig.routerRequests), ("job", "router"),
                                 ("namespace", prometheus!.config.namespace)])
            prometheus!.store.scraped([ScrapedSample(labels, Double(serial))], target: "router", at: time)
        }
        prometheus!.countScrape(at: time)
        schedule(event(.prometheusScrape, job), at: now + interval, queue: &queue)
    }

    /// Every live pod is a target: a ready or draining one answers; one still starting does not
    /// (its server is not listening yet), and a gone one is no longer a target. Both go stale.
    private mutating func scrapePods(at now: SimTime, time: Int64) {
        var samples: [ScrapedSample] = []
        var scraped = Set<String>()
        for replica in liveReplicas {
            let r = Int(replica), pod = PrometheusState.podName(replica)
            switch replicas[r].stage {
            case .ready, .draining:
                samples.removeAll(keepingCapacity: true)
                let target = Labels([("pod", pod), ("namespace", prometheus!.config.namespace),
                                     ("model_name", prometheus!.modelName)])
                EngineExposition.samples(prometheus!.engineNames, state: prometheus!.engines[r], gauges: gauges(r, at: now),
                                         target: target, into: &samples)
                prometheus!.store.scraped(samples, target: pod, at: time)
                scraped.insert(pod)
            default:
                prometheus!.store.scrapeFailed(target: pod, at: time)
            }
        }
        for target in prometheus!.store.liveTargets where target != "router" && !scraped.contains(target) {
            prometheus!.store.scrapeFailed(target: target, at: time)
        }
    }

    /// The policy's queries, evaluated as instant queries now; during a `target: query` outage
    /// each fails as a request to a Prometheus that is down does.
    func evaluateQueries(at now: SimTime) -> [PromQLOutcome] {
        guard let prometheus else { return [] }
        if scenario.faults.prometheusOutage(at: now) == .query && !controller.policy.scrapesPodsDirectly {
            let error = PromQLError("metric outage: the Prometheus query API is unavailable", column: 0)
            return controller.policy.queries.map { _ in .failure(error) }
        }
        let evaluator = PromQLEvaluator(store: prometheus.store)
        return controller.policy.queries.map { query in Result { () throws(PromQLError) in try evaluator.evaluate(query.expression, at: Self.promTime(now)) } }
    }

    private func gauges(_ r: Int, at now: SimTime) -> EngineGauges {
        let engine = engines[r]
        let usage = kvCapacity.map { $0 > 0 ? min(1, Double(engine.kvUsed) / Double($0)) : 0 } ?? 0
        return EngineGauges(running: engine.batchSize, waiting: engine.waiting.count, kvCacheUsage: usage,
                            unreportedTokens: engine.unreportedProgress(at: now, model: stepTime).tokens)
    }
}
