import DequeModule
import HeadroomEngine

/// One replica's continuous-batching engine, with vLLM's iteration-level semantics.
///
/// At each iteration boundary the engine schedules running sequences first (one decode token
/// each; a prompt being prefilled gets the next chunk), then admits waiting requests first come
/// first served while the batch has fewer than `max_num_seqs` sequences, the iteration's tokens fit
/// `max_num_batched_tokens` and the KV cache can hold the whole prompt. A request's first token
/// comes out at the end of the iteration that completes its prefill, then one token per
/// iteration; it leaves at the end of the iteration that produces its last token.
///
/// **KV pressure.** Admission reserves KV for the whole prompt; each decode iteration needs one
/// more token per sequence. When the next iteration's decodes do not fit, the most recently
/// admitted sequence is preempted (vLLM's recompute mode): its KV is freed and it goes back to the
/// head of the queue, to prefill its prompt and output so far again. Requests whose prompt plus
/// output exceed the whole cache are refused on arrival, so the oldest sequence always fits.
///
/// **No event per iteration.** When an iteration is pure decode (no prefill, nothing admissible
/// waiting), nothing can change until the first sequence finishes or the cache fills, so the
/// engine plans the whole run of decode iterations at once (`StepTimeModel.decodeRun`). A prefill
/// iteration that completes every prefill in it, with nothing finishing at its end and nothing
/// waiting, is followed by such a run in the same event: its end is applied when it is planned
/// (nothing outside reads the batch before then) and the run starts at its end. An arrival that
/// could be admitted cuts the run at the next iteration boundary (the prefill iteration's end, if
/// it comes during that iteration). With `collapsesDecodeRuns` off, every iteration is its own
/// run: the naive reference the tests compare against.
///
/// **Prefix caching** (`prefix_caching`, `ReplicaEngine+PrefixCache.swift`): an admission finds
/// the request's longest cached prefix and prefills only the rest; cached blocks in use count
/// once in `kvUsed`, free ones are evicted (least recently freed first) as the sequences' tokens
/// need their room. Evictions happen only as `kvUsed` grows and lookups only at boundaries, so a
/// decode run applied at once evicts what its iterations one by one would have.
///
/// Its batch buffers are `StateTable`s (written without a copy-on-write check): a copy of an
/// engine shares them, so an engine is changed only where the simulation holds it.
@usableFromInline
struct ReplicaEngine {
    // Stored in the order the hot path reads them: the run, the batch's counts, the buffers,
    // the settings and the step-time model first (up to `prefixCache`); what only prefix caching,
    // preemption and disaggregation touch after. In a fleet of thousands the hot part is what
    // is prefetched (Simulation+Prefetch.swift).

    /// The run under way: `runIterations` iterations from `runStart`, ending at `runEnd`.
    var isBusy = false
    var runStart = SimTime.zero
    var runEnd = SimTime.zero
    var runIterations = 0
    var runIsDecode = false
    var runBatch = 0
    var runContext: Int64 = 0
    /// A prefill iteration precedes the decode run and ends at `runStart` (its effects are already
    /// applied; its tokens are reported with the run's end).
    var runFollowsPrefill = false
    /// Tokens made by that prefill iteration (its decodes and completed prefills).
    var leadTokens = 0
    /// Bumped whenever the planned end moves, so that a stale end-of-run event is ignored.
    var generation: UInt32 = 0
    /// Requests queued or running here (kept as a count: the router reads it on every arrival).
    var outstanding = 0
    /// Live decoding sequences.
    var decoding = 0
    /// Decode iterations so far: decoding sequences' counts are stored relative to it.
    var decodeSteps: Int64 = 0
    /// Σ stored `computed` over the decoding sequences (their attention context is this plus
    /// `decoding × decodeSteps`).
    var decodingComputed: Int64 = 0
    var kvUsed: Int64 = 0
    var kvCapacity: Int64
    /// The first decoding sequence to finish (`FinishStep.none` when none decodes): the heap's
    /// least, kept in the engine, as every run's end and plan reads it, and in a large fleet
    /// the heap's buffer is out of the cache (and its slot and request can be loaded early).
    private(set) var nextFinish = FinishStep.none
    var nextTicket: UInt64 = 0
    /// The free slots, last freed first, as a list through the free slots' `id` (-1 ends it): no
    /// second array to keep unique and grow per sequence.
    var freeDecodingSlot: Int32 = -1
    var freeDecodingSlotCount = 0

