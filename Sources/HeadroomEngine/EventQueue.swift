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
/// - Complexity: `schedule` and `popNext` are O(log₄ n).
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

    /// The largest phase a model may use.
    public static var maxPhase: UInt8 { .max }
    /// Sequence numbers wrap after 2⁵⁶ schedules, far beyond any run.
    @usableFromInline static var sequenceMask: UInt64 { (1 << 56) - 1 }

    public init(reservingCapacity capacity: Int = 64) {
        storage.reserveCapacity(capacity)
    }

    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.isEmpty }

    /// The time of the next event, or `nil` when none is pending.
    @inlinable public var nextTime: SimTime? {
        storage.first.map { SimTime(nanoseconds: Int64(truncatingIfNeeded: UInt64(truncatingIfNeeded: $0.key >> 64))) }
    }

    /// Adds an event. `time` must not be negative. (Inlined: one call per event otherwise.)
    @inlinable @inline(__always)
    public mutating func schedule(_ payload: Payload, at time: SimTime, phase: UInt8 = 0) {
        precondition(time.nanoseconds >= 0, "events cannot be scheduled before time zero")
        let key = UInt128(UInt64(time.nanoseconds)) << 64
            | UInt128(phase) << 56
            | UInt128(nextSequence & Self.sequenceMask)
        nextSequence &+= 1
        storage.append(Entry(key: key, payload: payload))
        storage.withUnsafeMutableBufferPointer { Self.siftUp($0, from: $0.count - 1) }
        checkInvariants()
    }

    /// Removes and returns the first event in (time, phase, sequence) order.
    @inlinable
    public mutating func popNext() -> (time: SimTime, payload: Payload)? {
        popNext(notAfter: .never)
    }

    /// Removes and returns the first event if it is due at or before `horizon`.
    @inlinable
    public mutating func popNext(notAfter horizon: SimTime) -> (time: SimTime, payload: Payload)? {
        guard let first = storage.first,
              first.key >> 64 <= UInt128(UInt64(bitPattern: horizon.nanoseconds)) else { return nil }
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage.withUnsafeMutableBufferPointer { buffer in
                buffer[0] = last
                Self.siftDown(buffer, from: 0)
            }
        }
        checkInvariants()
        return (SimTime(nanoseconds: Int64(UInt64(truncatingIfNeeded: first.key >> 64))), first.payload)
    }

    /// Drops every pending event.
    public mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

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
