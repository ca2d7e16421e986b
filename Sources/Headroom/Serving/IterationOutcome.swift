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
