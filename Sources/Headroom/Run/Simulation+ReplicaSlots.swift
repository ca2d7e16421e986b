import HeadroomEngine

/// Replica state in reusable slots (ReplicaSlots.swift): a new replica takes the slot of one gone
/// earlier, once what the results need from that one is in the `ReplicaLedger`.
extension Simulation {
    /// The slot of replica `id` (one that still has it).
    @inline(__always)
    func replicaSlot(_ id: Int32) -> Int { replicaSlots.slot(of: id) }

    /// The engines by replica id, as a router reads them.
    var slottedEngines: SlottedEngines { SlottedEngines(engines: engines, slotOfID: replicaSlots.slotOfID) }

    /// A new replica of deployment `d`, pending (its id: creation order). Its timers' generations
    /// go on from the slot's previous occupant's, so an event meant for that one never matches.
    mutating func newReplica(of d: Int, at now: SimTime) -> Int32 {
        let (id, slot, reused) = replicaSlots.add(at: now)
        deployments[d].liveReplicas.append(id)
        var replica = Replica(id: id, deployment: Int32(d), requestedAt: now)
        let spec = scenario.deployments[d]
        var engine = ReplicaEngine(
            limits: spec.replica.engine, model: stepTimes[deployments[d].stepTimeIndex[deployments[d].pools[0]]],
            kvCapacity: deployments[d].kvCapacity[deployments[d].pools[0]],
            collapsesDecodeRuns: options.collapsesDecodeRuns, queueTimeout: spec.router.queueTimeout)
        // (A closure, not a key path: `\.queriesPrometheus` would copy each DeploymentState.)
        let keepsEngineMetrics = deployments.contains(where: { $0.queriesPrometheus })
        let metrics = keepsEngineMetrics
            ? EngineMetricState(maxModelLen: deployments[d].prometheus?.maxModelLen ?? EngineMetric.defaultMaxModelLen) : nil
        guard reused else {
            replicas.append(replica)
            counters.append(CounterState(at: now))
            if let metrics { engineMetrics.append(metrics) }
            engines.append(engine)
            return id
        }
        let previous = replicas[slot]
        replicaLedger.fold(previous.id, of: Int(previous.deployment), engine: engines[slot])
        replicaSlots.evict(previous.id)
        replica.stageGeneration = previous.stageGeneration &+ 1
        replica.faultEpoch = previous.faultEpoch &+ 1
        engine.generation = engines[slot].generation &+ 1
        replicas[slot] = replica
        counters[slot] = CounterState(at: now)
        if let metrics { engineMetrics[slot] = metrics }
        engines[slot] = engine
        return id
    }

    /// A gone replica gives up its slot, unless KV caches are still on their way to it (a decode
    /// worker): the last to arrive releases it (`kvTransferDone`).
    mutating func releaseSlotIfIdle(_ replica: Int32, at now: SimTime) {
        guard replicas[replicaSlot(replica)].inboundKV == 0 else { return }
        replicaSlots.release(replica, at: now)
    }

    /// Replicas not gone, every deployment's, in id (creation) order.
    var liveReplicaIDs: [Int32] {
        deployments.count == 1 ? deployments[0].liveReplicas : deployments.flatMap(\.liveReplicas).sorted()
    }

    /// Preemptions on every replica of the run, by deployment.
    func preemptionsByDeployment() -> [Int] {
        var preemptions = replicaLedger.preemptions
        for slot in replicas.indices { preemptions[Int(replicas[slot].deployment)] += engines[slot].preemptions }
        return preemptions
    }

    /// Handed-off requests admitted by every decode worker of the run, and their time queued.
    func handoffWaits() -> (count: Int, nanoseconds: Int64) {
        engines.reduce((replicaLedger.handoffWaits, replicaLedger.handoffWaitNanoseconds)) {
            ($0.0 + $1.handoffWaits, $0.1 + $1.handoffWaitNanoseconds)
        }
    }

    /// Prompt tokens looked up in every replica's prefix cache so far, and those found.
    func prefixLookups() -> (queried: Int64, hit: Int64) {
        engines.reduce((replicaLedger.prefixQueriedTokens, replicaLedger.prefixHitTokens)) {
            ($0.0 + $1.prefixQueriedTokens, $0.1 + $1.prefixHitTokens)
        }
    }

    /// The KV capacity of replica `id`, which may be gone (from the ledger once its slot is reused).
    func kvCapacity(ofReplica id: Int32) -> Int64 {
        if let slot = replicaSlots.slotIfPresent(id) { return engines[slot].kvCapacity }
        return replicaLedger.kvCapacity[id] ?? ReplicaEngine.unlimitedKV
    }
}
