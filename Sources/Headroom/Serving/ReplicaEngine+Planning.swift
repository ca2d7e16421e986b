import HeadroomEngine

extension ReplicaEngine {
    /// Schedules the iteration starting at `now`: preempts if the decodes do not fit the KV cache,
    /// hands out the token budget, admits waiting requests, and plans a single iteration or a
    /// whole decode run. Returns its end, or `nil` when the replica goes idle.
    mutating func planIteration(
        at now: SimTime, requests: inout RequestTable, model: StepTimeModel, outcome: inout IterationOutcome
    ) -> SimTime? {
        while kvUsed + Int64(decoding) > kvCapacity, let victim = running.popLast() {
            preempt(victim, wasDecoding: running.count < decoding, requests: &requests)
        }

        // Decoding sequences: context and the next finish from the aggregates. Prefilling ones
        // (the suffix) get chunks from the token budget in batch order.
        var budget = limits.maxNumBatchedTokens - decoding
        var batch = decoding
        var prefillTokens = 0
        var context = decodingComputed + Int64(decoding) * decodeSteps
        for index in decoding..<running.count where budget > 0 {
            let chunk = min(Int(running[index].prefillRemaining), budget)
            running[index].chunk = Int32(chunk)
            budget -= chunk
            prefillTokens += chunk
            batch += 1
            context += running[index].computed
        }
        let fewestRemaining = decoding > 0 ? Int(nextFinishStep - decodeSteps) : Int.max

        while let head = waiting.first {
            let request = requests[head]
            if let deadline = deadline(of: request), now > deadline {
                waiting.removeFirst()
                outstanding -= 1
                outcome.timedOut.append(head)
                continue
            }
            guard running.count < limits.maxNumSeqs, budget > 0 else { break }
            let need = Int(request.prefillRemaining)
            // The cache must hold its prompt besides this iteration's decode tokens.
            guard kvUsed + Int64(decoding + need) <= kvCapacity, limits.chunkedPrefill || need <= budget else { break }
            let chunk = min(need, budget)
            waiting.removeFirst()
            running.append(RunningSequence(
                id: head, outputTokens: request.outputTokens, prefillRemaining: request.prefillRemaining, chunk: Int32(chunk),
                ticket: nextTicket, generated: Int64(request.generated), computed: 0, kvHeld: Int64(need)))
            nextTicket &+= 1
            kvUsed += Int64(need)
            if request.admittedAt == .never { requests[head].admittedAt = now }
            budget -= chunk
            prefillTokens += chunk
            batch += 1
        }

        guard batch > 0 else {
            checkInvariants(requests)
            return nil
        }
        var iterations = 1
        if prefillTokens == 0 && collapsesDecodeRuns {
            iterations = min(Int((kvCapacity - kvUsed) / Int64(batch)), fewestRemaining)
            if let head = waiting.first, let deadline = deadline(of: requests[head]) {
                iterations = min(iterations, model.iterationsToReach(
                    offset: (deadline - now).nanoseconds + 1, batch: batch, contextTokens: context, limit: iterations))
            }
            iterations = max(iterations, 1)
        }
        let length = prefillTokens == 0
            ? model.decodeRun(batch: batch, contextTokens: context, iterations: iterations)
            : model.iteration(batch: batch, prefillTokens: prefillTokens, contextTokens: context)
        isBusy = true
        runIsDecode = prefillTokens == 0
        runStart = now
        runBatch = batch
        runContext = context
        runIterations = iterations
        runEnd = now + SimTime(nanoseconds: length)
        generation &+= 1
        checkInvariants(requests)
        return runEnd
    }

    /// Shortens the decode run under way to its first `iterations` iterations.
    mutating func cutRun(at iterations: Int, model: StepTimeModel) -> SimTime? {
        guard iterations < runIterations else { return nil }
        runIterations = iterations
        runEnd = runStart + SimTime(nanoseconds: model.decodeRun(batch: runBatch, contextTokens: runContext, iterations: iterations))
        generation &+= 1
        return runEnd
    }

