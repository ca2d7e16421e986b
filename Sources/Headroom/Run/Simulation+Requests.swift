import HeadroomEngine

extension Simulation {
    /// A request of deployment `d` arrives: it is refused if it can never run, else routed (or buffered).
    mutating func arrive(_ d: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard let (incoming, serial, next) = deployments[d].takeArrival() else { return }
        if let next, next <= scenario.duration {
            queue.setTimer(d, event(.arrival, Int32(d)), at: max(next, now), phase: 0)
        }
        let total = Int64(incoming.promptTokens + incoming.outputTokens)
        let chunkedPrefill = deployments[d].engineLimits.chunkedPrefill
        let maxBatchedTokens = deployments[d].engineLimits.maxNumBatchedTokens
        if let capacity = deployments[d].smallestKVCapacity, total > capacity {
            deployments[d].metrics.dropped(serial: serial, reason: .exceedsKVCache, at: now)
            return
        }
        if !chunkedPrefill && total > Int64(maxBatchedTokens) {
            deployments[d].metrics.dropped(serial: serial, reason: .exceedsBatchTokens, at: now)
            return
        }
        var slot = RequestSlot(
            arrival: now, promptTokens: Int32(incoming.promptTokens), outputTokens: Int32(incoming.outputTokens),
            prefillRemaining: Int32(incoming.promptTokens), serial: serial)
        if deployments[d].role == .prefill && incoming.outputTokens > 1 {
            // Its prefill worker makes the first token; a decode worker the rest.
            slot.stage = .prefill
            slot.fullOutputTokens = slot.outputTokens
            slot.outputTokens = 1
        }
        let id = requests.insert(slot)
        if incoming.session >= 0 || incoming.prefix.count > 0 {
            requests.setChain(id, session: incoming.session, endsSession: incoming.endsSession, prefix: incoming.prefix, hashes: deployments[d].source.hashes(of: incoming))
        }
        if let replica = pickReplica(d, for: id) {
            dispatch(id, to: replica, at: now, queue: &queue)
        } else if deployments[d].activator.count < deployments[d].router.activatorCapacity {
            deployments[d].activator.append(id)
            deployments[d].activatorCounters.count(arrivals: 1)
            deployments[d].activatorCounters.update(outstanding: deployments[d].activator.count, busy: false, at: now)
            pokeIfScaledToZero(d, at: now, queue: &queue)
        } else {
            drop(id, of: d, .activatorFull, at: now)
        }
    }

    /// The replica deployment `d`'s router sends request `id` to, or nil (none ready or with room).
    @inline(__always)
    private mutating func pickReplica(_ d: Int, for id: Int32) -> Int32? {
        guard deployments[d].routing.picksLeastLoaded else {
            return deployments[d].routing.pick(from: deployments[d].routable, engines: slottedEngines, request: id, requests: requests)
        }
        let replica = deployments[d].routing.leastLoaded()
        #if HEADROOM_INVARIANTS
        let picked = deployments[d].routing.pick(from: deployments[d].routable, engines: slottedEngines, request: id, requests: requests)
        precondition(replica == picked, "least-loaded pick \(String(describing: replica)) differs from the router's \(String(describing: picked))")
        #endif
        return replica
    }

