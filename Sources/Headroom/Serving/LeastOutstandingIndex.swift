/// The ready replicas as a 4-ary min-heap on (requests outstanding, replica id), with each
/// replica's position kept so that a change of its load moves it in O(log n).
///
/// Least-outstanding routing reads the minimum on every arrival; scanning every ready replica
/// there cost more than the rest of routing and touched one engine's cache line per replica.
/// The key packs the load above the id, so the minimum is the least loaded replica and, among
/// equally loaded ones, the lowest id: the replica a scan in id order would find.
struct LeastOutstandingIndex {
    /// Heap of keys `load << 32 | id`.
    private var heap: [UInt64] = []
    /// Each replica's place in `heap`, -1 when it is not ready.
    private var position: [Int32] = []

    /// The least loaded ready replica (lowest id among ties) and its load.
    var least: (replica: Int32, outstanding: Int)? {
        heap.first.map { (Int32(Self.replica($0)), Int($0 >> 32)) }
    }

    var count: Int { heap.count }

    func contains(_ replica: Int32) -> Bool {
        Int(replica) < position.count && position[Int(replica)] >= 0
    }

    mutating func insert(_ replica: Int32, outstanding: Int) {
        precondition(!contains(replica), "replica \(replica) is already in the routing index")
        while position.count <= Int(replica) { position.append(-1) }
        heap.append(Self.key(replica, outstanding))
        position[Int(replica)] = Int32(heap.count - 1)
        siftUp(heap.count - 1)
    }

    mutating func remove(_ replica: Int32) {
        guard contains(replica) else { return }
        let index = Int(position[Int(replica)])
        position[Int(replica)] = -1
        let last = heap.removeLast()
        guard index < heap.count else { return }
        heap[index] = last
        position[Self.replica(last)] = Int32(index)
        siftDown(siftUp(index))
    }

    /// Records a ready replica's new load; a replica that is not ready is ignored. A key that
    /// stays below its children and above its parent is written in place: the sifts (and their
    /// buffer set-up) run only when the order may change.
    @inline(__always)
    mutating func update(_ replica: Int32, outstanding: Int) {
        guard contains(replica) else { return }
        let index = Int(position[Int(replica)])
        let key = Self.key(replica, outstanding)
        let old = heap[index]
        guard key != old else { return }
        heap[index] = key
        if key < old {
            if index > 0 && key < heap[(index &- 1) &>> 2] { siftUp(index) }
        } else if 4 &* index &+ 1 < heap.count {
            siftDown(index)
        }
    }

    private static func key(_ replica: Int32, _ outstanding: Int) -> UInt64 {
        UInt64(UInt32(clamping: outstanding)) << 32 | UInt64(UInt32(replica))
    }

    private static func replica(_ key: UInt64) -> Int { Int(key & 0xFFFF_FFFF) }

    // The sifts' arithmetic is unchecked: indices stay below the heap's count (< 2³¹, as
    // positions are `Int32`), so neither `4 × index + 4` nor the narrowing can overflow.

    @discardableResult
    private mutating func siftUp(_ start: Int) -> Int {
        heap.withUnsafeMutableBufferPointer { heap in
            position.withUnsafeMutableBufferPointer { position in
                var index = start
                let moving = heap[index]
                while index > 0 {
                    let parent = (index &- 1) &>> 2
                    let above = heap[parent]
                    guard moving < above else { break }
                    heap[index] = above
                    position[Self.replica(above)] = Int32(truncatingIfNeeded: index)
                    index = parent
                }
                heap[index] = moving
                position[Self.replica(moving)] = Int32(truncatingIfNeeded: index)
                return index
            }
        }
    }

    private mutating func siftDown(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { heap in
            position.withUnsafeMutableBufferPointer { position in
                let count = heap.count
                var index = start
                let moving = heap[index]
                while true {
                    let firstChild = 4 &* index &+ 1
                    guard firstChild < count else { break }
                    var child = firstChild
                    if firstChild &+ 3 < count {  // a two-round tournament, as the event queue's
                        let a = heap[firstChild] < heap[firstChild &+ 1] ? firstChild : firstChild &+ 1
                        let b = heap[firstChild &+ 2] < heap[firstChild &+ 3] ? firstChild &+ 2 : firstChild &+ 3
                        child = heap[a] < heap[b] ? a : b
                    } else {
                        var candidate = firstChild &+ 1
                        while candidate < count {
                            if heap[candidate] < heap[child] { child = candidate }
                            candidate &+= 1
                        }
                    }
                    let least = heap[child]
                    guard least < moving else { break }
                    heap[index] = least
                    position[Self.replica(least)] = Int32(truncatingIfNeeded: index)
                    index = child
                }
                heap[index] = moving
                position[Self.replica(moving)] = Int32(truncatingIfNeeded: index)
            }
        }
    }
}