    /// The index of the first iteration boundary of the current run strictly after `instant`.
    func iterationBoundary(after instant: SimTime, model: StepTimeModel) -> Int {
        model.iterationsToReach(
            offset: (instant - runStart).nanoseconds + 1, batch: runBatch, contextTokens: runContext, limit: runIterations)
    }

    /// Whether `request`, at the head of the queue, would be admitted at the boundary after
    /// `iterations` iterations of the current decode run.
    func admissible(_ request: RequestSlot, afterDecodeIterations iterations: Int) -> Bool {
        let budget = limits.maxNumBatchedTokens - runBatch
        let need = Int(request.prefillRemaining)
        return running.count < limits.maxNumSeqs && budget > 0
            && (limits.chunkedPrefill || need <= budget)
            && kvUsed + Int64(runBatch) * Int64(iterations + 1) + Int64(need) <= kvCapacity
    }

    /// When a queued request times out, if the scenario sets a queue timeout.
    func deadline(of request: RequestSlot) -> SimTime? {
        guard let queueTimeout, !request.preempted else { return nil }
        return request.arrival + queueTimeout
    }

    /// Sends a sequence back to the head of the queue, its KV freed: it will prefill its prompt
    /// and the output so far again (the table keeps what it has generated).
    private mutating func preempt(_ sequence: RunningSequence, wasDecoding: Bool, requests: inout RequestTable) {
        var generated = sequence.generated, kvHeld = sequence.kvHeld
        if wasDecoding {
            generated += decodeSteps
            kvHeld += decodeSteps
            decodingComputed -= sequence.computed
            decoding -= 1
            staleTickets.insert(sequence.ticket)
        }
        kvUsed -= kvHeld
        let id = sequence.id
        requests[id].generated = Int32(generated)
        requests[id].prefillRemaining = requests[id].promptTokens + Int32(generated)
        requests[id].preempted = true
        waiting.prepend(id)
        preemptions += 1
    }

    /// KV accounting and batch limits, checked after every mutation in debug test runs.
    @inline(__always)
    func checkInvariants(_ requests: RequestTable) {
        #if HEADROOM_INVARIANTS
        let live = running.indices.map { i in (running[i], i < decoding ? decodeSteps : 0) }
        let held = live.reduce(Int64(0)) { $0 + $1.0.kvHeld + $1.1 }
        precondition(held == kvUsed, "KV accounting: sequences hold \(held), engine counts \(kvUsed)")
        precondition(kvUsed <= kvCapacity, "KV cache over capacity: \(kvUsed) > \(kvCapacity), running \(running.map { ($0.prefillRemaining, $0.kvHeld, $0.generated, $0.computed) }), decode steps \(decodeSteps), busy \(isBusy) iterations \(runIterations) batch \(runBatch)")
        precondition(running.count <= limits.maxNumSeqs, "batch over max_num_seqs")
        precondition(outstanding == waiting.count + running.count, "outstanding count out of step")
        for (index, (sequence, offset)) in live.enumerated() {
            precondition(sequence.generated + offset < Int64(sequence.outputTokens), "finished sequence still running")
            precondition(sequence.prefillRemaining >= 0 && sequence.computed <= sequence.kvHeld, "sequence computed more than it holds")
            precondition((sequence.prefillRemaining == 0) == (index < decoding), "decoding sequences must form the batch's prefix")
        }
        precondition(decodingComputed == running.prefix(decoding).reduce(0) { $0 + $1.computed }, "decoding context out of step")
        let soonest = running.prefix(decoding).map { Int64($0.outputTokens) - $0.generated }.min() ?? .max
        var heap = finishSteps
        while let top = heap.min, staleTickets.contains(top.ticket) { _ = heap.removeMin() }
        precondition((heap.min?.step ?? .max) == soonest, "next finish out of step: \(heap.min?.step ?? -1) vs \(soonest)")
        #endif
    }
}