    var waiting = Deque<Int32>()
    /// The batch, with its token state kept here (not in the request table). Batch order is
    /// admission order, which is ticket order; every decoding sequence was admitted before every
    /// prefilling one (prefill budget goes in batch order, so prefills complete in batch order).
    ///
    /// Decoding sequences sit in slots (`decodingSlots`, free ones marked with `freeTicket`): the
    /// finish-step heap names a sequence's slot, so a finished sequence leaves without a search
    /// or a shift of the others.
    var decodingSlots = StateTable<RunningSequence>()
    /// Prefilling sequences, in batch order (a few: the token budget caps them).
    var prefilling = StateTable<RunningSequence>()
    /// When each decoding sequence finishes (its last token's decode step), earliest first.
    /// Changed only through `startDecoding`, `takeNextFinish` and `preemptLatest`, which keep
    /// `nextFinish`.
    var finishSteps = MinHeap<FinishStep>()
    /// Slots of the sequences due at a run's end, kept between runs (no allocation per event).
    var dueSlots = StateTable<Int32>()
    let collapsesDecodeRuns: Bool
    let queueTimeout: SimTime?
    /// Whether it has a prefix cache (`prefixCache != nil`, kept with the hot fields).
    let cachesPrefixes: Bool
    /// Its GPU's iteration times (set where the replica is placed: a deployment may span GPU types).
    var model: StepTimeModel
    let limits: EngineSpec
    /// The automatic prefix cache (`nil` with `prefix_caching` off). With it, `kvUsed` counts
    /// the sequences' private tokens plus the blocks in use; free cached blocks fill the rest.
    var prefixCache: PrefixCache?
    /// Prompt tokens looked up in the prefix cache at admissions, and those found (vLLM's
    /// `prefix_cache_queries` and `prefix_cache_hits`).
    var prefixQueriedTokens: Int64 = 0
    var prefixHitTokens: Int64 = 0
    var preemptions = 0
    /// Handed-off requests admitted here (a decode worker) and their time queued since their KV arrived.
    var handoffWaits = 0
    var handoffWaitNanoseconds: Int64 = 0
    /// The capacity of an engine with no KV limit: large, yet safe to add to.
    static let unlimitedKV = Int64.max / 4

    init(limits: EngineSpec, model: StepTimeModel, kvCapacity: Int64?, collapsesDecodeRuns: Bool, queueTimeout: SimTime?) {
        self.limits = limits
        self.model = model
        self.kvCapacity = kvCapacity ?? Self.unlimitedKV
        self.collapsesDecodeRuns = collapsesDecodeRuns
        self.queueTimeout = queueTimeout
        cachesPrefixes = limits.prefixCaching
        if limits.prefixCaching { prefixCache = PrefixCache(blockTokens: limits.blockSize) }
    }

    /// Queues a routed request. Returns the new end of run when an event must be scheduled (the
    /// replica was idle, or a decode run was cut short so the request joins sooner).
    mutating func enqueue(
        _ id: Int32, at now: SimTime, requests: inout RequestTable, outcome: inout IterationOutcome
    ) -> SimTime? {
        let wasEmpty = waiting.isEmpty
        waiting.append(id)
        outstanding += 1
        if !isBusy {
            return planIteration(at: now, requests: &requests, outcome: &outcome)
        }
        guard runIsDecode, runIterations > (runFollowsPrefill ? 0 : 1), wasEmpty else { return nil }
        // The boundary's time comes with it: the cut needs no second closed-form evaluation.
        let boundary = boundaryAndLength(reaching: now)
        if admissible(id, requests: requests, afterDecodeIterations: boundary.iterations) {
            return cutRun(at: boundary)
        }
        if let deadline = deadline(of: requests[id]) {
            return cutRun(at: boundaryAndLength(reaching: deadline + SimTime(nanoseconds: 1)))
        }
        return nil
    }

