import HeadroomEngine

extension Simulation {
    /// A request of deployment `d` arrives: it is refused if it can never run, else routed (or buffered).
    mutating func arrive(_ d: Int, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard let incoming = deployments[d].nextRequest else { return }
        deployments[d].nextRequest = deployments[d].source.next()
        if let next = deployments[d].nextRequest, next.arrival <= scenario.duration {
            queue.setTimer(d, event(.arrival, Int32(d)), at: max(next.arrival, now), phase: 0)
        }
        deployments[d].serial += 1
        let serial = deployments[d].serial
        deployments[d].metrics.arrived(incoming, serial: serial)
        let total = Int64(incoming.promptTokens + incoming.outputTokens)
        let engine = deployments[d].engineLimits
        if let capacity = deployments[d].smallestKVCapacity, total > capacity {
            deployments[d].metrics.dropped(serial: serial, reason: .exceedsKVCache, at: now)
            return
        }
        if !engine.chunkedPrefill && total > Int64(engine.maxNumBatchedTokens) {
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
            requests.setChain(id, session: incoming.session, prefix: incoming.prefix, hashes: deployments[d].source.hashes(of: incoming))
        }
        if let replica = deployments[d].routing.pick(from: deployments[d].routable, engines: slottedEngines, request: id, requests: requests) {
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

    /// Hands a request to a replica's engine.
    mutating func dispatch(_ id: Int32, to replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = replicaSlot(replica), d = owner(slot: r)
        outcome.clear()
        if deployments[d].tracksSignals { counters[r].count(arrivals: 1) }
        let end = engines[r].enqueue(id, at: now, requests: &requests, outcome: &outcome)
        afterEngineStep(replica, slot: r, of: d, end: end, at: now, queue: &queue)
    }

    /// The planned end of a replica's iteration (or decode run) has come.
    mutating func endIteration(replica: Int32, generation: UInt32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard let r = replicaSlots.slotIfPresent(replica), engines[r].isBusy, engines[r].generation == generation else { return }
        outcome.clear()
        let end = engines[r].finishRun(at: now, requests: &requests, outcome: &outcome)
        afterEngineStep(replica, slot: r, of: owner(slot: r), end: end, at: now, queue: &queue)
    }

    /// Records what an engine step finished or dropped, schedules its next boundary, and keeps the
    /// GPU ledger and the replica's lifecycle in step with its batch. (`r` and `d`: the replica's
    /// slot and deployment, which the caller has looked up already; the deployment's settings are
    /// read once, as every `deployments[d]` read after a mutating call is a fresh load and bounds check.)
    private mutating func afterEngineStep(
        _ replica: Int32, slot r: Int, of d: Int, end: SimTime?, at now: SimTime, queue: inout EventQueue<SimulationEvent>
    ) {
        let t = deployments[d].traffic, tracksSignals = deployments[d].tracksSignals
        if let end { queue.setTimer(stepTimer(slot: r), event(.replicaStep, replica, engines[r].generation), at: end, phase: 1) }
        if deployments[d].queriesPrometheus { observeForPrometheus(r, at: now) }
        let finished = outcome.finished.count, timedOut = outcome.timedOut.count
        if finished != 0 {
            let feedsPlanner = deployments[t].feedsPlanner
            // Tallied here and added once: each write into `deployments` is a copy-on-write check.
            var servedPrompt = 0, servedOutput = 0
            for id in outcome.finished {
                let request = requests[id]
                if request.stage == .prefill {
                    handOff(id, from: replica, at: now, queue: &queue)
                    continue
                }
                deployments[t].metrics.finished(request, at: now)
                if feedsPlanner { deployments[t].frontend.finished(request, at: now) }
                // A decode worker served the output after the first token; the prefill worker the rest.
                let decoded = request.stage == .decode
                servedPrompt += decoded ? 0 : Int(request.promptTokens)
                servedOutput += Int(request.outputTokens) - (decoded ? 1 : 0)
                requests.remove(id)
            }
            if servedOutput != 0 || servedPrompt != 0 {
                deployments[d].servedPromptTokens += servedPrompt
                deployments[d].servedOutputTokens += servedOutput
            }
        }
        for id in outcome.timedOut { drop(id, of: t, .queueTimeout, at: now) }
        let outstanding = engines[r].outstanding, busy = engines[r].isBusy
        loadChanged(replica, slot: r, of: d, traffic: t, outstanding: outstanding)
        if tracksSignals {
            counters[r].count(completions: finished, outputTokens: outcome.tokens, iterations: outcome.iterations)
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
            } else if deployments[t].router.maxOutstandingPerReplica != nil && !deployments[t].activator.isEmpty {
                drainActivator(t, at: now, queue: &queue)
            }
        }
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
