import HeadroomEngine

/// Knative's Pod Autoscaler: the decider's `Scale` every 2 s tick over 60 s stable and 6 s panic
/// window averages of the revision's total concurrency (or RPS), followed by the PodAutoscaler
/// reconciler's bounds and scale-to-zero. Sources: knative/serving
/// `pkg/autoscaler/scaling/autoscaler.go` (decider) and `pkg/reconciler/autoscaling/kpa/scaler.go`.
///
/// Headroom scrapes every ready pod (Knative samples a subset and extrapolates, which only adds
/// noise here). Requests buffered in the activator are recorded beside the pods' values, as the
/// activator reports them; a request reaching a revision at zero pokes the decider at once.
public struct KnativePodAutoscaler: ScalingPolicy, Equatable {
    public var spec: KPASpec
    public let signals: [SignalRequest]

    private var stable: WindowAverage
    private var panic: WindowAverage
    private var delay: MaxWindow
    private var panicking = false
    private var panicTime = SimTime.zero
    private var maxPanicPods = 0
    private var initialized = false
    private var reachedInitialScale = false
    private var active = false
    private var activeSince = SimTime.zero
    private var inactiveSince: SimTime?
    /// The decider's last valid desired scale (`decider.Status.DesiredScale`); `nil` before any.
    private var lastWanted: Int?
    /// The decider's last excess burst capacity (`decider.Status.ExcessBurstCapacity`).
    private(set) var excessBurstCapacity = 0.0

    public init(spec: KPASpec) {
        self.spec = spec
        signals = [SignalRequest(spec.metric == .concurrency ? .concurrency : .requestsPerSecond, spec.pipeline)]
        stable = WindowAverage(window: spec.stableWindow)
        panic = WindowAverage(window: spec.panicWindow)
        delay = MaxWindow(delay: spec.scaleDownDelay)
    }

    public var syncPeriod: SimTime? { spec.tickInterval }
    /// A revision is created at `initial-scale` and waits for it to be ready.
    public var startsWarm: Bool { true }
    public var evaluatesOnFirstRequest: Bool { true }

    public mutating func decide(_ observation: ScalingObservation, at now: SimTime) -> ScalingDecision {
        let ready = observation.replicas.ready
        // The collector records a scrape when it arrives (`collection.record(clock.Now(), stat)`):
        // the sample's time plus the pipeline's lag, in arrival order.
        for reading in observation.readings.first ?? [] where !reading.values.isEmpty || reading.activator > 0 {
            let value = reading.total + reading.activator
            stable.record(value, at: reading.sampledAt + spec.pipeline.lag)
            panic.record(value, at: reading.sampledAt + spec.pipeline.lag)
        }
        if !initialized {
            initialized = true
            // A decider created with more than one ready pod starts in panic mode.
            panicking = ready > 1
            maxPanicPods = ready
            if panicking { panicTime = now }
            excessBurstCapacity = excess(ready: ready, panic: 0)
            var decision = ScalingDecision(desiredReplicas: spec.initialScale, reason: "revision created at initial-scale \(spec.initialScale)")
            decision.excessBurstCapacity = excessBurstCapacity
            return decision
        }
        if observation.isFirstRequestPoke {
            // The activator's immediate stat for the first request of a period.
            stable.record(Double(observation.activatorQueue), at: now)
            panic.record(Double(observation.activatorQueue), at: now)
        }
        var decision: ScalingDecision
        if stable.isEmpty(at: now) {
            // `ErrNoData` (or a failed scrape): the decider returns an invalid result and the
            // PodAutoscaler keeps the scale it last wanted; before any, nothing is collected yet.
            if let wanted = lastWanted {
                decision = bound(wanted, current: observation.replicas, at: now,
                                 reason: "no data for a stable window: keeping the last desired scale \(wanted)")
            } else {
                decision = ScalingDecision(desiredReplicas: observation.replicas.active, reason: "metrics are not yet being collected")
            }
        } else {
            let observedStable = stable.average(at: now), observedPanic = panic.average(at: now)
            let (desired, reason) = scale(stable: observedStable, panic: observedPanic, ready: ready, at: now)
            lastWanted = desired
            decision = bound(desired, current: observation.replicas, at: now, reason: reason)
        }
        decision.excessBurstCapacity = excessBurstCapacity
        return decision
    }

    /// Whether the revision receives traffic at `now` (`pa.Spec.Reachability`).
    func reachable(at now: SimTime) -> Bool {
        guard let from = spec.unreachableFrom else { return true }
        return now < from
    }

