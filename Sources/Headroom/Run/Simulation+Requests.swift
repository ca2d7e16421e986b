import HeadroomEngine

extension Simulation {
    /// A request arrives: it is refused if it can never run, else routed (or buffered).
    mutating func arrive(at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        guard let incoming = nextRequest else { return }
        nextRequest = source.next()
        if let next = nextRequest, next.arrival <= scenario.duration {
            schedule(event(.arrival), at: max(next.arrival, now), queue: &queue)
        }
        serial += 1
        metrics.arrived(incoming, serial: serial)
        let total = Int64(incoming.promptTokens + incoming.outputTokens)
        if let kvCapacity, total > kvCapacity {
            metrics.dropped(serial: serial, reason: .exceedsKVCache, at: now)
            return
        }
        if !scenario.replica.engine.chunkedPrefill && total > Int64(scenario.replica.engine.maxNumBatchedTokens) {
            metrics.dropped(serial: serial, reason: .exceedsBatchTokens, at: now)
            return
        }
        let id = requests.insert(RequestSlot(
            arrival: now, promptTokens: Int32(incoming.promptTokens), outputTokens: Int32(incoming.outputTokens),
            prefillRemaining: Int32(incoming.promptTokens), serial: serial))
        if let replica = router.pick(from: readyReplicas, engines: engines) {
            dispatch(id, to: replica, at: now, queue: &queue)
        } else if activator.count < scenario.router.activatorCapacity {
            activator.append(id)
            activatorCounters.count(arrivals: 1)
            activatorCounters.update(outstanding: activator.count, busy: false, at: now)
            pokeIfScaledToZero(at: now, queue: &queue)
        } else {
            drop(id, .activatorFull, at: now)
        }
    }

    /// Hands a request to a replica's engine.
    mutating func dispatch(_ id: Int32, to replica: Int32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = Int(replica)
        outcome.clear()
        if tracksSignals { counters[r].count(arrivals: 1) }
        let end = engines[r].enqueue(id, at: now, requests: &requests, model: stepTime, outcome: &outcome)
        afterEngineStep(replica, end: end, at: now, queue: &queue)
    }

    /// The planned end of a replica's iteration (or decode run) has come.
    mutating func endIteration(replica: Int32, generation: UInt32, at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        let r = Int(replica)
        guard engines[r].isBusy, engines[r].generation == generation else { return }
        outcome.clear()
        let end = engines[r].finishRun(at: now, requests: &requests, model: stepTime, outcome: &outcome)
        afterEngineStep(replica, end: end, at: now, queue: &queue)
    }

    /// Records what an engine step finished or dropped, schedules its next boundary, and keeps the
    /// GPU ledger and the replica's lifecycle in step with its batch.
    private mutating func afterEngineStep(
        _ replica: Int32, end: SimTime?, at now: SimTime, queue: inout EventQueue<SimulationEvent>
    ) {
        let r = Int(replica)
        if let end { schedule(event(.replicaStep, replica, engines[r].generation), at: end, queue: &queue) }
        if prometheus != nil { observeForPrometheus(r, at: now) }
        for id in outcome.finished {
            metrics.finished(requests[id], at: now)
            requests.remove(id)
        }
        for id in outcome.timedOut { drop(id, .queueTimeout, at: now) }
        router.loadChanged(replica, outstanding: engines[r].outstanding)
        let busy = engines[r].isBusy
        if tracksSignals {
            counters[r].count(completions: outcome.finished.count, outputTokens: outcome.tokens, iterations: outcome.iterations)
            counters[r].update(outstanding: engines[r].outstanding, busy: busy, at: now)
        }
        if busy != replicas[r].serving {
            replicas[r].serving = busy
            metrics.gpuTime.move(scenario.replica.gpus, from: busy ? .idle : .serving, to: busy ? .serving : .idle, at: now)
        }
        if !outcome.finished.isEmpty {
            if replicas[r].stage == .draining && engines[r].outstanding == 0 {
                retire(replica, at: now, queue: &queue)
            } else if !activator.isEmpty && scenario.router.maxOutstandingPerReplica != nil {
                drainActivator(at: now, queue: &queue)
            }
        }
    }

    /// Sends buffered requests to replicas with room, oldest first; drops those past the timeout.
    mutating func drainActivator(at now: SimTime, queue: inout EventQueue<SimulationEvent>) {
        while let head = activator.first {
            if now - requests[head].arrival > scenario.router.activatorTimeout {
                activator.removeFirst()
                activatorCounters.update(outstanding: activator.count, busy: false, at: now)
                drop(head, .activatorTimeout, at: now)
                continue
            }
            guard let replica = router.pick(from: readyReplicas, engines: engines) else { return }
            activator.removeFirst()
            activatorCounters.update(outstanding: activator.count, busy: false, at: now)
            dispatch(head, to: replica, at: now, queue: &queue)
        }
    }

    /// Credits a finished engine step to the replica's vLLM counters and histograms.
    private mutating func observeForPrometheus(_ r: Int, at now: SimTime) {
        prometheus!.engines[r].generated(outcome.tokens)
        for id in outcome.finished {
            let request = requests[id]
            prometheus!.engines[r].finished(arrival: request.arrival, firstToken: request.firstTokenAt, end: now,
                                            promptTokens: Int(request.promptTokens), outputTokens: Int(request.outputTokens))
        }
    }

    mutating func drop(_ id: Int32, _ reason: DropReason, at now: SimTime) {
        metrics.dropped(serial: requests[id].serial, reason: reason, at: now)
        requests.remove(id)
    }
}
