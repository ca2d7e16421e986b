/// Records a simulation keeps and changes in place: its per-replica and per-deployment tables
/// (engines, replica records, signal counters, deployments), the request table's rows and free
/// ids, the ids an engine step reports.
///
/// Why not an array: an array checks, on every write to an element, that its buffer is not
/// shared (a call into the runtime, for copy on write): ~15 a request on the KPA day in these
/// tables, which are never copied. A `StateTable` refers to its buffer, so a write is a bounds
/// check and a store. The price is reference semantics: a copy of a table is the same table.
/// Each table has one owner, the `Simulation` running (itself never copied); builds with
/// `HEADROOM_INVARIANTS` (debug, the tests) check on every write that no copy of the table is
/// alive, so a copy that would see another's writes stops the tests.
///
/// The count is kept in the table as well as in its buffer, so a bounds check reads no class
/// property. (Tried for an engine's batch buffers too, as a one-pointer table in one allocation
/// like an array's: the day's instructions went up, not down; they stay arrays.)
struct StateTable<Element>: RandomAccessCollection {
    typealias Indices = Range<Int>

    /// The elements, `count` of them initialized, and room for `capacity`. The pointer and the
    /// capacity are constants (growing replaces the buffer), so reading them needs no
    /// exclusivity check; `count` is written as elements are added and removed, for `deinit`.
    final class Buffer {
        let base: UnsafeMutablePointer<Element>
        let capacity: Int
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
        }

        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }

    private var buffer: Buffer
    /// Elements in the table (the buffer's count, read here without loading the buffer).
    private(set) var count: Int

    init() {
        buffer = Buffer(capacity: 0)
        count = 0
    }

    init(_ elements: some Sequence<Element>) {
        self.init()
        for element in elements { append(element) }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    var indices: Range<Int> { 0..<count }

    subscript(index: Int) -> Element {
        @inline(__always) _read {
            precondition(UInt(bitPattern: index) < UInt(bitPattern: count), "index \(index) out of a table of \(count)")
            yield buffer.base[index]
        }
        @inline(__always) _modify {
            precondition(UInt(bitPattern: index) < UInt(bitPattern: count), "index \(index) out of a table of \(count)")
            checkOwner()
            yield &buffer.base[index]
        }
    }

    /// Adds `element` at the end (the buffer doubles when full).
    @inline(__always)
    mutating func append(_ element: Element) {
        checkOwner()
        if count == buffer.capacity { grow() }
        (buffer.base + count).initialize(to: element)
        count += 1
        buffer.count = count
    }

    /// Moves the elements to a buffer of twice the room (at least 4).
    @inline(never)
    private mutating func grow() {
        let grown = Buffer(capacity: Swift.max(4, 2 * buffer.capacity))
        grown.base.moveInitialize(from: buffer.base, count: count)
        grown.count = count
        buffer.count = 0
        buffer = grown
    }

    /// Removes and returns the last element (the table is not empty); its room is kept.
    @inline(__always)
    @discardableResult
    mutating func removeLast() -> Element {
        precondition(count > 0, "removeLast from an empty table")
        checkOwner()
        count -= 1
        buffer.count = count
        return (buffer.base + count).move()
    }

    /// Removes every element, keeping the room.
    @inline(__always)
    mutating func removeAll() {
        checkOwner()
        buffer.base.deinitialize(count: count)
        count = 0
        buffer.count = 0
    }

    /// The elements as a buffer pointer, valid inside `body` (for prefetching by address).
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: buffer.base, count: count))
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
