import HeadroomCPUHints

/// The pending events of a run, served in one documented order.
///
/// **Order.** Events pop by (time, phase, sequence): earlier time first; at the same instant the
/// lower phase first (a model uses phases to say, for example, "arrivals before iteration
/// boundaries"); within one time and phase, in the order they were scheduled. The three parts are
/// packed into one `UInt128` key (64 bits of time, 8 of phase, 56 of sequence), so a comparison is
/// one integer compare and the order is total: a run is deterministic.
///
/// **Layout.** A 4-ary min-heap over a `ContiguousArray` of plain values. The payload is the
/// model's own small value type (an event kind and an integer id); no class, closure or existential
/// is stored per event. A 4-ary heap halves the depth of a binary one, and its four children share
/// a cache line.
///
/// **Timers.** An event that a later one supersedes (a replica's next iteration boundary, a
/// deployment's next arrival) goes in a numbered slot instead (`setTimer`), where the new time
/// replaces the old (TimerTree.swift). Timers and heap events share one sequence counter and
/// pop in the same (time, phase, sequence) order.
///
/// **Lead timer.** Optionally, timer 0 (a model's busiest, such as a run's next arrival) is kept
/// apart, as one key and one event. A timer set right after it popped replays its whole path to
/// the tree's root, eight levels in a 200-replica fleet's tree; kept apart, it is two stores, for
/// one more key compared per pop (on a day of 300,000 arrivals, ~25 M instructions an hour fewer).
/// Where a timer is kept changes nothing in the order: each pop takes the least key of all.
///
/// - Complexity: `schedule` and `popNext` are O(log₄ n); `setTimer` O(log₂ slots).
public struct EventQueue<Payload> {
    @usableFromInline
    struct Entry {
        @usableFromInline var key: UInt128
        @usableFromInline var payload: Payload
        @inlinable init(key: UInt128, payload: Payload) {
            self.key = key
            self.payload = payload
        }
    }

    @usableFromInline var storage: ContiguousArray<Entry> = []
    @usableFromInline var nextSequence: UInt64 = 0
    @usableFromInline var timers: TimerTree<Payload>
    /// With a lead timer: timer 0's key (`UInt128.max` when none is pending) and event; the tree
    /// holds timer `leadSlots + i` at slot `i`.
    @usableFromInline var leadKey: UInt128 = .max
    @usableFromInline var leadPayload: Payload?
    /// 1 with a lead timer, else 0.
    @usableFromInline let leadSlots: Int

    /// The largest phase a model may use.
    public static var maxPhase: UInt8 { .max }
    /// Sequence numbers wrap after 2⁵⁶ schedules, far beyond any run.
    @usableFromInline static var sequenceMask: UInt64 { (1 << 56) - 1 }

    /// `timerSlots`: the timers to make room for at first (more are added as slots are used);
    /// `leadTimer`: timer 0 is kept apart from the tree.
    public init(reservingCapacity capacity: Int = 64, timerSlots: Int = 2, leadTimer: Bool = false) {
        storage.reserveCapacity(capacity)
        leadSlots = leadTimer ? 1 : 0
        timers = TimerTree(slots: timerSlots - leadSlots)
    }

    @inlinable public var count: Int { storage.count + timers.count + (leadKey == .max ? 0 : 1) }
    @inlinable public var isEmpty: Bool { count == 0 }

    /// The time of the next event, or `nil` when none is pending.
    @inlinable public var nextTime: SimTime? {
        mutating get {
            let first = min(storage.first?.key ?? .max, timers.firstKey, leadKey)
            return first == .max ? nil : Self.time(of: first)
        }
    }

    @inlinable @inline(__always)
    mutating func nextKey(_ time: SimTime, phase: UInt8) -> UInt128 {
        precondition(time.nanoseconds >= 0, "events cannot be scheduled before time zero")
        let key = UInt128(UInt64(time.nanoseconds)) << 64
            | UInt128(phase) << 56
            | UInt128(nextSequence & Self.sequenceMask)
        nextSequence &+= 1
        return key
    }

    /// Adds an event. `time` must not be negative. (Inlined: one call per event otherwise.)
    @inlinable @inline(__always)
    public mutating func schedule(_ payload: Payload, at time: SimTime, phase: UInt8 = 0) {
        let key = nextKey(time, phase: phase)
        storage.append(Entry(key: key, payload: payload))
        storage.withUnsafeMutableBufferPointer { Self.siftUp($0, from: $0.count - 1) }
        checkInvariants()
    }

    /// Sets timer `slot` (a small dense integer) to `payload` at `time`, replacing the event it
    /// held, if any. It takes its place in the order as if scheduled now.
    @inlinable @inline(__always)
    public mutating func setTimer(_ slot: Int, _ payload: Payload, at time: SimTime, phase: UInt8 = 0) {
        let key = nextKey(time, phase: phase)
        // (Unsigned: a negative slot goes to the tree, which refuses it.)
        if UInt(bitPattern: slot) < UInt(bitPattern: leadSlots) {
            leadKey = key
            leadPayload = payload
        } else {
            timers.set(slot &- leadSlots, validKey: key, payload: payload)
        }
    }

    /// Drops timer `slot`'s pending event, if any.
    public mutating func cancelTimer(_ slot: Int) {
        if UInt(bitPattern: slot) < UInt(bitPattern: leadSlots) { leadKey = .max } else { timers.cancel(slot - leadSlots) }
    }

    /// Removes and returns the first event in (time, phase, sequence) order.
    @inlinable
    public mutating func popNext() -> (time: SimTime, payload: Payload)? {
        popNext(notAfter: .never)
    }

