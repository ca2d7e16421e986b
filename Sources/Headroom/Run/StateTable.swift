/// Records a simulation keeps and changes in place: its per-replica and per-deployment tables
/// (engines, replica records, signal counters, deployments), the request table's rows and free
/// ids, the ids an engine step reports, an engine's batch buffers.
///
/// Why not an array: an array checks, on every write to an element, that its buffer is not
/// shared (a call into the runtime, for copy on write): ~20 a request on the KPA day in these
/// tables, which are never copied. A `StateTable` refers to its buffer, so a write is a bounds
/// check and a store. The price is reference semantics: a copy of a table is the same table.
/// Each table has one owner, the `Simulation` running (itself never copied) or an engine held in
/// it; builds with `HEADROOM_INVARIANTS` (debug, the tests) check on every write that no copy of
/// the table is alive, so a copy that would see another's writes stops the tests.
///
/// Two words: the buffer, and the count (kept here as well as in the buffer, so a bounds check
/// loads nothing more; with the count read from the buffer alone the day's instructions went up).
struct StateTable<Element>: RandomAccessCollection {
    typealias Indices = Range<Int>

    /// The count initialized (what `deinit` frees; the table's own count is the one read) and
    /// the room, then the elements, in one allocation as an array's: the elements start 32 bytes
    /// into the object (`Simulation.arrayHeader`), so a prefetch reaches them from the table's first
    /// word.
    struct Header {
        var count: Int
        var capacity: Int
    }

    final class Buffer: ManagedBuffer<Header, Element> {
        static func make(capacity: Int) -> Buffer {
            unsafeDowncast(create(minimumCapacity: capacity) { _ in Header(count: 0, capacity: capacity) }, to: Buffer.self)
        }

        deinit {
            withUnsafeMutablePointers { header, elements in _ = elements.deinitialize(count: header.pointee.count) }
        }
    }

    private var buffer: Buffer
    /// Elements in the table (the buffer's count, read here without loading the buffer).
    private(set) var count: Int

    init() {
        buffer = Buffer.make(capacity: 0)
        count = 0
    }

    init(_ elements: some Sequence<Element>) {
        self.init()
        for element in elements { append(element) }
    }

    /// The first element's place.
    @inline(__always)
    private var base: UnsafeMutablePointer<Element> { buffer.withUnsafeMutablePointerToElements { $0 } }

    /// Records `count` as the buffer's (for its `deinit`).
    @inline(__always)
    private func storeCount() {
        let count = count
        buffer.withUnsafeMutablePointerToHeader { $0.pointee.count = count }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    var indices: Range<Int> { 0..<count }

    subscript(index: Int) -> Element {
        @inline(__always) _read {
            precondition(UInt(bitPattern: index) < UInt(bitPattern: count), "index \(index) out of a table of \(count)")
            yield base[index]
        }
        @inline(__always) _modify {
            precondition(UInt(bitPattern: index) < UInt(bitPattern: count), "index \(index) out of a table of \(count)")
            checkOwner()
            yield &base[index]
        }
    }

    /// Adds `element` at the end (the buffer doubles when full).
    @inline(__always)
    mutating func append(_ element: Element) {
        checkOwner()
        if count == buffer.withUnsafeMutablePointerToHeader({ $0.pointee.capacity }) { grow() }
        (base + count).initialize(to: element)
        count += 1
        storeCount()
    }

    /// Moves the elements to a buffer of twice the room (at least 4).
    @inline(never)
    private mutating func grow() {
        let grown = Buffer.make(capacity: Swift.max(4, 2 * count))
        grown.withUnsafeMutablePointerToElements { $0.moveInitialize(from: base, count: count) }
        buffer.withUnsafeMutablePointerToHeader { $0.pointee.count = 0 }
        buffer = grown
        storeCount()
    }

    /// Removes and returns the last element (the table is not empty); its room is kept.
    @inline(__always)
    @discardableResult
    mutating func removeLast() -> Element {
        precondition(count > 0, "removeLast from an empty table")
        checkOwner()
        count -= 1
        storeCount()
        return (base + count).move()
    }

    /// Removes and returns the last element, or nil when the table is empty.
    @inline(__always)
    mutating func popLast() -> Element? {
        count == 0 ? nil : removeLast()
    }

    /// Removes the first `k` elements (at most the count), moving the rest to the front.
    mutating func removeFirst(_ k: Int) {
        precondition(k >= 0 && k <= count, "cannot remove \(k) of a table of \(count)")
        guard k > 0 else { return }
        checkOwner()
        base.deinitialize(count: k)
        base.moveInitialize(from: base + k, count: count - k)
        count -= k
        storeCount()
    }

    /// Removes every element, keeping the room.
    @inline(__always)
    mutating func removeAll() {
        checkOwner()
        base.deinitialize(count: count)
        count = 0
        storeCount()
    }

    /// The elements as a buffer pointer, valid inside `body` (for prefetching by address).
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// That no copy of this table is alive (HEADROOM_INVARIANTS builds only): a write through one
    /// owner would show in the other.
    @inline(__always)
    private mutating func checkOwner() {
        #if HEADROOM_INVARIANTS
        precondition(isKnownUniquelyReferenced(&buffer), "a StateTable was copied: its copies share their elements")
        #endif
    }
}
