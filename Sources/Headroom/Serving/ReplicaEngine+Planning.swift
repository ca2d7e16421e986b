import HeadroomEngine

extension ReplicaEngine {
    /// Schedules the iteration starting at `now`: preempts if the decodes do not fit the KV cache,
    /// hands out the token budget, admits waiting requests, and plans a single iteration or a
    /// whole decode run. Returns its end, or `nil` when the replica goes idle.
    mutating func planIteration(
        at now: SimTime, requests: inout RequestTable, outcome: inout IterationOutcome
    ) -> SimTime? {
        // The usual boundary after a finish: only decoding sequences, nothing waiting, room for the
        // next decodes. The general path below would plan the same decode run, at more cost.
        // (Nothing prefilling or waiting is `outstanding == decoding`: two counts in the engine,
        // where the buffers' own counts may be out of the cache.)
        if outstanding == decoding && decoding > 0 && kvUsed + Int64(decoding) <= kvCapacity {
            isBusy = true
            generation &+= 1
            planDecodeRun(
                at: now, context: decodingComputed + Int64(decoding) * decodeSteps,
                fewestRemaining: Int(nextFinishStep - decodeSteps), requests: requests)
            checkInvariants(requests)
            return runEnd
        }
        while kvUsed + Int64(decoding) > kvCapacity && batchSize > 0 {
            preemptLatest(requests: &requests)
        }

        // Decoding sequences: context and the next finish from the aggregates. Prefilling ones
        // get chunks from the token budget in batch order.
        var budget = limits.maxNumBatchedTokens - decoding
        var batch = decoding
        var prefillTokens = 0
        var context = decodingComputed + Int64(decoding) * decodeSteps
        // The prefilling sequences' attention, picoseconds (zero in the linear form).
        var prefillAttention: Int64 = 0
        for index in prefilling.indices where budget > 0 {
            let chunk = min(Int(prefilling[index].prefillRemaining), budget)
            prefilling[index].chunk = Int32(chunk)
            budget -= chunk
            prefillTokens += chunk
            batch += 1
            // The linear form prices a prefill's cached prefix per token; the others in its attention.
            if model.chargesCachedPrefix { context += prefilling[index].computed }
            prefillAttention = min(Int64.max / 4, prefillAttention + model.prefillAttention(chunk: chunk, cached: prefilling[index].computed))
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
            guard batchSize < limits.maxNumSeqs, budget > 0 else { break }
            let need = Int(request.prefillRemaining)
            // KV that came from a prefill worker is held from admission, computed already; a cached
            // prefix is not computed again, and its free blocks are taken back from the cache.
            let arrived = Int64(request.transferred)
            let (cached, revived) = arrived > 0 ? (0, 0) : cachedPrefix(of: head, need: need, requests: requests)
            let uncached = need - cached
            let held = Int64(uncached) + arrived
            let taken = held + Int64(revived) * Int64(prefixCache?.blockTokens ?? 0)
            // The cache must hold its prompt besides this iteration's decode tokens.
            guard kvUsed + Int64(decoding) + taken <= kvCapacity, limits.chunkedPrefill || uncached <= budget else { break }
            let chunk = min(uncached, budget)
            waiting.removeFirst()
            if arrived == 0 { acquirePrefix(of: head, tokens: cached, need: need, requests: &requests) }
            prefilling.append(RunningSequence(
                id: head, outputTokens: request.outputTokens, prefillRemaining: Int32(uncached), chunk: Int32(chunk),
                ticket: nextTicket, generated: Int64(request.generated), computed: Int64(cached) + arrived, kvHeld: held))
            nextTicket &+= 1
            kvUsed += held
            trimPrefixCache()
            if request.admittedAt == .notYet {
                requests[head].admittedAt = now
            } else if arrived > 0 {
                // A handed-off request's first admission here: it waited since its KV arrived.
                handoffWaits += 1
                handoffWaitNanoseconds += (now - request.firstTokenAt).nanoseconds
            }
            budget -= chunk
            prefillTokens += chunk
            let prior = Int64(cached) + arrived
            if model.chargesCachedPrefix { context += prior }
            prefillAttention = min(Int64.max / 4, prefillAttention + model.prefillAttention(chunk: chunk, cached: prior))
            batch += 1
        }

        guard batch > 0 else {
            checkInvariants(requests)
            return nil
        }
        isBusy = true
        generation &+= 1
        if prefillTokens == 0 {
            planDecodeRun(at: now, context: context, fewestRemaining: fewestRemaining, requests: requests)
        } else if collapsesDecodeRuns && prefillEndsInDecodeRun() {
            // Apply the prefill iteration's end now and plan the decode run that follows it.
            let end = now + SimTime(nanoseconds: model.iteration(
                batch: batch, decodes: decoding, prefillTokens: prefillTokens, contextTokens: context, prefillAttention: prefillAttention))
            leadTokens = completeIterations(1, at: end, requests: &requests, outcome: &outcome)
            planDecodeRun(
                at: end, context: decodingComputed + Int64(decoding) * decodeSteps,
                fewestRemaining: Int(nextFinishStep - decodeSteps), requests: requests)
            runFollowsPrefill = true
        } else {
            runIsDecode = false
            runFollowsPrefill = false
            runStart = now
            runBatch = batch
            runContext = context
            runIterations = 1
            runEnd = now + SimTime(nanoseconds: model.iteration(
                batch: batch, decodes: decoding, prefillTokens: prefillTokens, contextTokens: context, prefillAttention: prefillAttention))
        }
        checkInvariants(requests)
        return runEnd
    }