    /// Removes queued requests whose queue timeout passed before `horizon` (the end of a run).
    mutating func removeExpired(before horizon: SimTime, requests: RequestTable) -> [Int32] {
        let expired = Array(waiting).filter { id in deadline(of: requests[id]).map { horizon > $0 } ?? false }
        guard !expired.isEmpty else { return [] }
        waiting.removeAll { expired.contains($0) }
        outstanding -= expired.count
        return expired
    }

    /// Ends the run under way at `now` (its planned end), then plans the next iteration.
    mutating func finishRun(
        at now: SimTime, requests: inout RequestTable, outcome: inout IterationOutcome
    ) -> SimTime? {
        precondition(isBusy && now == runEnd, "a run ends only at its planned end")
        if runFollowsPrefill {
            outcome.iterations += 1
            outcome.tokens += leadTokens
            runFollowsPrefill = false
            leadTokens = 0
        }
        outcome.iterations += runIterations
        outcome.tokens += applyIterations(runIterations, at: now, requests: &requests, outcome: &outcome, decodeRun: runIsDecode)
        isBusy = false
        checkInvariants(requests)
        return planIteration(at: now, requests: &requests, outcome: &outcome)
    }

    /// Applies `iterations` iterations of the batch as scheduled, ending at `now`: decoding
    /// sequences gain a token each per iteration, prefilling ones take their chunks (a completed
    /// prefill yields a token), finished sequences leave into `outcome`. Returns the tokens made.
    mutating func completeIterations(
        _ iterations: Int, at now: SimTime, requests: inout RequestTable, outcome: inout IterationOutcome
    ) -> Int {
        applyIterations(iterations, at: now, requests: &requests, outcome: &outcome)
    }

    /// `completeIterations`, inlined into `finishRun` (every run's end): the call cost as much as
    /// a run's end with nothing finishing. `decodeRun`: the iterations are a decode run's, in
    /// which no prefill chunk was scheduled (a prefill iteration before it was applied when the
    /// run was planned; a plan with prefills waiting for budget schedules none).
    @inline(__always)
    private mutating func applyIterations(
        _ iterations: Int, at now: SimTime, requests: inout RequestTable, outcome: inout IterationOutcome,
        decodeRun: Bool = false
    ) -> Int {
        // Every decoding sequence produced one token per iteration: one shared counter moves.
        decodeSteps += Int64(iterations)
        kvUsed += Int64(decoding) * Int64(iterations)
        // The decodes' new tokens take free cached blocks: the same ones whether the run's
        // iterations are applied one by one or at once (nothing reads the cache in between).
        trimPrefixCache()
        var tokens = decoding * iterations
        if decodeRun {
            // Only finishes can change the batch: the prefilling sequences (their buffer out of
            // the cache in a large fleet) are not read.
            checkNoChunks()
            if nextFinishStep <= decodeSteps { removeFinished(prefillsDone: 0, requests: &requests, outcome: &outcome) }
            return tokens
        }
        // The usual prefill: alone, nothing due, no prefix cache. Worked on a copy and written
        // back once (or not at all when it starts decoding): the loop below writes the buffer per
        // field and reads the sequence back to move it.
        if prefilling.count == 1 && !cachesPrefixes && nextFinishStep > decodeSteps {
            var sequence = prefilling[0]
            guard sequence.chunk > 0 else { return tokens }
            sequence.prefillRemaining -= sequence.chunk
            sequence.computed += Int64(sequence.chunk)
            sequence.chunk = 0
            if sequence.prefillRemaining == 0 {
                if sequence.generated == 0 { requests[sequence.id].firstTokenAt = now }
                sequence.generated += 1
                tokens += 1
                if sequence.generated < Int64(sequence.outputTokens) {
                    prefilling.removeLast()
                    startDecoding(sequence)
                    return tokens
                }
                prefilling[0] = sequence
                removeFinished(prefillsDone: 1, requests: &requests, outcome: &outcome)
                return tokens
            }
            prefilling[0] = sequence
            return tokens
        }
        var prefillsDone = 0, prefillFinished = false
        for index in prefilling.indices where prefilling[index].chunk > 0 {
            prefilling[index].prefillRemaining -= prefilling[index].chunk
            prefilling[index].computed += Int64(prefilling[index].chunk)
            prefilling[index].chunk = 0
            if cachesPrefixes && requests.hashedTokens(prefilling[index].id) > 0 {
                var sequence = prefilling[index]
                registerComputedBlocks(&sequence, computed: sequence.computed, requests: &requests)
                prefilling[index] = sequence
            }
            if prefilling[index].prefillRemaining == 0 {
                if prefilling[index].generated == 0 { requests[prefilling[index].id].firstTokenAt = now }
                prefilling[index].generated += 1
                tokens += 1
                prefillsDone += 1
                if prefilling[index].generated >= Int64(prefilling[index].outputTokens) { prefillFinished = true }
            }
        }
        if prefillFinished || nextFinishStep <= decodeSteps {
            removeFinished(prefillsDone: prefillsDone, requests: &requests, outcome: &outcome)
        } else {
            // Completed prefills are the first ones (budget goes in batch order): they decode now.
            for index in 0..<prefillsDone { startDecoding(prefilling[index]) }
            dropFirstPrefilling(prefillsDone)
        }
        return tokens
    }

