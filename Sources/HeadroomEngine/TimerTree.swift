/// Timers that can be superseded: at most one pending event per slot, kept in a tournament tree.
///
/// A replica's next iteration boundary moves whenever a request arrives mid-run, and a
/// deployment has exactly one next arrival. In a plain heap each move leaves the old entry behind,
/// to be popped and ignored later (about one event in four in a busy run). Here a slot's new
/// time replaces its old one in place: the tree replays the matches on the slot's path to the
/// root, so setting, cancelling and popping are O(log₂ slots), and no stale entry is ever popped.
/// A replay stops at the first parent whose winner it leaves unchanged (a later boundary for a
/// replica that was not winning stops after a level or two): measured on a hold model, as fast
/// as a full replay at 17 slots and 20–25 % faster at 1,000–10,000.
///
/// **Layout** (TimerTree+Storage.swift). A winner tree over exactly the slots, built at init:
/// each node holds its subtree's least time and the slot that holds it, in 16 bytes (so a level
/// is one cache line); a key's low half (phase and sequence) is kept once per slot, and the events
/// live apart, one per slot, written by `set` and read once by the pop. So a replay reads one
/// sibling node per level and writes one, and a pop reads the root, its slot's low half and one
/// event. The arrays share one reference: an operation checks once that it owns them (copy on
/// write), then works on plain pointers. On B1 (17 slots) this cut a set from ~214 to ~85
/// instructions and a pop with its `firstKey` from ~116 to ~50 (cachegrind).
///
/// **The popped slot's replay** (a replica setting its next boundary, most sets) changes every
/// node on its path, so it chooses each level's winner by conditional moves between the two
/// nodes already loaded, without a branch or a reload: the levels' loads need not wait in turn
/// behind mispredicted comparisons or one another, which in a fleet's tree miss the cache. It
/// compares times alone, and redoes the walk with whole keys in the rare case that two times
/// tie. The fleet's first 3 minutes: ~−9 % wall with the next-timer hint
/// (`EventQueue.nextTimerHint`); the day ~−4 %.
///
/// **Deferred vacancy.** Popping a slot's event usually leads its handler to set the same slot
/// again (a replica plans its next boundary). The pop therefore only marks the slot vacant; the
/// next operation replays that path once, folded into the slot's new key when it is the same slot.
public struct TimerTree<Payload> {
    @usableFromInline var storage: Storage
    /// A slot popped whose path has not yet been replayed, or -1.
    @usableFromInline var vacated: Int = -1

    @inlinable static var empty: UInt128 { .max }

    /// A tree of `slots` leaves (at least 2), exactly: a power of two would add a level to most
    /// paths (17 slots: 4 or 5 levels, against 5 in a tree of 32).
    public init(slots: Int = 2) {
        storage = Storage(capacity: max(2, slots))
    }

    /// Leaves in the tree (at least 2).
    @inlinable var capacity: Int { storage.capacity }

    /// Slots holding a pending event.
    /// - Complexity: O(slots): for tests and diagnostics, not the hot path.
    public var count: Int {
        var pending = 0
        for slot in 0..<capacity where slot != vacated && storage.key(capacity + slot) != Self.empty { pending += 1 }
        return pending
    }

    /// The least pending key (`UInt128.max` when none).
    @inlinable public var firstKey: UInt128 {
        @inline(__always) mutating get {
            if vacated >= 0 { settle() }
            return storage.key(1)
        }
    }

    /// Sets slot `slot`'s pending event, replacing any it had.
    /// - Complexity: O(log₂ slots); one ownership check.
    @inlinable
    public mutating func set(_ slot: Int, key: UInt128, payload: Payload) {
        precondition(key != Self.empty, "a timer's key cannot be the empty key")
        set(slot, validKey: key, payload: payload)
    }