    /// Plans a run of decode iterations of the whole batch from `now`: until the first sequence
    /// finishes, the cache fills, or (with the naive engine) one iteration.
    private mutating func planDecodeRun(
        at now: SimTime, context: Int64, fewestRemaining: Int, requests: RequestTable
    ) {
        let batch = decoding
        var iterations = 1
        if collapsesDecodeRuns {
            // Until the first finish, unless the cache fills first (the division is skipped when it
            // cannot: an integer division costs more than the rest of the planning).
            let room = kvCapacity - kvUsed
            let need = Int64(fewestRemaining).multipliedReportingOverflow(by: Int64(batch))
            iterations = !need.overflow && room >= need.partialValue ? fewestRemaining : min(Int(room / Int64(batch)), fewestRemaining)
            if queueTimeout != nil, let head = waiting.first, let deadline = deadline(of: requests[head]) {
                iterations = min(iterations, model.iterationsToReach(
                    offset: (deadline - now).nanoseconds + 1, batch: batch, contextTokens: context, limit: iterations))
            }
            iterations = max(iterations, 1)
        }
        runIsDecode = true
        runFollowsPrefill = false
        runStart = now
        runBatch = batch
        runContext = context
        runIterations = iterations
        runEnd = now + SimTime(nanoseconds: model.decodeRun(batch: batch, contextTokens: context, iterations: iterations))
    }

    /// Whether the prefill iteration just scheduled leads straight into a decode run: it completes
    /// every prefill in the batch, no sequence finishes at its end, nothing waits, and the next
    /// iteration's decode tokens fit the cache (no preemption). Then the boundary at its end
    /// would only plan that decode run, and needs no event of its own.
    private func prefillEndsInDecodeRun() -> Bool {
        guard waiting.isEmpty, nextFinishStep > decodeSteps + 1 else { return false }
        for sequence in prefilling {
            guard sequence.chunk == sequence.prefillRemaining, sequence.generated + 1 < Int64(sequence.outputTokens) else {
                return false
            }
        }
        return kvUsed + Int64(decoding) + Int64(decoding + prefilling.count) <= kvCapacity
    }

    /// Shortens the decode run under way to its first `iterations` iterations (0: it ends with
    /// the prefill iteration before it).
    mutating func cutRun(at iterations: Int) -> SimTime? {
        cutRun(at: (iterations, model.decodeRun(batch: runBatch, contextTokens: runContext, iterations: iterations)))
    }

