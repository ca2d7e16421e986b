import HeadroomEngine

/// Replaying a policy on a Prometheus export: its queries are evaluated on the user's series at
/// each of its ticks, as its Prometheus would have answered them.
extension PolicyReplay {
    /// Refuses a policy that reads Headroom signals (they are not in an export) or no query at all.
    public static func requireQueries(of policy: any ScalingPolicy, file: String) throws(ScenarioError) {
        if let request = policy.signals.first {
            throw ScenarioError(file: file, line: 1, path: "", message: "the policy reads the signal `\(request.signal.rawValue)`, which a "
                + "Prometheus export does not hold; replay it on Headroom's `time,ready,…` CSV, or write its metric as a PromQL query")
        }
        guard !policy.queries.isEmpty else {
            throw ScenarioError(file: file, line: 1, path: "", message: "the policy reads no PromQL query, so a Prometheus export gives it nothing")
        }
    }

    /// Ready replicas at `time`: kube-state-metrics' `kube_deployment_status_replicas_ready` when the
    /// export has it, else the pods with a sample in the last two scrape intervals.
    static func ready(in export: PrometheusExport, at time: Int64) -> Int {
        let evaluator = PromQLEvaluator(store: export.store)
        if case let .vector(samples)? = try? evaluator.evaluate(.selector(PromQLSelector(name: "kube_deployment_status_replicas_ready", matchers: [])),
                                                               at: time), let first = samples.first {
            return Int(first.value.rounded())
        }
        var pods = Set<String>()
        for id in export.store.candidates(named: nil) {
            guard let pod = export.store.labels(id)["pod"], !export.store.samples(id, after: time - 2 * export.interval, through: time).isEmpty
            else { continue }
            pods.insert(pod)
        }
        return pods.count
    }

    /// Runs `policy` over the export, asking it at its sync period (or every scrape interval).
    public static func run(_ policy: any ScalingPolicy, export: PrometheusExport) -> [Step] {
        var policy = policy
        let period = policy.syncPeriod.map { $0.nanoseconds / 1_000_000 } ?? export.interval
        let evaluator = PromQLEvaluator(store: export.store)
        var steps: [Step] = []
        var tick: Int64 = 0
        while tick <= export.end {
            let results = policy.queries.map { query in Result { () throws(PromQLError) in try evaluator.evaluate(query.expression, at: tick) } }
            let ready = Self.ready(in: export, at: tick)
            let observation = ScalingObservation(replicas: ReplicaCounts(ready: ready), activatorQueue: 0, queryResults: results)
            let now = SimTime(nanoseconds: tick * 1_000_000)
            let decision = policy.decide(observation, at: now)
            steps.append(Step(time: now, ready: ready, desired: decision.desiredReplicas, reason: decision.reason))
            tick += max(1, period)
        }
        return steps
    }
}
