/// The bucket counts of one or more latency histograms side by side in one buffer ("lanes", each
/// laid out as HdrHistogram lays out its counts), plus `extra` plain slots after them.
///
/// 32-bit counts halve the cache footprint of the library's 64-bit ones; a bucket that fills up
/// spills into `overflow`, on a cold path. One buffer for all a finished request touches means one
/// copy-on-write check and no bounds checks per request (`uniqueSlots()`, `bump`). The buffer is a
/// class holding a pointer, copied on write as an array's is, so that the hot path reaches the
/// slots without a closure (a large closure passed to `withUnsafeMutableBufferPointer` is not
/// inlined, and its call costs more than the counting).
struct LatencyCounts {
    /// Buckets per histogram: HdrHistogram's count for values up to `LatencyHistogram.highest`
    /// (10^18 ns) at 3 significant digits. A literal (a test checks it is `countsIndex(highest) + 1`):
    /// a computed static is read through a once-token check on every use.
    static let laneSize = 32_539

    /// The slots, shared by copies until one of them counts.
    private final class Buffer {
        let slots: UnsafeMutablePointer<UInt32>
        let size: Int

        init(size: Int) {
            self.size = size
            slots = .allocate(capacity: size)
            slots.initialize(repeating: 0, count: size)
        }

        func copy() -> Buffer {
            let copy = Buffer(size: size)
            copy.slots.update(from: slots, count: size)
            return copy
        }

        deinit { slots.deallocate() }
    }

    private var buffer: Buffer
    /// What full buckets spilled, by slot; a slot's count is `self[i] + overflow[i]`.
    private(set) var overflow: [Int: UInt64] = [:]
    /// The count at which a bucket spills (lowered by tests to exercise the spill).
    let spillAt: UInt32

    init(lanes: Int, extra: Int = 0, spillAt: UInt32 = .max) {
        buffer = Buffer(size: lanes * Self.laneSize + extra)
        self.spillAt = spillAt
    }

    /// How many slots there are.
    var size: Int { buffer.size }

    /// Slot `index`'s count, spilled part not included.
    subscript(index: Int) -> UInt32 {
        precondition(index >= 0 && index < buffer.size)
        return buffer.slots[index]
    }

    /// Slot `index`'s count, spilled part included.
    func total(_ index: Int) -> UInt64 {
        UInt64(self[index]) + (overflow.isEmpty ? 0 : overflow[index, default: 0])
    }

    /// The slots, this copy's own: for counting with `bump` at once, before anything copies or
    /// changes `self` (the one funnel of unchecked index work).
    /// - Complexity: O(1) unless shared (then a copy).
    @inline(__always)
    mutating func uniqueSlots() -> UnsafeMutablePointer<UInt32> {
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy() }
        return buffer.slots
    }

    /// Counts one value in slot `index` of `slots` unless it holds `spillAt`: then it returns
    /// true and counts nothing (the caller then calls `countSpilling(index)`).
    @inline(__always)
    static func bump(_ slots: UnsafeMutablePointer<UInt32>, _ index: Int, spillAt: UInt32) -> Bool {
        let current = slots[index]
        if current == spillAt { return true }
        slots[index] = current &+ 1
        return false
    }

    /// Counts one value in slot `index`.
    @inline(__always)
    mutating func count(_ index: Int) {
        precondition(index >= 0 && index < buffer.size)
        if Self.bump(uniqueSlots(), index, spillAt: spillAt) { countSpilling(index) }
    }

    /// Counts one value in slot `index`, first moving its count to `overflow` if it is full: the
    /// cold path of `bump`.
    @inline(never)
    mutating func countSpilling(_ index: Int) {
        let slots = uniqueSlots()
        if slots[index] == spillAt {
            overflow[index, default: 0] += UInt64(slots[index])
            slots[index] = 0
        }
        slots[index] += 1
    }

    /// Adds the counts of `other`'s first `lanes` lanes, as if every value had been counted here.
    mutating func merge(_ other: LatencyCounts, lanes: Int) {
        let end = lanes * Self.laneSize
        precondition(end <= size && end <= other.size)
        let slots = uniqueSlots(), others = other.buffer.slots
        for index in 0..<end where others[index] > 0 {
            let (sum, overflowed) = slots[index].addingReportingOverflow(others[index])
            if overflowed || sum > spillAt {
                overflow[index, default: 0] += UInt64(slots[index]) + UInt64(others[index])
                slots[index] = 0
            } else {
                slots[index] = sum
            }
        }
        for (index, spilled) in other.overflow where index < end { overflow[index, default: 0] += spilled }
    }

    /// Lane `lane` alone, as a one-lane copy, and how many values it holds (for statistics at
    /// the end of a run).
    func lane(_ lane: Int) -> (counts: LatencyCounts, count: Int) {
        let base = lane * Self.laneSize
        var one = LatencyCounts(lanes: 1, spillAt: spillAt)
        let from = buffer.slots + base, to = one.buffer.slots
        var count: UInt64 = 0
        for index in 0..<Self.laneSize {
            to[index] = from[index]
            count &+= UInt64(from[index])
        }
        for (index, spilled) in overflow where index >= base && index < base + Self.laneSize {
            one.overflow[index - base] = spilled
            count += spilled
        }
        return (one, Int(count))
    }

    /// The first slot from `index` on that is not zero, or `end` if none is (a skip over the
    /// empty buckets of a histogram, which are most of them).
    func nextNonZero(from index: Int, end: Int) -> Int {
        precondition(index >= 0 && end <= size)
        var index = index
        let slots = buffer.slots
        while index < end && slots[index] == 0 { index += 1 }
        return index
    }

    /// The plain slots `range`, copied.
    func plainSlots(_ range: Range<Int>) -> [UInt32] {
        precondition(range.lowerBound >= 0 && range.upperBound <= size)
        return Array(UnsafeBufferPointer(start: buffer.slots + range.lowerBound, count: range.count))
    }

    /// Zeroes the plain slots `range` (which never spill).
    mutating func clear(_ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= size)
        (uniqueSlots() + range.lowerBound).update(repeating: 0, count: range.count)
    }
}