    /// The same at a boundary whose time into the run (`S(iterations)`) is known already.
    @inline(__always)
    mutating func cutRun(at boundary: (iterations: Int, length: Int64)) -> SimTime? {
        guard boundary.iterations < runIterations else { return nil }
        runIterations = boundary.iterations
        runEnd = runStart + SimTime(nanoseconds: boundary.length)
        generation &+= 1
        return runEnd
    }

    /// The first iteration boundary of the current decode run at or after `instant`: its index,
    /// counted in decode iterations (0 is the end of a prefill iteration before the run).
    func iterationBoundary(reaching instant: SimTime) -> Int {
        boundaryAndLength(reaching: instant).iterations
    }

    /// `iterationBoundary(reaching:)` with that boundary's time into the run (`S(k)`; 0 for the
    /// prefill iteration's end), which a cut of the run there needs.
    @inline(__always)
    func boundaryAndLength(reaching instant: SimTime) -> (iterations: Int, length: Int64) {
        let offset = (instant - runStart).nanoseconds
        if runFollowsPrefill && offset <= 0 { return (0, 0) }
        return model.boundary(reaching: offset, batch: runBatch, contextTokens: runContext, limit: runIterations)
    }

    /// The first iteration boundary of the current decode run strictly after `instant`.
    func iterationBoundary(after instant: SimTime) -> Int {
        iterationBoundary(reaching: instant + SimTime(nanoseconds: 1))
    }

    /// Whether `request`, at the head of the queue, would be admitted at the boundary after
    /// `iterations` iterations of the current decode run.
    ///
    /// With a prefix cache the lookup reads the cache as it is now, before the run's decodes
    /// evict free blocks: blocks that would be gone by the boundary count as free ones taken back,
    /// which needs the same memory as computing them, so the KV test is exact; only the token
    /// budget of a prefill that may not be chunked is judged on the larger hit (a needless cut
    /// of the run at a boundary changes nothing but the event count).
    @inline(__always)  // else the engine (264 bytes) is copied to call it from `enqueue`
    func admissible(_ id: Int32, requests: RequestTable, afterDecodeIterations iterations: Int) -> Bool {
        let budget = limits.maxNumBatchedTokens - runBatch
        let need = Int(requests[id].prefillRemaining)
        let (cached, revived) = requests[id].transferred > 0 ? (0, 0) : cachedPrefix(of: id, need: need, requests: requests)
        let taken = Int64(need - cached) + Int64(revived) * Int64(prefixCache?.blockTokens ?? 0)
        return batchSize < limits.maxNumSeqs && budget > 0
            && (limits.chunkedPrefill || need - cached <= budget)
            && kvUsed + Int64(runBatch) * Int64(iterations + 1) + taken + Int64(requests[id].transferred) <= kvCapacity
    }

    /// Iterations and output tokens of the run under way completed by `instant`: a run reports
    /// them at its end, while a token counter scraped mid-run has seen those already made.
    @inline(__always)  // else the engine is copied to call it from `snapshotSignals` (as `admissible` from `enqueue`)
    func unreportedProgress(at instant: SimTime) -> (iterations: Int, tokens: Int) {
        guard isBusy && runIsDecode else { return (0, 0) }
        let offset = (instant - runStart).nanoseconds
        var iterations = 0, tokens = 0
        if runFollowsPrefill && offset >= 0 {
            iterations = 1
            tokens = leadTokens
        }
        guard offset > 0 && runIterations > 0 else { return (iterations, tokens) }
        let reached = model.boundary(reaching: offset, batch: runBatch, contextTokens: runContext, limit: runIterations)
        let done = reached.length > offset ? reached.iterations - 1 : reached.iterations
        return (iterations + done, tokens + done * runBatch)
    }

    /// When a queued request times out, if the scenario sets a queue timeout.
    func deadline(of request: RequestSlot) -> SimTime? {
        guard let queueTimeout, !request.preempted else { return nil }
        return request.arrival + queueTimeout
    }