    /// `TotCapacity − TargetBurstCapacity − panic value`, floored; 0 when the TBC is 0, −1 when it is −1.
    func excess(ready: Int, panic observedPanic: Double) -> Double {
        let tbc = spec.targetBurstCapacity
        return tbc == 0 ? 0 : tbc < 0 ? -1 : (Double(ready) * spec.totalValue - tbc - observedPanic).rounded(.down)
    }

    /// The decider (`autoscaler.go Scale`).
    mutating func scale(stable observedStable: Double, panic observedPanic: Double, ready readyPods: Int, at now: SimTime)
        -> (Int, String) {
        let target = spec.targetValue
        let pods = Double(max(1, readyPods))
        let maxUp = Int((spec.maxScaleUpRate * pods).rounded(.up))
        let maxDown = Int((pods / spec.maxScaleDownRate).rounded(.down))
        let dStable = Int((observedStable / target).rounded(.up)), dPanic = Int((observedPanic / target).rounded(.up))
        var stableDesired = min(max(dStable, maxDown), maxUp)
        var panicDesired = min(max(dPanic, maxDown), maxUp)
        if spec.activationScale > 1 {
            if dStable > 0 { stableDesired = max(stableDesired, spec.activationScale) }
            if dPanic > 0 { panicDesired = max(panicDesired, spec.activationScale) }
        }
        let over = Double(dPanic) / pods >= spec.panicThresholdPercentage / 100
        if !panicking && over {
            panicking = true
            panicTime = now
        } else if over {
            panicTime = now
        } else if panicking && panicTime + spec.stableWindow < now {
            panicking = false
            maxPanicPods = 0
        }
        var desired = stableDesired
        var reason = "stable: \(fixed(observedStable, 2)) over \(spec.stableWindow) → \(stableDesired) (target \(fixed(target, 2)) per pod)"
        if panicking {
            desired = max(stableDesired, panicDesired)
            maxPanicPods = max(maxPanicPods, desired)
            desired = maxPanicPods
            reason = "panic: \(spec.panicWindow) average \(fixed(observedPanic, 2)) is \(fixed(observedPanic / target / pods, 1))× "
                + "target on \(readyPods) pods → \(desired)"
        }
        if spec.scaleDownDelay > .zero {
            let held = delay.record(desired, at: now)
            if held > desired { reason += "; held at \(held) by scale-down-delay \(spec.scaleDownDelay)" }
            desired = held
        }
        // Excess burst capacity: negative puts the activator in the request path (recorded on the
        // decision; Headroom routes through the router either way).
        let excess = excess(ready: readyPods, panic: observedPanic)
        excessBurstCapacity = excess
        if excess < 0 { reason += "; activator in path (excess burst capacity \(fixed(excess, 0)))" }
        return (desired, reason)
    }

    /// The PodAutoscaler reconciler: min/max/initial scale and scale to zero (`kpa/scaler.go`).
    /// An unreachable revision has no min-scale, does not hold its initial scale and keeps no last
    /// pod (`ScaleBounds`, `lastPodRetention`).
    mutating func bound(_ wanted: Int, current: ReplicaCounts, at now: SimTime, reason: String) -> ScalingDecision {
        let reachable = reachable(at: now)
        let floor = reachable ? spec.minScale : 0
        var minScale = floor
        if current.ready >= spec.initialScale { reachedInitialScale = true }
        if !reachedInitialScale && reachable { minScale = max(minScale, spec.initialScale) }
        var desired = max(wanted, minScale)
        if spec.maxScale > 0 { desired = min(desired, spec.maxScale) }
        var note = reason
        if desired > 0 {
            if !active && current.ready >= max(floor, 1) {
                active = true
                activeSince = now
            }
            inactiveSince = nil
            return ScalingDecision(desiredReplicas: desired, reason: note)
        }
        let holding = max(current.active, 1)
        if !spec.enableScaleToZero { return ScalingDecision(desiredReplicas: 1, reason: note + "; scale to zero disabled") }
        if active {
            if now - activeSince < spec.stableWindow {
                return ScalingDecision(desiredReplicas: 1, reason: note + "; active less than a stable window, holding 1")
            }
            active = false
            inactiveSince = now
            return ScalingDecision(desiredReplicas: holding, reason: note + "; marked inactive, grace period starts")
        }
        let since = inactiveSince ?? now
        if inactiveSince == nil { inactiveSince = now }
        let grace = max(spec.scaleToZeroGracePeriod, reachable ? spec.scaleToZeroPodRetention : .zero)
        if current.active > 0 && now - since < grace {
            note += "; inactive \(now - since), scale to zero after \(grace)"
            return ScalingDecision(desiredReplicas: holding, reason: note)
        }
        return ScalingDecision(desiredReplicas: 0, reason: note + (current.active > 0 ? "; scaled to zero" : ""))
    }
}
