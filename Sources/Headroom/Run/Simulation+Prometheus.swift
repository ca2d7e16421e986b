import HeadroomEngine

/// The simulated Prometheus of one deployment's policy: what it scrapes and stores. (The
/// replicas' vLLM counters live in `Simulation.engineMetrics`, by replica slot.) Each deployment's
/// sees only its own pods and router, as a query filtered to its model would.
struct PrometheusState: Sendable {
    let config: PrometheusScrapeConfig
    let modelName: String
    let maxModelLen: Int
    var store: SeriesStore
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

    /// Scrapes deployment `d`'s pods (`job` 0) or router (`job` 1), then schedules the job's next scrape.
    mutating func scrapePrometheus(job: Int32, of d: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard let config = deployments[d].prometheus?.config else { return }
        let time = Self.promTime(now)
        let interval = job == 0 ? config.scrapeInterval : config.routerScrapeInterval
        if scenario.faults.prometheusOutage(at: now) != nil {
            // A metric outage: Prometheus (or its collector) is down and writes nothing, so the
            // look-back ages as it would; a policy that fetches from the pods itself sees each
            // fetch fail instead (no sample, the series stale at once).
            if deployments[d].controller.policy.scrapesPodsDirectly && job == 0 {
                for target in deployments[d].prometheus!.store.liveTargets where target.hasPrefix("vllm-") {
                    deployments[d].prometheus!.store.scrapeFailed(target: target, at: time)
                }
            }
            schedule(event(.prometheusScrape, job, UInt32(d)), at: now + interval, queue: &queue)
            return
        }
        if job == 0 {
            scrapePods(of: d, at: now, time: time)
        } else {
            let labels = Labels([("__name__", PrometheusScrapeConfig.routerRequests), ("job", "router"),
                                 ("namespace", config.namespace)])
            deployments[d].prometheus!.store.scraped([ScrapedSample(labels, Double(deployments[deployments[d].traffic].serial))], target: "router", at: time)
        }
        deployments[d].prometheus!.countScrape(at: time)
        schedule(event(.prometheusScrape, job, UInt32(d)), at: now + interval, queue: &queue)
    }

    /// Every live pod is a target: a ready or draining one answers; one still starting does not
    /// (its server is not listening yet), and a gone one is no longer a target. Both go stale.
    private mutating func scrapePods(of d: Int, at now: SimTime, time: Int64) {
        var samples: [ScrapedSample] = []
        var scraped = Set<String>()
        let config = deployments[d].prometheus!.config, names = deployments[d].prometheus!.engineNames
        let model = deployments[d].prometheus!.modelName
        for replica in deployments[d].liveReplicas {
            let r = replicaSlot(replica), pod = PrometheusState.podName(replica)
            switch replicas[r].stage {
            case .ready, .draining:
                samples.removeAll(keepingCapacity: true)
                let target = Labels([("pod", pod), ("namespace", config.namespace), ("model_name", model)])
                EngineExposition.samples(names, state: engineMetrics[r], gauges: gauges(replica, at: now), target: target, into: &samples)
                deployments[d].prometheus!.store.scraped(samples, target: pod, at: time)
                scraped.insert(pod)
            default:
                deployments[d].prometheus!.store.scrapeFailed(target: pod, at: time)
            }
        }
        // Pods only: the router and WVA's gauge are other targets.
        for target in deployments[d].prometheus!.store.liveTargets where target.hasPrefix("vllm-") && !scraped.contains(target) {
            deployments[d].prometheus!.store.scrapeFailed(target: target, at: time)
        }
    }

    /// The policy's queries, evaluated as instant queries now; during a `target: query` outage
    /// each fails as a request to a Prometheus that is down does.
    func evaluateQueries(_ d: Int, at now: SimTime) -> [PromQLOutcome] {
        guard let prometheus = deployments[d].prometheus else { return [] }
        let policy = deployments[d].controller.policy
        if scenario.faults.prometheusOutage(at: now) == .query && !policy.scrapesPodsDirectly {
            let error = PromQLError("metric outage: the Prometheus query API is unavailable", column: 0)
            return policy.queries.map { _ in .failure(error) }
        }
        let evaluator = PromQLEvaluator(store: prometheus.store)
        return policy.queries.map { query in Result { () throws(PromQLError) in try evaluator.evaluate(query.expression, at: Self.promTime(now)) } }
    }

    private func gauges(_ replica: Int32, at now: SimTime) -> EngineGauges {
        // Read in place: a copy of the engine would retain each of its buffers, per pod per scrape.
        let r = replicaSlot(replica), capacity = engines[r].kvCapacity
        let usage = capacity < ReplicaEngine.unlimitedKV ? (capacity > 0 ? min(1, Double(engines[r].kvUsed) / Double(capacity)) : 0) : 0
        return EngineGauges(running: engines[r].batchSize, waiting: engines[r].waiting.count, kvCacheUsage: usage,
                            unreportedTokens: engines[r].unreportedProgress(at: now).tokens)
    }
}
