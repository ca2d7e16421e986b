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
/// engine plans the whole run of decode iterations at once (`StepTimeModel.decodeRun`). An arrival
/// that could be admitted cuts the run at the next iteration boundary. With `collapsesDecodeRuns`
/// off, every iteration is its own run: the naive reference the tests compare against.
@usableFromInline
struct ReplicaEngine {
    let limits: EngineSpec
    let kvCapacity: Int64
    let collapsesDecodeRuns: Bool
    let queueTimeout: SimTime?

    var waiting = Deque<Int32>()
    /// Admitted sequences, oldest first, with their token state kept here (not in the request
    /// table): every iteration boundary walks the batch, and a contiguous array of small records
    /// keeps that walk in cache.
    var running: [RunningSequence] = []
    var kvUsed: Int64 = 0
    var preemptions = 0

    /// The run under way: `runIterations` iterations from `runStart`, ending at `runEnd`.
    var isBusy = false
    var runStart = SimTime.zero
    var runEnd = SimTime.zero
    var runIterations = 0
    var runIsDecode = false
    var runBatch = 0
    var runContext: Int64 = 0
    /// Bumped whenever the planned end moves, so that a stale end-of-run event is ignored.
    var generation: UInt32 = 0

    init(limits: EngineSpec, kvCapacity: Int64?, collapsesDecodeRuns: Bool, queueTimeout: SimTime?) {
        self.limits = limits
        self.kvCapacity = kvCapacity ?? (Int64.max / 4)
        self.collapsesDecodeRuns = collapsesDecodeRuns
        self.queueTimeout = queueTimeout
    }

    /// Requests queued or running here (kept as a count: the router reads it on every arrival).
    var outstanding = 0

    /// Queues a routed request. Returns the new end of run when an event must be scheduled (the
    /// replica was idle, or a decode run was cut short so the request joins sooner).
    mutating func enqueue(
        _ id: Int32, at now: SimTime, requests: inout RequestTable, model: StepTimeModel, outcome: inout IterationOutcome
    ) -> SimTime? {
        let wasEmpty = waiting.isEmpty
        waiting.append(id)
        outstanding += 1
        if !isBusy {
            // An idle engine has nothing running (a non-empty batch always has a run under way).
            return planIteration(at: now, decoding: 0, requests: &requests, model: model, outcome: &outcome)
        }
        guard runIsDecode, runIterations > 1, wasEmpty else { return nil }
        let boundary = model.iterationsToReach(
            offset: (now - runStart).nanoseconds, batch: runBatch, contextTokens: runContext, limit: runIterations)
        let request = requests[id]
        if admissible(request, afterDecodeIterations: boundary) {
            return cutRun(at: boundary, model: model)
        }
        if let deadline = deadline(of: request) {
            return cutRun(at: iterationBoundary(after: deadline, model: model), model: model)
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
        at now: SimTime, requests: inout RequestTable, model: StepTimeModel, outcome: inout IterationOutcome
    ) -> SimTime? {
        precondition(isBusy && now == runEnd, "a run ends only at its planned end")
        let iterations = runIterations
        outcome.iterations += iterations
        var kept = 0, decoding = 0
        for index in running.indices {
            var sequence = running[index]
            var produced: Int32 = 0
            if sequence.chunk > 0 {
                sequence.prefillRemaining -= sequence.chunk
                sequence.computed += sequence.chunk
                sequence.chunk = 0
                produced = sequence.prefillRemaining == 0 ? 1 : 0
            } else if sequence.prefillRemaining == 0 {
                let steps = Int32(iterations)
                sequence.computed += steps
                sequence.kvHeld += steps
                kvUsed += Int64(steps)
                produced = steps
            }
            if produced > 0 {
                if sequence.generated == 0 { requests[sequence.id].firstTokenAt = now }
                sequence.generated += produced
                outcome.tokens += Int(produced)
            }
            if sequence.generated >= sequence.outputTokens {
                kvUsed -= Int64(sequence.kvHeld)
                requests[sequence.id].generated = sequence.generated
                outcome.finished.append(sequence.id)
            } else {
                running[kept] = sequence
                kept += 1
                if sequence.prefillRemaining == 0 { decoding += 1 }
            }
        }
        outstanding -= running.count - kept
        while running.count > kept { running.removeLast() }
        isBusy = false
        checkInvariants(requests)
        return planIteration(at: now, decoding: decoding, requests: &requests, model: model, outcome: &outcome)
    }
}

/// A sequence in the batch: its request id and the token state that changes every iteration.
@usableFromInline
struct RunningSequence {
    var id: Int32
    var outputTokens: Int32
    /// Output tokens produced so far.
    var generated: Int32
    /// Tokens still to prefill before the next token comes out.
    var prefillRemaining: Int32
    /// Prefill tokens scheduled in the iteration under way (0 when decoding).
    var chunk: Int32 = 0
    /// Tokens whose keys and values are computed: what attention reads.
    var computed: Int32 = 0
    /// KV-cache tokens held: the reserved prefill plus one per decode iteration.
    var kvHeld: Int32
}

/// What an engine step reports back: requests that finished or were dropped in it. Reused across
/// steps so that no array is allocated per event.
@usableFromInline
struct IterationOutcome {
    var finished: [Int32] = []
    var timedOut: [Int32] = []
    /// Output tokens produced and iterations completed by the run that ended.
    var tokens = 0
    var iterations = 0
    @inline(__always)
    mutating func clear() {
        tokens = 0
        iterations = 0
        while !finished.isEmpty { finished.removeLast() }
        while !timedOut.isEmpty { timedOut.removeLast() }
    }
}
