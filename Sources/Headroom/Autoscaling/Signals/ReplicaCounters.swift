import HeadroomEngine

/// Cumulative counters of one replica (or of the activator), as exporters expose them: every
/// signal is a difference of these between two instants divided by the time between.
///
/// All are integers (the time integrals in nanoseconds), so a window's value is exact and does not
/// depend on how often the state was updated inside it (an engine that takes fewer events gives
/// the same readings). They wrap like an exporter's counters: only differences are meaningful.
struct ReplicaCounters: Sendable {
    /// ∫ requests at the replica dt (request-nanoseconds, wrapping).
    var concurrencyNanoseconds: Int64 = 0
    /// ∫ [an iteration in progress] dt (nanoseconds, wrapping).
    var busyNanoseconds: Int64 = 0
    var arrivals = 0
    var completions = 0
    /// Output tokens produced (credited when their run ends; a scrape adds those of the run under
    /// way, `ReplicaEngine.unreportedProgress`).
    var outputTokens = 0
    /// Engine iterations completed.
    var iterations = 0

    /// Request-seconds and busy seconds of a difference of counters.
    var concurrencySeconds: Double { Double(concurrencyNanoseconds) / 1e9 }
    var busySeconds: Double { Double(busyNanoseconds) / 1e9 }

    static func - (a: ReplicaCounters, b: ReplicaCounters) -> ReplicaCounters {
        ReplicaCounters(
            concurrencyNanoseconds: a.concurrencyNanoseconds &- b.concurrencyNanoseconds,
            busyNanoseconds: a.busyNanoseconds &- b.busyNanoseconds,
            arrivals: a.arrivals &- b.arrivals, completions: a.completions &- b.completions,
            outputTokens: a.outputTokens &- b.outputTokens, iterations: a.iterations &- b.iterations)
    }
}

/// A replica's counters and the state they integrate.
struct CounterState: Sendable {
    private(set) var counters = ReplicaCounters()
    private var since = SimTime.zero
    private var outstanding = 0
    private var busy = false

    init(at now: SimTime = .zero) { since = now }

    /// Integrates up to `now`, then takes the new state.
    mutating func update(outstanding: Int, busy: Bool, at now: SimTime) {
        advance(to: now)
        self.outstanding = outstanding
        self.busy = busy
    }

    mutating func advance(to now: SimTime) {
        let elapsed = (now - since).nanoseconds
        if elapsed > 0 {
            counters.concurrencyNanoseconds &+= Int64(outstanding) &* elapsed
            if busy { counters.busyNanoseconds &+= elapsed }
        }
        since = now
    }

    mutating func count(arrivals: Int = 0, completions: Int = 0, outputTokens: Int = 0, iterations: Int = 0) {
        counters.arrivals &+= arrivals
        counters.completions &+= completions
        counters.outputTokens &+= outputTokens
        counters.iterations &+= iterations
    }

    /// The counters as of `now`.
    func snapshot(at now: SimTime) -> ReplicaCounters {
        var copy = self
        copy.advance(to: now)
        return copy.counters
    }
}
