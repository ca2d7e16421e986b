import Foundation
import HeadroomEngine

/// Injected replica failures (`faults:` `replica_crash` / `pod_failure`): a container that exits
/// while it warms up or serves. Kubernetes restarts a Deployment's container in place after the
/// kubelet's CrashLoopBackOff delay; a pod that ends Failed is ignored by the HPA and replaced by
/// its ReplicaSet. Nothing here runs unless the scenario injects failures.
extension Simulation {
    /// The kubelet's container back-off (kubernetes/kubernetes `pkg/kubelet/kubelet.go`
    /// `backOffPeriod`, `MaxContainerBackOff`; client-go `util/flowcontrol/backoff.go`): 10 s,
    /// doubling per crash up to 5 minutes, back to 10 s once a crash comes more than twice the
    /// maximum (10 minutes) after the previous one.
    static let crashBackOffInitial = SimTime.seconds(10)
    static let crashBackOffMax = SimTime.seconds(300)

    /// The back-off before the container that crashed at `now` restarts; updates its state.
    mutating func crashBackOff(_ replica: Int32, at now: SimTime) -> SimTime {
        let r = replicaSlot(replica)
        if let last = replicas[r].lastCrash, now - last <= Self.crashBackOffMax + Self.crashBackOffMax {
            replicas[r].backOff = min(replicas[r].backOff + replicas[r].backOff, Self.crashBackOffMax)
        } else {
            replicas[r].backOff = Self.crashBackOffInitial
        }
        replicas[r].lastCrash = now
        return replicas[r].backOff
    }

    /// A replica entered `phase`: draws, for each failure with a rate in that phase, when it fails.
    mutating func armFaults(_ replica: Int32, _ phase: ReplicaFailure.Phase, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let failures = scenario.faults.replicaFailures
        guard !failures.isEmpty else { return }
        let r = replicaSlot(replica)
        replicas[r].faultEpoch &+= 1
        for (index, failure) in failures.enumerated() where failure.phase == phase && failure.ratePerHour > 0 {
            let delay = -log(1 - faultRandom.nextUnit()) / failure.ratePerHour * 3600
            guard delay.isFinite, delay < scenario.duration.seconds else { continue }
            let generation = (replicas[r].faultEpoch & 0x0FFF_FFFF) << 4 | UInt32(index)
            schedule(event(.replicaFault, replica, generation), at: now + .seconds(delay), queue: &queue)
        }
    }

    mutating func scheduleScriptedFaults(queue: inout EventQueue<SimulationEvent>) {
        for (index, failure) in scenario.faults.replicaFailures.enumerated() {
            for (position, time) in failure.at.enumerated() where time <= scenario.duration {
                schedule(event(.scriptedFault, Int32(index), UInt32(position)), at: time, queue: &queue)
            }
        }
    }

    /// Whether `replica` is in `phase` now: its container loads or warms up, or it serves.
    func isIn(_ phase: ReplicaFailure.Phase, _ replica: Int32) -> Bool {
        let state = replicas[replicaSlot(replica)]
        switch phase {
        case .serving: return state.stage == .ready
        case .warming: return (state.stage == .loadingWeights || state.stage == .warmingUp) && !state.backingOff
        }
    }

    mutating func drawnFaultFired(replica: Int32, generation: UInt32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let failure = scenario.faults.replicaFailures[Int(generation & 0xF)]
        guard let r = replicaSlots.slotIfPresent(replica), generation >> 4 == replicas[r].faultEpoch & 0x0FFF_FFFF,
              isIn(failure.phase, replica) else { return }
        fail(replica, failure.kind, at: now, queue: &queue)
    }

    /// A scripted failure strikes the oldest replica in its phase, if there is one.
    mutating func scriptedFaultFired(_ index: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let failure = scenario.faults.replicaFailures[Int(index)]
        let oldest = deployments.compactMap { $0.liveReplicas.first { isIn(failure.phase, $0) } }.min()
        guard let replica = oldest else { return }
        fail(replica, failure.kind, at: now, queue: &queue)
    }

    /// The container exits: its requests fail; it restarts after the back-off, or its pod fails
    /// and the ReplicaSet creates another.
    mutating func fail(_ replica: Int32, _ kind: ReplicaFailure.Kind, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica), d = owner(replica)
        replicas[r].faultEpoch &+= 1
        deployments[d].metrics.replicaFailures += 1
        if replicas[r].stage == .ready {
            abandonRequests(replica, at: now)
            leaveRouting(replica)
        } else if replicas[r].transfer >= 0 {
            cancelTransfer(replicas[r].transfer, at: now, queue: &queue)
            replicas[r].transfer = -1
        }
        replicas[r].awaitingNode = false
        switch kind {
        case .podFailure:
            stopColdStart(replica, .cancelled, at: now)
            retire(replica, at: now, queue: &queue)
            createReplica(d, warm: deployments[d].controller.policy.startsInstantly, at: now, queue: &queue)
        case .replicaCrash:
            if replicas[r].stage == .ready {
                moveGPUs(of: replica, from: replicas[r].serving ? .serving : .idle, to: .starting, at: now)
                replicas[r].serving = false
            }
            let delay = crashBackOff(replica, at: now)
            enter(.loadingWeights, replica, at: now)
            replicas[r].backingOff = true
            endStage(of: replica, after: delay, at: now, queue: &queue)
        }
    }

    /// Fails every request queued or running on `replica` and gives it an empty engine.
    private mutating func abandonRequests(_ replica: Int32, at now: SimTime) {
        let r = replicaSlot(replica), d = owner(replica)
        for id in engines[r].abandonAll() { drop(id, of: d, .replicaFailed, at: now) }
        loadChanged(replica)
        if deployments[d].tracksSignals { counters[r].update(outstanding: 0, busy: false, at: now) }
    }
}

extension ReplicaEngine {
    /// Empties the engine as a crashed server loses its state: returns the requests it held
    /// (queued, prefilling, decoding) and starts over, keeping its counts; its planned run's end
    /// becomes stale.
    mutating func abandonAll() -> [Int32] {
        var ids = Array(waiting)
        ids += prefilling.map(\.id)
        ids += decodingSlots.filter { $0.ticket != RunningSequence.freeTicket }.map(\.id)
        var fresh = ReplicaEngine(limits: limits, model: model, kvCapacity: kvCapacity, collapsesDecodeRuns: collapsesDecodeRuns, queueTimeout: queueTimeout)
        fresh.preemptions = preemptions
        (fresh.prefixQueriedTokens, fresh.prefixHitTokens) = (prefixQueriedTokens, prefixHitTokens)
        (fresh.handoffWaits, fresh.handoffWaitNanoseconds) = (handoffWaits, handoffWaitNanoseconds)
        fresh.generation = generation &+ 1
        self = fresh
        return ids
    }
}