    /// `set` with a key known not to be empty (the event queue's: its time part is below 2⁶³).
    /// Inlined into the model's few call sites; the rare work (growth, a copy, another slot's
    /// vacancy) is out of line.
    @inlinable @inline(__always)
    mutating func set(_ slot: Int, validKey key: UInt128, payload: Payload) {
        if UInt(bitPattern: slot) >= UInt(bitPattern: storage.capacity) || !isKnownUniquelyReferenced(&storage) {
            own(toHold: slot)
        }
        let tree = storage
        if vacated == slot {
            // The slot just popped (its handler plans its next event): its whole path names it.
            vacated = -1
            tree.payloads[slot] = payload
            tree.replayPopped(slot: slot, key: key)
        } else {
            if vacated >= 0 { settleOwned() }
            tree.payloads[slot] = payload
            tree.replay(slot: slot, key: key)
        }
        checkInvariants()
    }

    /// Drops slot `slot`'s pending event, if any.
    public mutating func cancel(_ slot: Int) {
        if vacated >= 0 { settle() }
        guard slot >= 0, slot < capacity, storage.key(capacity + slot) != Self.empty else { return }
        own(toHold: slot)
        storage.replay(slot: slot, key: Self.empty)
        checkInvariants()
    }

    /// Removes and returns the least pending event. Call only when `firstKey` (which settles the
    /// tree) is not empty.
    @inlinable
    public mutating func popFirst() -> (key: UInt128, payload: Payload) {
        if vacated >= 0 { settle() }
        return popSettled()
    }

    /// `popFirst` right after `firstKey` (the tree is settled).
    @inlinable @inline(__always)
    mutating func popSettled() -> (key: UInt128, payload: Payload) {
        let tree = storage
        let slot = Int(tree.nodes[1].winner)
        vacated = slot
        return (tree.key(1), tree.payloads[slot].unsafelyUnwrapped)
    }

    /// Whether slot `slot` has a pending event.
    public mutating func isPending(_ slot: Int) -> Bool {
        if vacated >= 0 { settle() }
        return slot >= 0 && slot < capacity && storage.key(capacity + slot) != Self.empty
    }

    /// Drops every pending event.
    public mutating func removeAll() {
        self = TimerTree(slots: capacity)
    }

    /// Replays the vacated slot's path (when the next operation is not a set of that slot).
    @usableFromInline @inline(never)
    mutating func settle() {
        if !isKnownUniquelyReferenced(&storage) { own(toHold: vacated) }
        settleOwned()
    }

    /// `settle` once the storage is this tree's own.
    @inlinable @inline(never)
    mutating func settleOwned() {
        let slot = vacated
        vacated = -1
        storage.replay(slot: slot, key: Self.empty)
        checkInvariants()
    }

    /// Makes the storage this tree's own (copy on write) with room for slot `slot`, doubling the
    /// leaves until it fits and keeping every pending key and the vacancy.
    @usableFromInline @inline(never)
    mutating func own(toHold slot: Int) {
        precondition(slot >= 0, "timer slot \(slot) is negative")
        var capacity = storage.capacity
        while capacity <= slot { capacity <<= 1 }
        if capacity != storage.capacity || !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy(capacity: capacity)
        }
    }
}

extension TimerTree {
    /// Checks that every node holds the least key of its children and names the slot that holds
    /// it, after a mutation, when built with `HEADROOM_INVARIANTS` (debug test runs); compiles to
    /// nothing otherwise.
    @inlinable @inline(__always)
    func checkInvariants() {
        #if HEADROOM_INVARIANTS
        let capacity = storage.capacity, key = storage.key, nodes = storage.nodes
        for node in 1..<capacity {
            precondition(key(node) == min(key(2 * node), key(2 * node + 1)), "timer tree out of order at \(node)")
            let slot = Int(nodes[node].winner)
            precondition(key(node) == Self.empty || key(capacity + slot) == key(node), "timer tree names the wrong slot at \(node)")
        }
        for slot in 0..<capacity where key(capacity + slot) != Self.empty {
            precondition(storage.payloads[slot] != nil, "timer slot \(slot) pending without an event")
        }
        #endif
    }
}
