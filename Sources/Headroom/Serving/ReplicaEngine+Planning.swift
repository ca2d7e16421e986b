import HeadroomEngine

extension ReplicaEngine {
    /// Schedules the iteration starting at `now`: preempts if the decodes do not fit the KV cache,
    /// hands out the token budget, admits waiting requests, and plans a single iteration or a
    /// whole decode run. Returns its end, or `nil` when the replica goes idle.
    mutating func planIteration(
        at now: SimTime, requests: inout RequestTable, model: StepTimeModel, outcome: inout IterationOutcome
    ) -> SimTime? {
        var decoding = running.reduce(0) { $0 + (requests[$1].prefillRemaining == 0 ? 1 : 0) }
        while kvUsed + Int64(decoding) > kvCapacity, let victim = running.popLast() {
            if requests[victim].prefillRemaining == 0 { decoding -= 1 }
            preempt(victim, requests: &requests)
        }

        var budget = limits.maxNumBatchedTokens - decoding
        var batch = decoding
        var prefillTokens = 0
        var context: Int64 = 0
        for id in running {
            var slot = requests[id]
            if slot.prefillRemaining == 0 {
                context += Int64(slot.computed)
            } else if budget > 0 {
                let chunk = min(Int(slot.prefillRemaining), budget)
                slot.chunk = Int32(chunk)
                requests[id] = slot
                budget -= chunk
                prefillTokens += chunk
                batch += 1
                context += Int64(slot.computed)
            }
        }

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
            running.append(head)
            kvUsed += Int64(need)
            requests[head].kvHeld = Int32(need)
            requests[head].chunk = Int32(chunk)
            if requests[head].admittedAt == .never { requests[head].admittedAt = now }
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
            iterations = Int((kvCapacity - kvUsed) / Int64(batch))
            for id in running {
                iterations = min(iterations, Int(requests[id].outputTokens - requests[id].generated))
            }
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

    private mutating func preempt(_ id: Int32, requests: inout RequestTable) {
        kvUsed -= Int64(requests[id].kvHeld)
        requests[id].kvHeld = 0
        requests[id].computed = 0
        requests[id].chunk = 0
        requests[id].prefillRemaining = requests[id].promptTokens + requests[id].generated
        requests[id].preempted = true
        waiting.prepend(id)
        preemptions += 1
    }

    /// KV accounting and batch limits, checked after every mutation in debug test runs.
    @inline(__always)
    func checkInvariants(_ requests: RequestTable) {
        #if HEADROOM_INVARIANTS
        let held = running.reduce(Int64(0)) { $0 + Int64(requests[$1].kvHeld) }
        precondition(held == kvUsed, "KV accounting: sequences hold \(held), engine counts \(kvUsed)")
        precondition(kvUsed <= kvCapacity, "KV cache over capacity: \(kvUsed) > \(kvCapacity), running \(running.map { (requests[$0].prefillRemaining, requests[$0].kvHeld, requests[$0].generated, requests[$0].computed) }), busy \(isBusy) iterations \(runIterations) batch \(runBatch)")
        precondition(running.count <= limits.maxNumSeqs, "batch over max_num_seqs")
        precondition(outstanding == waiting.count + running.count, "outstanding count out of step")
        for id in running {
            precondition(requests[id].generated < requests[id].outputTokens, "finished sequence still running")
            precondition(requests[id].prefillRemaining >= 0 && requests[id].computed <= requests[id].kvHeld,
                         "sequence computed more than it holds")
        }
        #endif
    }
}
