import HeadroomEngine

/// The autoscaler's loop: observe, ask the policy, apply.
extension Simulation {
    var replicaCounts: ReplicaCounts {
        var counts = ReplicaCounts()
        for id in liveReplicas {
            switch replicas[Int(id)].stage {
            case .pending: counts.pending += 1
            case .pullingImage: counts.starting += 1
            case .loadingWeights, .warmingUp:
                counts.starting += 1
                counts.loading += 1
            case .ready: counts.ready += 1
            case .draining: counts.draining += 1
            case .gone: break
            }
        }
        return counts
    }

    /// Evaluates the policy: on its periodic tick, or at once for a first request at zero.
    mutating func evaluatePolicy(at now: SimTime, periodic: Bool, queue: inout EventQueue<SimulationEvent>) {
        if !periodic { pokePending = false }
        let counts = replicaCounts
        let observation = ScalingObservation(
            replicas: counts, activatorQueue: activator.count, readings: sampler.deliver(at: now), isFirstRequestPoke: !periodic,
            unavailable: sampler.unavailable(at: now), queryResults: evaluateQueries(at: now))
        let decision = controller.evaluate(observation, at: now)
        // Only the first periodic evaluation (at time zero) places a warm fleet; a scale-up at
        // time zero for a request arriving then is a cold start like any other.
        let warm = (periodic && !initialFleetPlaced && controller.policy.startsWarm) || controller.policy.startsInstantly
        if periodic { initialFleetPlaced = true }
        apply(desired: max(0, decision.desiredReplicas), current: counts.active, warm: warm, at: now, queue: &queue)
        if periodic, let period = controller.policy.syncPeriod, period > .zero {
            schedule(event(.policyTick), at: now + period, queue: &queue)
        }
    }

    /// Asks for an immediate evaluation when a request reaches a fleet scaled to zero.
    mutating func pokeIfScaledToZero(at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard controller.policy.evaluatesOnFirstRequest, controller.desiredReplicas == 0, !pokePending else { return }
        pokePending = true
        schedule(event(.policyTick, 0, 1), at: now, queue: &queue)
    }

    /// Takes a pipeline's snapshot of the ready replicas' counters (and the activator's).
    mutating func snapshotSignals(_ pipeline: Int32, scrape: Bool, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let snapshot = readyReplicas.map { replica in
            var snapshot = counters[Int(replica)].snapshot(at: now)
            let progress = engines[Int(replica)].unreportedProgress(at: now, model: stepTime)
            snapshot.iterations &+= progress.iterations
            snapshot.outputTokens &+= progress.tokens
            return snapshot
        }
        sampler.record(Int(pipeline), scrape: scrape, at: now, replicas: readyReplicas, counters: snapshot,
                       activator: activatorCounters.snapshot(at: now))
        if scrape { scheduleSnapshots(Int(pipeline), after: now, queue: &queue) }
    }

    mutating func scheduleSnapshots(_ pipeline: Int, after now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let next = sampler.nextInstants(pipeline, after: now)
        if let start = next.windowStart { schedule(event(.signalSnapshot, Int32(pipeline), 0), at: start, queue: &queue) }
        schedule(event(.signalSnapshot, Int32(pipeline), 1), at: next.scrape, queue: &queue)
    }

    /// Creates replicas up to `desired`, or removes the least advanced ones first (pending, then
    /// starting, then ready; newest first within each), as a ReplicaSet scales down.
    private mutating func apply(desired: Int, current: Int, warm: Bool, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        if desired > current {
            for _ in current..<desired { createReplica(warm: warm, at: now, queue: &queue) }
        } else if desired < current {
            var excess = current - desired
            for wanted in [[ReplicaStage.pending], [.pullingImage, .loadingWeights, .warmingUp], [.ready]] where excess > 0 {
                for replica in liveReplicas.reversed() where excess > 0 && wanted.contains(replicas[Int(replica)].stage) {
                    remove(replica, at: now, queue: &queue)
                    excess -= 1
                }
            }
        }
    }

    /// Closes the books at the horizon: requests past a timeout are dropped, GPU time integrated,
    /// nodes billed.
    mutating func finish(at horizon: SimTime, events: Int) -> RunResult {
        while let head = activator.first, horizon - requests[head].arrival > scenario.router.activatorTimeout {
            activator.removeFirst()
            drop(head, .activatorTimeout, at: horizon)
        }
        for r in engines.indices {
            for id in engines[r].removeExpired(before: horizon, requests: requests) { drop(id, .queueTimeout, at: horizon) }
            router.loadChanged(Int32(r), outstanding: engines[r].outstanding)
        }
        // Starts still under way get their record too, so every start that began is accounted for.
        for replica in liveReplicas { stopColdStart(replica, .unfinished, at: horizon) }
        metrics.gpuTime.advance(to: horizon)
        return metrics.result(world: self, horizon: horizon, events: events)
    }
}