    /// That no prefilling sequence has a chunk scheduled (a decode run's), in debug test runs.
    @inline(__always)
    func checkNoChunks() {
        #if HEADROOM_INVARIANTS
        precondition(prefilling.allSatisfy { $0.chunk == 0 }, "a decode run with a prefill chunk scheduled")
        #endif
    }

    /// Frees the buffers of an engine whose replica is gone (it holds no request); its counters
    /// (preemptions) stay for the run's totals.
    mutating func releaseStorage() {
        precondition(outstanding == 0 && !isBusy, "only an idle, empty engine releases its storage")
        waiting = Deque()
        decodingSlots = StateTable()
        freeDecodingSlot = -1
        freeDecodingSlotCount = 0
        prefilling = StateTable()
        finishSteps = MinHeap()
        nextFinish = .none
        dueSlots = StateTable()
        prefixCache = prefixCache.map { PrefixCache(blockTokens: $0.blockTokens) }
    }

    /// Sequences in the batch (decoding and prefilling).
    var batchSize: Int { decoding + prefilling.count }

    /// The decode step at which the first decoding sequence finishes (`Int64.max` when none decodes).
    @inline(__always)
    var nextFinishStep: Int64 { nextFinish.step }

    /// Takes the first decoding sequence to finish out of the finish-step heap; returns its slot.
    @inline(__always)
    mutating func takeNextFinish() -> Int32 {
        let slot = finishSteps.removeMin().slot
        resetNextFinish()
        return slot
    }

    /// Reads `nextFinish` from the heap again, after a removal from it.
    @inline(__always)
    mutating func resetNextFinish() {
        nextFinish = finishSteps.min ?? .none
    }

    /// Moves `sequence` (which just completed its prefill) into decoding form, in a free slot.
    /// (Inlined, as `vacate` and `finish`: once per request each, where a call and the copy of
    /// the sequence into it cost a third of the work.)
    @inline(__always)
    private mutating func startDecoding(_ sequence: RunningSequence) {
        var sequence = sequence
        sequence.generated -= decodeSteps
        sequence.computed -= decodeSteps
        sequence.kvHeld -= decodeSteps
        decodingComputed += sequence.computed
        decoding += 1
        let slot: Int32
        if freeDecodingSlot >= 0 {
            slot = freeDecodingSlot
            freeDecodingSlot = decodingSlots[Int(slot)].id
            freeDecodingSlotCount -= 1
            decodingSlots[Int(slot)] = sequence
        } else {
            slot = Int32(decodingSlots.count)
            decodingSlots.append(sequence)
        }
        let finishing = FinishStep(step: Int64(sequence.outputTokens) - sequence.generated, slot: slot, request: sequence.id)
        finishSteps.insert(finishing)
        if finishing.step < nextFinish.step { nextFinish = finishing }
    }

