import HeadroomEngine

/// The autoscaler's loop: observe, ask the policy, apply.
extension Simulation {
    var replicaCounts: ReplicaCounts {
        var counts = ReplicaCounts()
        for replica in replicas {
            switch replica.stage {
            case .pending: counts.pending += 1
            case .pullingImage, .loadingWeights, .warmingUp: counts.starting += 1
            case .ready: counts.ready += 1
            case .draining: counts.draining += 1
            case .gone: break
            }
        }
        return counts
    }

    mutating func evaluatePolicy(at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let counts = replicaCounts
        let decision = controller.evaluate(ScalingObservation(replicas: counts, activatorQueue: activator.count), at: now)
        apply(desired: max(0, decision.desiredReplicas), current: counts.active, at: now, queue: &queue)
        if let period = controller.policy.syncPeriod, period > .zero {
            schedule(event(.policyTick), at: now + period, queue: &queue)
        }
    }

    /// Creates replicas up to `desired`, or removes the least advanced ones first (pending, then
    /// starting, then ready; newest first within each), as a ReplicaSet scales down.
    private mutating func apply(desired: Int, current: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        if desired > current {
            let warm = now == .zero && controller.policy.startsWarm
            for _ in current..<desired { createReplica(warm: warm, at: now, queue: &queue) }
        } else if desired < current {
            var excess = current - desired
            for wanted in [[ReplicaStage.pending], [.pullingImage, .loadingWeights, .warmingUp], [.ready]] where excess > 0 {
                for r in replicas.indices.reversed() where excess > 0 && wanted.contains(replicas[r].stage) {
                    remove(Int32(r), at: now, queue: &queue)
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
        }
        metrics.gpuTime.advance(to: horizon)
        return metrics.result(world: self, horizon: horizon, events: events)
    }
}