    /// The timer whose event will likely pop next, when that is known without work (the tree is
    /// settled and the next event is a timer's), else nil: a hint to load its target's state
    /// early, never an order. The timer's number is read from the tree's root, not its event
    /// (in a large tree the event is one more load out of the cache, and mapping it to the model's
    /// state another). Times alone are compared (a key's low half is one more load); of events at
    /// the same instant it may name the wrong one.
    @inlinable @inline(__always)
    public func nextTimerHint() -> Int? {
        guard timers.vacated < 0 else { return nil }
        return timerHint(tree: timers.storage.nodes[1])
    }

    /// Right after a timer popped (before its handler sets it again): the timer that will likely
    /// pop after the handler's events, when that is not the popped timer itself: a hint to load
    /// its target's state an event ahead. Times alone are compared, as in `nextTimerHint`.
    @inlinable @inline(__always)
    public func followingTimerHint() -> Int? {
        let popped = timers.vacated
        guard popped >= 0 else { return nil }
        return timerHint(tree: timers.storage.runnerUp(of: popped))
    }

    /// The timer whose event comes first among the lead timer, the tree's candidate `tree` (its
    /// time and slot) and the heap, by time alone; nil when that is the heap's event or none.
    @inlinable @inline(__always)
    func timerHint(tree: TimerTree<Payload>.Storage.Node) -> Int? {
        let leadTime = UInt64(truncatingIfNeeded: leadKey >> 64)
        let heapTime = storage.isEmpty ? .max : UInt64(truncatingIfNeeded: storage[0].key >> 64)
        if leadTime < tree.high && leadTime <= heapTime { return 0 }
        if tree.high <= heapTime && tree.high != .max { return Int(tree.winner) &+ leadSlots }
        return nil
    }

    /// Starts loading what popping timer `timer` reads from the tree beside its root: its key's
    /// low half and its event (a hint, for the timer `nextTimerHint` named).
    @inlinable @inline(__always)
    public func prefetchTimer(_ timer: Int) {
        let slot = timer &- leadSlots
        guard slot >= 0 else { return }
        let tree = timers.storage
        headroom_prefetch(tree.low + slot)
        headroom_prefetch(tree.payloads + slot)
    }

    /// Removes and returns the first event if it is due at or before `horizon`.
    ///
    /// Inlined into the run loop: most events are timers (a replica's next boundary, a
    /// deployment's next arrival), popped here with a few loads; the heap's events (a few in a
    /// thousand on a busy day) go through `popHeap`, out of line.
    @inlinable @inline(__always)
    public mutating func popNext(notAfter horizon: SimTime) -> (time: SimTime, payload: Payload)? {
        let timerKey = timers.firstKey, leadKey = leadKey
        let heapKey = storage.first?.key ?? .max
        let limit = UInt64(bitPattern: horizon.nanoseconds)
        if leadKey < timerKey {
            if leadKey < heapKey {
                guard UInt64(truncatingIfNeeded: leadKey >> 64) <= limit else { return nil }
                self.leadKey = .max
                return (Self.time(of: leadKey), leadPayload.unsafelyUnwrapped)
            }
        } else if timerKey < heapKey {
            guard UInt64(truncatingIfNeeded: timerKey >> 64) <= limit else { return nil }
            let timer = timers.popSettled()
            return (Self.time(of: timer.key), timer.payload)
        }
        guard heapKey != .max, UInt64(truncatingIfNeeded: heapKey >> 64) <= limit else { return nil }
        return popHeap()
    }

    /// Removes and returns the heap's first event (there is one).
    @inlinable @inline(never)
    mutating func popHeap() -> (time: SimTime, payload: Payload) {
        let first = storage[0]
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage.withUnsafeMutableBufferPointer { buffer in
                buffer[0] = last
                Self.siftDown(buffer, from: 0)
            }
        }
        checkInvariants()
        return (Self.time(of: first.key), first.payload)
    }

    /// The time part of a key.
    @inlinable @inline(__always)
    static func time(of key: UInt128) -> SimTime {
        SimTime(nanoseconds: Int64(bitPattern: UInt64(truncatingIfNeeded: key >> 64)))
    }

    /// Drops every pending event.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        timers.removeAll()
        leadKey = .max
    }

    @inlinable
    static func siftUp(_ heap: UnsafeMutableBufferPointer<Entry>, from start: Int) {
        var index = start
        let moving = heap[index]
        while index > 0 {
            let parent = (index &- 1) >> 2
            guard moving.key < heap[parent].key else { break }
            heap[index] = heap[parent]
            index = parent
        }
        heap[index] = moving
    }

    /// Moves the entry at `start` down to its place. A node with all four children (the usual
    /// case) picks the least in a two-round tournament; arithmetic is unchecked (indices stay
    /// below the count).
    @inlinable
    static func siftDown(_ heap: UnsafeMutableBufferPointer<Entry>, from start: Int) {
        let count = heap.count
        var index = start
        let moving = heap[index]
        while true {
            let first = 4 &* index &+ 1
            if first >= count { break }
            var best: Int
            if first &+ 3 < count {
                let a = heap[first].key < heap[first &+ 1].key ? first : first &+ 1
                let b = heap[first &+ 2].key < heap[first &+ 3].key ? first &+ 2 : first &+ 3
                best = heap[a].key < heap[b].key ? a : b
            } else {
                best = first
                var child = first &+ 1
                while child < count {
                    if heap[child].key < heap[best].key { best = child }
                    child &+= 1
                }
            }
            guard heap[best].key < moving.key else { break }
            heap[index] = heap[best]
            index = best
        }
        heap[index] = moving
    }
}
