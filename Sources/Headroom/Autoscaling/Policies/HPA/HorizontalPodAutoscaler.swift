import HeadroomEngine

/// Kubernetes' HorizontalPodAutoscaler (autoscaling/v2), as kube-controller-manager runs it every
/// sync period: a proposal per metric (`HPAReplicaCalculator`), the maximum over valid metrics,
/// then the legacy or behavior normalization (`HPANormalizer`). Source:
/// kubernetes/kubernetes `pkg/controller/podautoscaler/horizontal.go` (`reconcileAutoscaler`).
///
/// Pods map to replicas as follows: a replica without a node or pulling its image is a Pending pod;
/// one loading weights or warming up is Running but not Ready (and reports nothing); a ready
/// replica reports once it has a full metric window; a draining one is terminating (ignored).
public struct HorizontalPodAutoscaler: ScalingPolicy, Equatable {
    public var spec: HPASpec
    public var settings: HPAControllerSettings
    /// The Deployment exists with max(minReplicas, 1) ready replicas when the run starts.
    public var warmStart: Bool
    public let signals: [SignalRequest]
    public let queries: [PromQLQuery]
    private var normalizer = HPANormalizer()
    private var latest: [SignalReading?]

    public init(spec: HPASpec, settings: HPAControllerSettings = HPAControllerSettings(), warmStart: Bool = true) {
        self.spec = spec
        self.settings = settings
        self.warmStart = warmStart
        var unique: [Signal] = []
        for metric in spec.metrics where metric.query == nil && !unique.contains(metric.signal) { unique.append(metric.signal) }
        signals = unique.map { SignalRequest($0, settings.pipeline(for: $0)) }
        latest = Array(repeating: nil, count: unique.count)
        var queries: [PromQLQuery] = []
        for metric in spec.metrics { if let q = metric.query?.query, !queries.contains(q) { queries.append(q) } }
        self.queries = queries
    }

    public var prometheus: PrometheusScrapeConfig? { PromQLQuery.scrapeConfig(for: queries, base: settings.prometheus) }

    public var syncPeriod: SimTime? { settings.syncPeriod }
    public var startsWarm: Bool { warmStart }

