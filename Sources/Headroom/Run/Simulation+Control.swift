import HeadroomEngine

/// The autoscalers' loops: observe, ask the policy, apply — one per deployment.
extension Simulation {
    /// Evaluates deployment `d`'s policy: on its periodic tick, or at once for a first request at zero.
    mutating func evaluatePolicy(_ d: Int, at now: SimTime, periodic: Bool, queue: inout EventQueue<SimulationEvent>) {
        if !periodic { deployments[d].pokePending = false }
        let counts = replicaCounts(d)
        let observation = ScalingObservation(
            replicas: counts, activatorQueue: deployments[deployments[d].traffic].activator.count, readings: deployments[d].sampler.deliver(at: now),
            isFirstRequestPoke: !periodic, unavailable: deployments[d].sampler.unavailable(at: now),
            queryResults: evaluateQueries(d, at: now))
        let decision = deployments[d].controller.evaluate(observation, at: now)
        let policy = deployments[d].controller.policy
        // Only the first periodic evaluation (at time zero) places a warm fleet; a scale-up at
        // time zero for a request arriving then is a cold start like any other.
        let warm = (periodic && !deployments[d].initialFleetPlaced && policy.startsWarm) || policy.startsInstantly
        if periodic { deployments[d].initialFleetPlaced = true }
        apply(d, desired: max(0, decision.desiredReplicas), current: counts.active, warm: warm, at: now, queue: &queue)
        if periodic, let period = policy.syncPeriod, period > .zero {
            schedule(event(.policyTick, Int32(d)), at: now + period, queue: &queue)
        }
    }

    /// Asks for an immediate evaluation when a request of deployment `d`'s traffic reaches a fleet
    /// scaled to zero: of each deployment serving it whose policy does that.
    mutating func pokeIfScaledToZero(_ d: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        for m in deployments[d].trafficMembers {
            guard deployments[m].controller.policy.evaluatesOnFirstRequest, deployments[m].controller.desiredReplicas == 0,
                  !deployments[m].pokePending else { continue }
            deployments[m].pokePending = true
            schedule(event(.policyTick, Int32(m), 1), at: now, queue: &queue)
        }
    }

    /// Takes a pipeline's snapshot of deployment `d`'s ready replicas' counters (and its activator's).
    mutating func snapshotSignals(_ pipeline: Int32, of d: Int, scrape: Bool, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let ready = deployments[d].readyReplicas
        // A run's unreported tokens and iterations matter to the CPU signal only: the others
        // leave each replica's engine untouched (one cache miss less per replica per scrape).
        let readsProgress = deployments[d].sampler.requests[Int(pipeline)].signal.readsProgress
        var snapshot: [ReplicaCounters] = []
        snapshot.reserveCapacity(ready.count)
        for replica in ready {
            let r = replicaSlot(replica)
            var taken = counters[r].snapshot(at: now)
            if readsProgress {
                let progress = engines[r].unreportedProgress(at: now)
                taken.iterations &+= progress.iterations
                taken.outputTokens &+= progress.tokens
            }
            snapshot.append(taken)
        }
        let activator = deployments[deployments[d].traffic].activatorCounters.snapshot(at: now)
        deployments[d].sampler.record(Int(pipeline), scrape: scrape, at: now, replicas: ready, counters: snapshot, activator: activator)
        if scrape { scheduleSnapshots(Int(pipeline), of: d, after: now, queue: &queue) }
    }

    mutating func scheduleSnapshots(_ pipeline: Int, of d: Int, after now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let next = deployments[d].sampler.nextInstants(pipeline, after: now)
        if let start = next.windowStart { schedule(event(.signalSnapshot, Int32(pipeline), UInt32(d) << 1), at: start, queue: &queue) }
        schedule(event(.signalSnapshot, Int32(pipeline), UInt32(d) << 1 | 1), at: next.scrape, queue: &queue)
    }

    /// Creates replicas up to `desired`, or removes the least advanced ones first (pending, then
    /// starting, then ready; newest first within each), as a ReplicaSet scales down. Each pass
    /// walks back from the newest and stops once its stage has no replica left (the kept counts
    /// say so), so a fleet with no pending or starting replica is not walked at all.
    mutating func apply(_ d: Int, desired: Int, current: Int, warm: Bool, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        if desired > current {
            for _ in current..<desired { createReplica(d, warm: warm, at: now, queue: &queue) }
        } else if desired < current {
            var excess = current - desired
            for wanted in ScaleDownClass.allCases where excess > 0 {
                // (Removing can start pending replicas on the freed GPUs; one the walk passed
                // already is counted but not revisited, so the count only ever stops it late.)
                for replica in deployments[d].liveReplicas.reversed() {
                    guard excess > 0, wanted.count(in: deployments[d].stageCounts) > 0 else { break }
                    guard wanted.contains(replicas[replicaSlot(replica)].stage) else { continue }
                    remove(replica, at: now, queue: &queue)
                    excess -= 1
                }
            }
        }
    }

    /// Closes the books at the horizon: requests past a timeout are dropped, GPU time integrated,
    /// nodes billed.
    mutating func finish(at horizon: SimTime, events: Int) -> RunResult {
        for d in deployments.indices {
            let timeout = deployments[d].router.activatorTimeout
            while let head = deployments[d].activator.first, horizon - requests[head].arrival > timeout {
                deployments[d].activator.removeFirst()
                drop(head, of: d, .activatorTimeout, at: horizon)
            }
        }
        for replica in liveReplicaIDs {  // (a gone replica holds no request)
            let r = replicaSlot(replica), d = owner(replica)
            for id in engines[r].removeExpired(before: horizon, requests: requests) { drop(id, of: d, .queueTimeout, at: horizon) }
            loadChanged(replica)
        }
        // Starts still under way get their record too, so every start that began is accounted for.
        for d in deployments.indices {
            for replica in deployments[d].liveReplicas { stopColdStart(replica, .unfinished, at: horizon) }
        }
        gpuTime.advance(to: horizon)
        for d in deployments.indices {
            for pool in deployments[d].held.indices { deployments[d].held[pool].advance(to: horizon) }
        }
        return result(horizon: horizon, events: events)
    }
}
