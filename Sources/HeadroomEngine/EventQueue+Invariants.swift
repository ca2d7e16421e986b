extension EventQueue {
    /// Checks the heap order after a mutation when built with `HEADROOM_INVARIANTS` (debug test
    /// runs); compiles to nothing otherwise.
    @inlinable @inline(__always)
    func checkInvariants() {
        #if HEADROOM_INVARIANTS
        for index in storage.indices.dropFirst() {
            precondition(storage[(index - 1) >> 2].key <= storage[index].key, "event heap out of order at \(index)")
        }
        #endif
    }
}