    public mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        decide(observation, at: now, fallbackTotals: [])
    }

    /// A reconcile in which an External metric's value may be replaced for this sync only
    /// (`fallbackTotals[metric index]`, PromQL or signal): KEDA's metrics adapter serving its `fallback`.
    mutating func decide(_ observation: ScalingObservation, at now: SimTime, fallbackTotals: [Double?]) -> ScalingDecision {
        for (index, readings) in observation.readings.enumerated() where !readings.isEmpty { latest[index] = readings.last }
        var current = observation.replicas.active
        var created = ""
        if !normalizer.initialized {
            // A run starts with the Deployment's own replicas (not an HPA decision); the HPA's first
            // reconcile then seeds its history with that count and goes on as every later one does:
            // bounds, metrics and normalization (`reconcileAutoscaler`, `recordInitialRecommendation`).
            if current == 0 {
                current = max(spec.minReplicas, 1)
                created = "Deployment starts with \(current) replicas; "
            }
            normalizer.seed(current: current, at: now)
        }
        if current == 0 && spec.minReplicas != 0 {
            return ScalingDecision(desiredReplicas: 0, reason: created + "ScalingDisabled: 0 replicas and minReplicas is \(spec.minReplicas)")
        }
        if current > spec.maxReplicas { return ScalingDecision(desiredReplicas: spec.maxReplicas, reason: created + "above maxReplicas") }
        if current < spec.minReplicas { return ScalingDecision(desiredReplicas: spec.minReplicas, reason: created + "below minReplicas") }

        var proposal = Int.min
        var invalid = 0
        var notes: [String] = []
        for (m, metric) in spec.metrics.enumerated() {
            let reading: SignalReading?
            var failure = "no metrics"
            let fallback = m < fallbackTotals.count ? fallbackTotals[m] : nil
            if let fallback {
                reading = SignalReading(signal: metric.signal, sampledAt: now, values: [fallback])
            } else if let query = metric.query {
                let outcome = queries.firstIndex(of: query.query).flatMap { observation.queryResults.indices.contains($0) ? observation.queryResults[$0] : nil }
                switch query.values(outcome) {
                case let .success(values): reading = SignalReading(signal: metric.signal, sampledAt: now, values: values)
                case let .failure(error):
                    reading = nil
                    failure = error.description
                }
            } else {
                let index = signals.firstIndex { $0.signal == metric.signal }!
                if observation.isUnavailable(index) {
                    // The metrics API answers with an error: this metric is invalid this cycle.
                    invalid += 1
                    notes.append("\(metric.signal.rawValue): FailedGet\(metric.source.rawValue)Metric (metrics unavailable)")
                    continue
                }
                reading = latest[index]
            }
            guard let reading, let (replicas, note) = propose(metric, reading, replicas: observation.replicas, activator: reading.activator)
            else {
                invalid += 1
                notes.append("\(metric.name): \(failure)")
                continue
            }
            notes.append(note + " → \(replicas)")
            proposal = max(proposal, replicas)
        }
        let metricsNote = notes.joined(separator: ", ")
        if invalid == spec.metrics.count {
            return ScalingDecision(desiredReplicas: current, reason: created + "ScalingActive=False FailedGetMetrics: \(metricsNote); keeping \(current)")
        }
        if invalid > 0 && proposal < current {
            return ScalingDecision(desiredReplicas: current, reason: "some metrics missing, no scale-down: \(metricsNote)")
        }
        let normalized = if let behavior = spec.behavior {
            normalizer.withBehavior(proposal: proposal, current: current, min: spec.minReplicas, max: spec.maxReplicas,
                                    behavior: behavior, defaultDownWindow: settings.downscaleStabilization, at: now)
        } else {
            normalizer.legacy(proposal: proposal, current: current, min: spec.minReplicas, max: spec.maxReplicas,
                              window: settings.downscaleStabilization, at: now)
        }
        if let behavior = spec.behavior { normalizer.recordScale(from: current, to: normalized.replicas, behavior: behavior, at: now) }
        return ScalingDecision(desiredReplicas: normalized.replicas, reason: created + "\(metricsNote); \(normalized.reason)")
    }

    /// One metric's proposal and a note of what it saw, or `nil` when it has no data.
    private func propose(_ metric: HPAMetric, _ reading: SignalReading, replicas: ReplicaCounts, activator: Double)
        -> (Int, String)? {
        let tolerance = HPAReplicaCalculator.Tolerance(
            down: spec.behavior?.scaleDown.tolerance ?? settings.tolerance, up: spec.behavior?.scaleUp.tolerance ?? settings.tolerance)
        let name = metric.name
        switch (metric.source, metric.target) {
        case (.resource, _), (.pods, _):
            let request = metric.signal == .cpu && metric.query == nil ? Self.milli(settings.cpuRequestCores) : 0
            let ready = reading.values.map { HPAReplicaCalculator.PodSample(value: Self.milli($0), request: request) }
            let silent = max(0, replicas.ready - reading.values.count)
            let idle = HPAReplicaCalculator.PodSample(value: 0, request: request)
            // CPU treats pods that were never ready, or have no full window since, as unready; other
            // metrics only skip Pending pods and count Running ones without samples as missing.
            let (unready, missing) = metric.signal == .cpu && metric.query == nil
                ? (replicas.pending + replicas.starting + silent, 0)
                : (replicas.pending + replicas.starting - replicas.loading, replicas.loading + silent)
            let target: HPAReplicaCalculator.PodTarget
            var note: String
            switch metric.target {
            case let .utilization(percent):
                target = .utilization(percent)
                let usage = ready.reduce(Int64(0)) { $0 + $1.value }, requested = ready.reduce(Int64(0)) { $0 + $1.request }
                note = "\(name) \(usage * 100 / max(1, requested))% of request (target \(percent)%)"
            case let .averageValue(milli), let .value(milli):
                target = .averageValue(milli)
                note = "\(name) \(Self.format(ready.reduce(Int64(0)) { $0 + $1.value } / Int64(max(1, ready.count)))) per pod "
                    + "(target \(Self.format(milli)))"
            }
            guard let proposal = HPAReplicaCalculator.podReplicas(
                current: replicas.active, ready: ready, unready: Array(repeating: idle, count: unready),
                missing: Array(repeating: idle, count: missing), target: target, tolerance: tolerance) else { return nil }
            if unready + missing > 0 { note += " [\(unready) unready, \(missing) missing]" }
            return (proposal, note)
        case (.object, let .value(milli)), (.external, let .value(milli)):
            let total = Self.milli(reading.total + activator)
            let proposal = HPAReplicaCalculator.valueReplicas(
                current: replicas.active, readyPods: replicas.ready, total: total, target: milli, tolerance: tolerance)
            return (proposal, "\(name) total \(Self.format(total)) (target \(Self.format(milli)))")
        case (.object, let .averageValue(milli)), (.external, let .averageValue(milli)):
            let total = Self.milli(reading.total + activator)
            let proposal = HPAReplicaCalculator.averageValueReplicas(
                statusReplicas: replicas.active, total: total, targetPerPod: milli, tolerance: tolerance)
            return (proposal, "\(name) total \(Self.format(total)) (target \(Self.format(milli)) per pod)")
        case (.object, .utilization), (.external, .utilization):
            return nil
        }
    }

    static func milli(_ value: Double) -> Int64 { Int64((value * 1000).rounded()) }

    static func format(_ milli: Int64) -> String {
        milli % 1000 == 0 ? "\(milli / 1000)" : "\(milli)m"
    }
}