    /// Hands a request to a replica's engine. (Inlined into the arrival, its usual caller.)
    @inline(__always)
    mutating func dispatch(_ id: Int32, to replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica), d = owner(slot: r)
        prefetchEngineBuffers(slot: r)
        outcome.clear()
        let end = engines[r].enqueue(id, at: now, requests: &requests, outcome: &outcome)
        afterEngineStep(replica, slot: r, of: d, end: end, arrivals: 1, at: now, queue: &queue)
    }

    /// The planned end of a replica's iteration (or decode run) has come.
    mutating func endIteration(replica: Int32, generation: UInt32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        prefetchFollowing(&queue)
        guard let r = replicaSlots.slotIfPresent(replica), engines[r].isBusy, engines[r].generation == generation else { return }
        prefetchEngineBuffers(slot: r)
        outcome.clear()
        let end = engines[r].finishRun(at: now, requests: &requests, outcome: &outcome)
        afterEngineStep(replica, slot: r, of: owner(slot: r), end: end, arrivals: 0, at: now, queue: &queue)
    }

    /// Records what an engine step finished or dropped, schedules its next boundary, and keeps the
    /// GPU ledger and the replica's lifecycle in step with its batch. (`r` and `d`: the replica's
    /// slot and deployment, which the caller has looked up already; `arrivals`: the requests the
    /// step took in, counted with the rest. The deployment's settings are read once, as every
    /// `deployments[d]` read after a mutating call is a fresh load and bounds check.)
    private mutating func afterEngineStep(
        _ replica: Int32, slot r: Int, of d: Int, end: SimTime?, arrivals: Int, at now: SimTime,
        queue: inout EventQueue<SimulationEvent>
    ) {
        let t = deployments[d].traffic, tracksSignals = deployments[d].tracksSignals
        let queriesPrometheus = deployments[d].queriesPrometheus, plainSteps = deployments[d].plainSteps
        if let end { queue.setTimer(stepTimer(slot: r), event(.replicaStep, replica, engines[r].generation), at: end, phase: 1) }
        prefetchNext(&queue)
        if queriesPrometheus { observeForPrometheus(r, at: now) }
        let finished = outcome.finished.count, timedOut = outcome.timedOut.count
        let outstanding: Int, mayDrain: Bool
        if timedOut == 0 && plainSteps {
            // The usual step (nothing to hand off or drop, the router's own load index): one
            // access to the traffic's state.
            outstanding = engines[r].outstanding
            let step = deployments[t].recordStep(
                finished: outcome.finished, of: replica, outstanding: outstanding, creditsServed: d == t,
                requests: &requests, at: now)
            if d != t && (step.prompt != 0 || step.output != 0) {
                deployments[d].servedPromptTokens += step.prompt
                deployments[d].servedOutputTokens += step.output
            }
            mayDrain = step.mayDrain
        } else {
            recordStepInGeneral(replica, of: d, traffic: t, at: now, queue: &queue)
            outstanding = engines[r].outstanding
            loadChanged(replica, slot: r, of: d, traffic: t, outstanding: outstanding)
            mayDrain = deployments[t].router.maxOutstandingPerReplica != nil && !deployments[t].activator.isEmpty
        }
        let busy = engines[r].isBusy
        if tracksSignals {
            counters[r].count(arrivals: arrivals, completions: finished, outputTokens: outcome.tokens, iterations: outcome.iterations)
            counters[r].update(outstanding: outstanding, busy: busy, at: now)
        }
        if busy != replicas[r].serving {
            replicas[r].serving = busy
            moveGPUs(of: replica, from: busy ? .idle : .serving, to: busy ? .serving : .idle, at: now)
        }
        // A request that left (finished, or timed out in the queue) may empty a draining replica
        // or make room under a per-replica cap.
        if finished != 0 || timedOut != 0 {
            if outstanding == 0 && replicas[r].stage == .draining {
                retire(replica, at: now, queue: &queue)
            } else if mayDrain {
                drainActivator(t, at: now, queue: &queue)
            }
        }
    }

    /// What an engine step finished or dropped, where a request may be handed off (a prefill
    /// worker's) or time out in the queue: request by request.
    private mutating func recordStepInGeneral(
        _ replica: Int32, of d: Int, traffic t: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>
    ) {
        if !outcome.finished.isEmpty {
            let feedsPlanner = deployments[t].feedsPlanner
            // Tallied here and added once: each write into `deployments` is a bounds check.
            var servedPrompt = 0, servedOutput = 0
            for id in outcome.finished {
                let request = requests[id]
                if request.stage == .prefill {
                    handOff(id, from: replica, at: now, queue: &queue)
                    continue
                }
                let served = deployments[t].finished(request, feedsPlanner: feedsPlanner, at: now)
                servedPrompt += served.prompt
                servedOutput += served.output
                requests.remove(id)
            }
            if servedOutput != 0 || servedPrompt != 0 {
                deployments[d].servedPromptTokens += servedPrompt
                deployments[d].servedOutputTokens += servedOutput
            }
        }
        for id in outcome.timedOut { drop(id, of: t, .queueTimeout, at: now) }
    }

    /// Sends the buffered requests of deployment `d` (one that owns its traffic) to replicas with room, oldest first; drops those
    /// past the timeout.
    mutating func drainActivator(_ d: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        // A dispatch below may free room again (a queued request timing out); this loop takes it,
        // rather than a nested drain per request (which could recurse as deep as the activator).
        guard !deployments[d].drainingActivator else { return }
        deployments[d].drainingActivator = true
        defer { deployments[d].drainingActivator = false }
        let timeout = deployments[d].router.activatorTimeout
        while let head = deployments[d].activator.first {
            if now - requests[head].arrival > timeout {
                deployments[d].activator.removeFirst()
                deployments[d].activatorCounters.update(outstanding: deployments[d].activator.count, busy: false, at: now)
                drop(head, of: d, .activatorTimeout, at: now)
                continue
            }
            guard let replica = deployments[d].routing.pick(
                from: deployments[d].routable, engines: slottedEngines, request: head, requests: requests) else { return }
            deployments[d].activator.removeFirst()
            deployments[d].activatorCounters.update(outstanding: deployments[d].activator.count, busy: false, at: now)
            dispatch(head, to: replica, at: now, queue: &queue)
        }
    }

    /// Credits a finished engine step to the replica's vLLM counters and histograms.
    private mutating func observeForPrometheus(_ r: Int, at now: SimTime) {
        engineMetrics[r].generated(outcome.tokens)
        for id in outcome.finished {
            let request = requests[id]
            engineMetrics[r].finished(arrival: request.arrival, firstToken: request.firstTokenAt, end: now,
                                      promptTokens: Int(request.promptTokens), outputTokens: Int(request.outputTokens))
        }
    }

    /// Drops a request of deployment `d`'s traffic (counted where its traffic's metrics are).
    mutating func drop(_ id: Int32, of d: Int, _ reason: DropReason, at now: SimTime) {
        deployments[deployments[d].traffic].metrics.dropped(serial: requests[id].serial, reason: reason, at: now)
        requests.remove(id)
    }
}
