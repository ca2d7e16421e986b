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
    /// Admitted sequences, oldest first.
    var running: [Int32] = []
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

    /// Requests queued or running here.
    var outstanding: Int { waiting.count + running.count }

    /// Queues a routed request. Returns the new end of run when an event must be scheduled (the
    /// replica was idle, or a decode run was cut short so the request joins sooner).
    mutating func enqueue(
        _ id: Int32, at now: SimTime, requests: inout RequestTable, model: StepTimeModel, outcome: inout IterationOutcome
    ) -> SimTime? {
        let wasEmpty = waiting.isEmpty
        waiting.append(id)
        if !isBusy {
            return planIteration(at: now, requests: &requests, model: model, outcome: &outcome)
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

    /// Ends the run under way at `now` (its planned end), then plans the next iteration.
    mutating func finishRun(
        at now: SimTime, requests: inout RequestTable, model: StepTimeModel, outcome: inout IterationOutcome
    ) -> SimTime? {
        precondition(isBusy && now == runEnd, "a run ends only at its planned end")
        let iterations = runIterations
        var index = 0
        while index < running.count {
            let id = running[index]
            var produced: Int32 = 0
            if requests[id].chunk > 0 {
                let chunk = requests[id].chunk
                requests[id].prefillRemaining -= chunk
                requests[id].computed += Int64(chunk)
                requests[id].chunk = 0
                produced = requests[id].prefillRemaining == 0 ? 1 : 0
            } else if requests[id].prefillRemaining == 0 {
                let steps = Int64(iterations)
                requests[id].computed += steps
                requests[id].kvHeld += steps
                kvUsed += steps
                produced = Int32(iterations)
            }
            if produced > 0 {
                if requests[id].generated == 0 { requests[id].firstTokenAt = now }
                requests[id].generated += produced
            }
            if requests[id].generated >= requests[id].outputTokens {
                kvUsed -= requests[id].kvHeld
                running.remove(at: index)
                outcome.finished.append(id)
            } else {
                index += 1
            }
        }
        isBusy = false
        checkInvariants(requests)
        return planIteration(at: now, requests: &requests, model: model, outcome: &outcome)
    }
}

/// What an engine step reports back: requests that finished or were dropped in it. Reused across
/// steps so that no array is allocated per event.
@usableFromInline
struct IterationOutcome {
    var finished: [Int32] = []
    var timedOut: [Int32] = []
    mutating func clear() {
        finished.removeAll(keepingCapacity: true)
        timedOut.removeAll(keepingCapacity: true)
    }
}