    /// Sends the most recently admitted sequence back to the head of the queue, its KV freed: it
    /// will prefill its prompt and the output so far again (the table keeps what it has
    /// generated). A decoding one is found by a scan of the slots: preemption is rare.
    private mutating func preemptLatest(requests: inout RequestTable) {
        var sequence: RunningSequence
        if let last = prefilling.popLast() {
            sequence = last
        } else {
            var latest = -1
            for slot in decodingSlots.indices where decodingSlots[slot].ticket != RunningSequence.freeTicket
                && (latest < 0 || decodingSlots[slot].ticket > decodingSlots[latest].ticket) { latest = slot }
            sequence = vacate(Int32(latest))
            finishSteps.removeAll { $0.slot == Int32(latest) }
            resetNextFinish()
        }
        releasePrefix(&sequence, requests: &requests)
        kvUsed -= sequence.kvHeld
        let id = sequence.id
        requests[id].generated = Int32(sequence.generated)
        requests[id].prefillRemaining = requests[id].promptTokens + Int32(sequence.generated)
        requests[id].transferred = 0  // recompute mode: the KV it brought is freed with the rest
        requests[id].preempted = true
        waiting.prepend(id)
        preemptions += 1
    }

    /// KV accounting and batch limits, checked after every mutation in debug test runs.
    @inline(__always)
    func checkInvariants(_ requests: RequestTable) {
        #if HEADROOM_INVARIANTS
        let decoders = decodingSlots.filter { $0.ticket != RunningSequence.freeTicket }
        let live = decoders.map { ($0, decodeSteps) } + prefilling.map { ($0, Int64(0)) }
        let held = live.reduce(Int64(0)) { $0 + $1.0.kvHeld + $1.1 }
        precondition(held + sharedTokens == kvUsed, "KV accounting: sequences hold \(held) and share \(sharedTokens), engine counts \(kvUsed)")
        if let cache = prefixCache {
            precondition(kvUsed + cache.freeTokens <= kvCapacity, "free cached blocks over the capacity")
            let shared = live.reduce(0) { $0 + requests.chainBlocks($1.0.id) }
            precondition(shared == cache.references, "prefix blocks: sequences hold \(shared), the cache counts \(cache.references)")
        }
        precondition(kvUsed <= kvCapacity, "KV cache over capacity: \(kvUsed) > \(kvCapacity), batch \(live.map { ($0.0.prefillRemaining, $0.0.kvHeld, $0.0.generated, $0.0.computed) }), decode steps \(decodeSteps), busy \(isBusy) iterations \(runIterations) batch \(runBatch)")
        precondition(batchSize <= limits.maxNumSeqs, "batch over max_num_seqs")
        precondition(decoders.count == decoding && decodingSlots.count == decoding + freeDecodingSlotCount, "decoding slots out of step")
        precondition(outstanding == waiting.count + batchSize, "outstanding count out of step")
        for (sequence, offset) in live {
            precondition(sequence.generated + offset < Int64(sequence.outputTokens), "finished sequence still running")
            let shared = Int64(requests.chainBlocks(sequence.id)) * Int64(prefixCache?.blockTokens ?? 0)
            precondition(sequence.prefillRemaining >= 0 && sequence.computed <= sequence.kvHeld + offset + shared,
                         "sequence computed more than it holds")
            precondition((sequence.prefillRemaining == 0) == (offset > 0), "prefilling sequences must hold prompt tokens to prefill")
        }
        // Batch order is ticket order, decoders first.
        let tickets = decoders.map(\.ticket).sorted() + prefilling.map(\.ticket)
        precondition(zip(tickets, tickets.dropFirst()).allSatisfy { $0 < $1 }, "batch out of admission order")
        precondition(decodingComputed == decoders.reduce(0) { $0 + $1.computed }, "decoding context out of step")
        let soonest = decoders.map { Int64($0.outputTokens) - $0.generated }.min() ?? .max
        precondition(finishSteps.count == decoding, "one finish step per decoding sequence")
        precondition(nextFinishStep == soonest, "next finish out of step: \(nextFinishStep) vs \(soonest)")
        precondition(nextFinish == finishSteps.min ?? .none, "the kept next finish differs from the heap's")
        #endif
    }
}
