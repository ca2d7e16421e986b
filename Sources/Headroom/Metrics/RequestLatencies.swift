import HeadroomEngine

/// The latencies of a deployment's finished requests: TTFT, ITL, end-to-end and queue wait over
/// the run (HdrHistogram layout, as `LatencyHistogram`), and TTFT over the current series
/// interval (as `IntervalLatency`), all counted into one array.
///
/// Why one array: a finished request is recorded in all of them at once, and separate histograms
/// cost a copy-on-write check, bounds checks and a spill check each (~355 instructions a request on
/// B1); here it is one copy-on-write check, no bounds checks, and the spill on a cold path. How many
/// values each holds, and the interval's extent, are read from the counts when asked for, not kept
/// per request. The histograms read back (`histogram(_:)`, `interval`) equal those of recording
/// each latency into its own `LatencyHistogram` / `IntervalLatency` (a test checks this).
struct RequestLatencies {
    /// The run-long histograms, in lane order.
    enum Kind: Int, CaseIterable {
        case ttft, itl, e2e, queueWait
    }

    /// Where the interval's buckets start: after the four lanes. (Computed from literals, so
    /// folded: a stored static is read through a once-token check.)
    private static var intervalBase: Int { 4 * LatencyCounts.laneSize }

    private var counts: LatencyCounts
    private var ttft = LatencyTally(), itl = LatencyTally(), e2e = LatencyTally(), queueWait = LatencyTally()
    /// The largest TTFT since the interval began.
    private var intervalMaximum: Int64 = 0

    init(spillAt: UInt32 = .max) {
        counts = LatencyCounts(lanes: Kind.allCases.count, extra: IntervalLatency.bucketCount, spillAt: spillAt)
    }

    /// The slot of `latency` in lane `kind`.
    @inline(__always)
    private static func slot(_ latency: SimTime, _ kind: Kind) -> Int {
        kind.rawValue * LatencyCounts.laneSize + LatencyHistogram.countsIndex(LatencyHistogram.clamped(latency).value)
    }

    /// Counts `latency` in lane `kind` of `slots` and adds it to `tally`; true if its slot was
    /// full and left for `spill`.
    @inline(__always)
    private static func count(
        _ latency: SimTime, _ kind: Kind, in slots: UnsafeMutablePointer<UInt32>, spillAt: UInt32, tally: inout LatencyTally
    ) -> Bool {
        let (ns, value) = LatencyHistogram.clamped(latency)
        tally.add(ns, value: value)
        return LatencyCounts.bump(slots, kind.rawValue * LatencyCounts.laneSize + LatencyHistogram.countsIndex(value), spillAt: spillAt)
    }

    /// Records a finished request's latencies; `itl` is nil when it made one output token.
    /// - Complexity: O(1), one copy-on-write check.
    @inline(__always)
    mutating func record(ttft: SimTime, itl: SimTime?, e2e: SimTime, queueWait: SimTime) {
        let slots = counts.uniqueSlots()
        count(ttft: ttft, itl: itl, e2e: e2e, queueWait: queueWait, in: slots)
    }

    /// Records the latencies of `request`, finished at `now`, and returns its TTFT and ITL (zero
    /// when it made one output token). The same as `record(ttft:itl:e2e:queueWait:)`, with the
    /// copy-on-write check first: the latencies computed after it are not held across its call
    /// (spilled and reloaded on every finished request).
    @inline(__always)
    mutating func record(_ request: RequestSlot, finishedAt now: SimTime) -> (ttft: SimTime, itl: SimTime) {
        let slots = counts.uniqueSlots()
        let ttft = request.firstTokenAt - request.arrival
        let hasITL = request.outputTokens > 1
        let itl = hasITL
            ? SimTime(nanoseconds: (now - request.firstTokenAt).nanoseconds / Int64(request.outputTokens - 1))
            : SimTime(nanoseconds: 0)
        count(ttft: ttft, itl: hasITL ? itl : nil, e2e: now - request.arrival, queueWait: request.admittedAt - request.arrival,
              in: slots)
        return (ttft, itl)
    }

    /// Counts a finished request's latencies into `slots` (this value's own, `counts.uniqueSlots()`).
    @inline(__always)
    private mutating func count(ttft: SimTime, itl: SimTime?, e2e: SimTime, queueWait: SimTime, in slots: UnsafeMutablePointer<UInt32>) {
        let spillAt = counts.spillAt
        var full: UInt8 = 0
        if Self.count(ttft, .ttft, in: slots, spillAt: spillAt, tally: &self.ttft) { full |= 1 }
        if let itl, Self.count(itl, .itl, in: slots, spillAt: spillAt, tally: &self.itl) { full |= 2 }
        if Self.count(e2e, .e2e, in: slots, spillAt: spillAt, tally: &self.e2e) { full |= 4 }
        if Self.count(queueWait, .queueWait, in: slots, spillAt: spillAt, tally: &self.queueWait) { full |= 8 }
        let ttftNs = max(0, ttft.nanoseconds)
        slots[Self.intervalBase + IntervalLatency.bucket(ttftNs)] &+= 1
        intervalMaximum = max(intervalMaximum, ttftNs)
        if full != 0 { spill(full, ttft: ttft, itl: itl, e2e: e2e, queueWait: queueWait) }
    }

    /// Counts what `record` found full (bit 0: TTFT, 1: ITL, 2: end-to-end, 3: queue wait).
    @inline(never)
    private mutating func spill(_ full: UInt8, ttft: SimTime, itl: SimTime?, e2e: SimTime, queueWait: SimTime) {
        if full & 1 != 0 { counts.countSpilling(Self.slot(ttft, .ttft)) }
        if full & 2 != 0, let itl { counts.countSpilling(Self.slot(itl, .itl)) }
        if full & 4 != 0 { counts.countSpilling(Self.slot(e2e, .e2e)) }
        if full & 8 != 0 { counts.countSpilling(Self.slot(queueWait, .queueWait)) }
    }

    /// The run-long histogram of `kind`, as if its latencies had been recorded into it alone.
    func histogram(_ kind: Kind) -> LatencyHistogram {
        let tally = switch kind {
        case .ttft: ttft
        case .itl: itl
        case .e2e: e2e
        case .queueWait: queueWait
        }
        let (lane, count) = counts.lane(kind.rawValue)
        return LatencyHistogram(counts: lane, count: count, tally: tally)
    }

    /// TTFT of the requests recorded since the last `clearInterval()`.
    var interval: IntervalLatency {
        IntervalLatency(
            counts: counts.plainSlots(Self.intervalBase..<Self.intervalBase + IntervalLatency.bucketCount),
            maximum: intervalMaximum)
    }

    /// Starts a new series interval.
    mutating func clearInterval() {
        counts.clear(Self.intervalBase..<Self.intervalBase + IntervalLatency.bucketCount)
        intervalMaximum = 0
    }

    /// Adds another deployment's run-long histograms (the cluster's distributions); the interval
    /// is left as it is.
    mutating func merge(_ other: RequestLatencies) {
        counts.merge(other.counts, lanes: Kind.allCases.count)
        ttft.merge(other.ttft)
        itl.merge(other.itl)
        e2e.merge(other.e2e)
        queueWait.merge(other.queueWait)
    }
}
