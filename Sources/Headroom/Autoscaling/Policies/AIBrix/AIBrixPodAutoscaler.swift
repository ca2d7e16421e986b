import HeadroomEngine

/// AIBrix's `PodAutoscaler` (vllm-project/aibrix `pkg/controller/podautoscaler/`, main
/// `e3e10f9e`): every 10 s resync, bounds first (`computeScaleDecision`), then per metric source
/// the pods' engine metric, its mean over the pods recorded into the stable and panic windows,
/// the KPA or APA algorithm, the largest count over the sources (`autoscaler.go`), the
/// stabilisation that keeps the minimum on scale-down, and the bounds again. The HPA strategy
/// delegates to Headroom's `HorizontalPodAutoscaler` built as `hpa_resources.go` builds it.
///
/// Pods map to replicas as follows: `currentReplicas` is the scale subresource's `spec.replicas`
/// (every replica but draining ones); a pod whose phase is not `Running` — waiting for a node or
/// pulling its image — is skipped (`GetMetricsFromPods`, `metrics/utils.go`); a running pod whose
/// server is not up yet (loading weights, warming) fails its scrape and is **recorded as 0**
/// (`metrics/fetcher.go`), so loading pods pull the mean down while pulling ones do not.
/// The metric comes through the simulated Prometheus scraping the pods every resync.
public struct AIBrixPodAutoscaler: ScalingPolicy, Equatable {
    public let spec: AIBrixSpec
    public let queries: [PromQLQuery]
    public let prometheus: PrometheusScrapeConfig?
    /// Per metric source, its query's index in `queries` (two sources may read one series).
    private let queryIndex: [Int]
    private var stable: [AIBrixTimeWindow]
    private var panic: [AIBrixTimeWindow]
    private var stabilizer: AIBrixStabilizer
    private var hpa: HorizontalPodAutoscaler?
    private var started = false

    /// `scrape` sets the Prometheus (its interval defaults to the resync: AIBrix scrapes each tick).
    public init(spec: AIBrixSpec, scrape: PrometheusScrapeConfig? = nil) {
        self.spec = spec
        var queries: [PromQLQuery] = []
        var index: [Int] = []
        for metric in spec.metrics {
            if let at = queries.firstIndex(of: metric.query) {
                index.append(at)
            } else {
                index.append(queries.count)
                queries.append(metric.query)
            }
        }
        queryIndex = index
        stable = spec.metrics.map { _ in AIBrixTimeWindow(duration: spec.stableWindow, resync: spec.resync) }
        panic = spec.metrics.map { _ in AIBrixTimeWindow(duration: spec.panicWindow, resync: spec.resync) }
        stabilizer = AIBrixStabilizer(upWindow: spec.scaleUpCooldown, downWindow: spec.scaleDownCooldown, resync: spec.resync)
        if spec.strategy == .hpa {
            let built = Self.horizontalPodAutoscaler(spec, scrape: scrape)
            hpa = built
            self.queries = built.queries
            prometheus = built.prometheus
        } else {
            hpa = nil
            self.queries = queries
            let base = scrape ?? PrometheusScrapeConfig(scrapeInterval: spec.resync)
            prometheus = PromQLQuery.scrapeConfig(for: queries, base: base)
        }
    }

    public var syncPeriod: SimTime? { hpa?.syncPeriod ?? spec.resync }
    /// KPA and APA fetch from the pods (`metrics/fetcher.go`); the HPA strategy goes through an adapter.
    public var scrapesPodsDirectly: Bool { hpa == nil }
    public var startsWarm: Bool { true }

    public mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        if var decision = hpa?.decide(observation, at: now) {
            decision.reason = "HPA strategy: " + decision.reason
            return decision
        }
        var current = observation.replicas.active
        if !started {
            started = true
            if current == 0 {
                // The Deployment exists with its own replicas before the PodAutoscaler's first tick.
                let initial = max(spec.minReplicas, 1)
                return ScalingDecision(desiredReplicas: initial, reason: "Deployment starts with \(initial) replicas")
            }
        }
        if current == 0 && spec.minReplicas != 0 {
            return ScalingDecision(desiredReplicas: 0, reason: "scaling disabled: current replicas is 0")
        }
        if current > spec.maxReplicas {
            return ScalingDecision(desiredReplicas: spec.maxReplicas, reason: "current replicas exceed maximum")
        }
        if current < spec.minReplicas {
            return ScalingDecision(desiredReplicas: spec.minReplicas, reason: "current replicas below minimum")
        }
        current = max(0, current)

        var best = Int.min
        var note = ""
        for (i, metric) in spec.metrics.enumerated() {
            let q = queryIndex[i]
            guard q < observation.queryResults.count, case let .success(.vector(samples)) = observation.queryResults[q] else {
                note += "\(metric.name): no metrics; "
                continue
            }
            var sum = 0.0, reported = 0
            for sample in samples where sample.labels["pod"] != nil && sample.value.isFinite {
                sum += sample.value
                reported += 1
            }
            let replicas = observation.replicas
            let zeros = max(0, replicas.ready + replicas.draining - reported) + replicas.loading
            let pods = reported + zeros
            let summed = spec.strategy == .kpa && spec.kpaVariant == .v04
            if pods > 0 {  // an empty snapshot records nothing (`UpdateMetrics`)
                let value = summed ? sum : sum / Double(pods)
                stable[i].record(value, at: now)
                panic[i].record(value, at: now)
            }
            let s = stable[i].average, p = panic[i].average
            let desired: Int
            var mode = ""
            if spec.strategy == .kpa {
                let result = AIBrixAlgorithm.kpa(stable: s, panic: p, target: metric.target, current: current, spec: spec)
                desired = result.replicas
                mode = result.panicking ? " panic" : " stable"
            } else {
                desired = AIBrixAlgorithm.apa(perPod: s, target: metric.target, current: current, spec: spec)
            }
            note += "\(metric.name) \(summed ? "total" : "per pod") stable \(fixed(s, 2)) panic \(fixed(p, 2))"
            note += " (target \(fixed(metric.target, 2)))"
            if zeros > 0 { note += " [\(zeros) of \(pods) pods scraped as 0]" }
            note += "\(mode) → \(desired); "
            best = max(best, desired)
        }
        guard best != Int.min else {
            return ScalingDecision(desiredReplicas: current, reason: note + "all metric sources failed; keeping \(current)")
        }
        let stabilized = stabilizer.stabilize(best, current: current, at: now)
        var desired = AIBrixAlgorithm.constrain(stabilized, spec)
        if stabilized != best {
            let window = best > current ? "max over scale-up cooldown" : "min over scale-down cooldown"
            note += "\(window) → \(stabilized); "
        }
        let notReady = min(current, max(0, current - observation.replicas.ready))
        if spec.pendingReplicaGuard && notReady > 0 && desired > current {
            note += "pending replica guard: \(notReady) of \(current) not ready, holding; "
            desired = current
        }
        return ScalingDecision(desiredReplicas: desired, reason: "\(spec.strategy.rawValue): " + note + "desired \(desired)")
    }
}