    /// Takes the decoding sequence in `slot` out of the batch; returns it with its counts made
    /// absolute again.
    @inline(__always)
    mutating func vacate(_ slot: Int32) -> RunningSequence {
        var sequence = decodingSlots[Int(slot)]
        decodingSlots[Int(slot)].ticket = RunningSequence.freeTicket
        decodingSlots[Int(slot)].id = freeDecodingSlot
        freeDecodingSlot = slot
        freeDecodingSlotCount += 1
        decoding -= 1
        decodingComputed -= sequence.computed
        sequence.generated += decodeSteps
        sequence.computed += decodeSteps
        sequence.kvHeld += decodeSteps
        return sequence
    }

    /// Removes every sequence that produced its last token — decoding ones found through their
    /// finish steps, plus one-token requests that just completed their prefill — reporting them in
    /// batch order; the other completed prefills (`prefillsDone`, the first prefilling ones)
    /// start decoding.
    private mutating func removeFinished(prefillsDone: Int, requests: inout RequestTable, outcome: inout IterationOutcome) {
        // The due ones, in batch (ticket) order: usually one, so an insertion sort into the kept
        // buffer (its first `due` entries; it is never cleared).
        // A lone due sequence (the usual case) leaves without a write to the buffer.
        var due = 0, lone: Int32 = -1
        while nextFinishStep <= decodeSteps {
            let slot = takeNextFinish()
            if due == 0 {
                lone = slot
                due = 1
                continue
            }
            if due == 1 {
                if dueSlots.isEmpty { dueSlots.append(lone) } else { dueSlots[0] = lone }
            }
            let ticket = decodingSlots[Int(slot)].ticket
            if due == dueSlots.count { dueSlots.append(slot) }
            var index = due
            due += 1
            while index > 0 && decodingSlots[Int(dueSlots[index - 1])].ticket > ticket {
                dueSlots[index] = dueSlots[index - 1]
                index -= 1
            }
            dueSlots[index] = slot
        }
        if due == 1 {
            finish(vacate(lone), requests: &requests, outcome: &outcome)
        } else {
            for index in 0..<due { finish(vacate(dueSlots[index]), requests: &requests, outcome: &outcome) }
        }
        for index in 0..<prefillsDone {
            if prefilling[index].generated >= Int64(prefilling[index].outputTokens) {
                finish(prefilling[index], requests: &requests, outcome: &outcome)
            } else {
                startDecoding(prefilling[index])
            }
        }
        dropFirstPrefilling(prefillsDone)
    }

    /// Removes the first `count` prefilling sequences. Usually all of them (often one): removing
    /// from the end keeps the buffer and skips the general range replacement. Inlined: most
    /// calls (every decode run's end) drop none.
    @inline(__always)
    private mutating func dropFirstPrefilling(_ count: Int) {
        guard count > 0 else { return }
        if count == prefilling.count {
            for _ in 0..<count { prefilling.removeLast() }
        } else {
            prefilling.removeFirst(count)
        }
    }

    /// Reports a sequence (counts absolute) that produced its last token and frees its KV.
    @inline(__always)
    private mutating func finish(_ sequence: RunningSequence, requests: inout RequestTable, outcome: inout IterationOutcome) {
        var sequence = sequence
        releasePrefix(&sequence, requests: &requests)
        kvUsed -= sequence.kvHeld
        outstanding -= 1
        requests[sequence.id].generated = Int32(sequence.generated)
        outcome.finished.append(sequence.id)
    }
}
