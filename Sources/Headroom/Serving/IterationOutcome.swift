/// What an engine step reports back: requests that finished or were dropped in it. Reused across
/// steps so that no array is allocated per event; its lists are `StateTable`s (written without a
/// copy-on-write check: the simulation owns the one outcome its engines report into).
@usableFromInline
struct IterationOutcome {
    var finished = StateTable<Int32>()
    var timedOut = StateTable<Int32>()
    /// Output tokens produced and iterations completed by the run that ended.
    var tokens = 0
    var iterations = 0
    @inline(__always)
    mutating func clear() {
        tokens = 0
        iterations = 0
        if !finished.isEmpty { finished.removeAll() }
        if !timedOut.isEmpty { timedOut.removeAll() }
    }
}
