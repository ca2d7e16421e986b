import HeadroomCPUHints

/// The ready replicas as a 4-ary min-heap on (requests outstanding, replica id), with each
/// replica's position kept so that a change of its load moves it in O(log n).
///
/// Least-outstanding routing reads the minimum on every arrival; scanning every ready replica
/// there cost more than the rest of routing and touched one engine's cache line per replica.
/// The key packs the load above the id, so the minimum is the least loaded replica and, among
/// equally loaded ones, the lowest id: the replica a scan in id order would find.
///
/// The heap and the positions live under one reference (`Storage`), so an update checks once
/// that it owns them (copy on write) and the sifts work on plain pointers: two arrays cost two
/// checks and two buffer set-ups per sift, on every engine step.
struct LeastOutstandingIndex {
    /// The heap of keys `load << 32 | id` and each replica's place in it (-1: not ready).
    private final class Storage {
        private(set) var heap: UnsafeMutablePointer<UInt64>
        private(set) var heapCapacity: Int
        var count = 0
        private(set) var position: UnsafeMutablePointer<Int32>
        /// Replica ids below this have a position.
        private(set) var replicas: Int

        init(heapCapacity: Int = 4, replicas: Int = 0) {
            self.heapCapacity = max(1, heapCapacity)
            heap = .allocate(capacity: self.heapCapacity)
            self.replicas = replicas
            position = .allocate(capacity: max(1, replicas))
            position.initialize(repeating: -1, count: replicas)
        }

        deinit {
            heap.deallocate()
            position.deallocate()
        }

        func copy() -> Storage {
            let copy = Storage(heapCapacity: heapCapacity, replicas: replicas)
            copy.heap.update(from: heap, count: count)
            copy.count = count
            copy.position.update(from: position, count: replicas)
            return copy
        }

        /// Room for one more key.
        func reserveOne() {
            guard count == heapCapacity else { return }
            let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * heapCapacity)
            grown.update(from: heap, count: count)
            heap.deallocate()
            heap = grown
            heapCapacity *= 2
        }

        /// A position for replica `replica`.
        func reserve(replica: Int) {
            guard replica >= replicas else { return }
            let wanted = max(replica + 1, 2 * replicas)
            let grown = UnsafeMutablePointer<Int32>.allocate(capacity: wanted)
            grown.update(from: position, count: replicas)
            (grown + replicas).initialize(repeating: -1, count: wanted - replicas)
            position.deallocate()
            position = grown
            replicas = wanted
        }

        /// Replica `replica`'s place in the heap, or -1 (not ready).
        @inline(__always)
        func place(of replica: Int32) -> Int {
            UInt(bitPattern: Int(replica)) < UInt(bitPattern: replicas) ? Int(position[Int(replica)]) : -1
        }
    }

    private var storage = Storage()

    /// The storage, this index's own (copied if shared).
    @inline(__always)
    private mutating func owned() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The least loaded ready replica (lowest id among ties) and its load.
    var least: (replica: Int32, outstanding: Int)? {
        let buffer = storage
        guard buffer.count > 0 else { return nil }
        let first = buffer.heap[0]
        return (Int32(Self.replica(first)), Int(first >> 32))
    }

    var count: Int { storage.count }

    func contains(_ replica: Int32) -> Bool { storage.place(of: replica) >= 0 }

    mutating func insert(_ replica: Int32, outstanding: Int) {
        precondition(replica >= 0 && !contains(replica), "replica \(replica) is already in the routing index")
        let buffer = owned()
        buffer.reserve(replica: Int(replica))
        buffer.reserveOne()
        let index = buffer.count
        buffer.count += 1
        buffer.heap[index] = Self.key(replica, outstanding)
        buffer.position[Int(replica)] = Int32(index)
        Self.siftUp(buffer, from: index)
    }

    mutating func remove(_ replica: Int32) {
        guard contains(replica) else { return }
        let buffer = owned()
        let index = buffer.place(of: replica)
        buffer.position[Int(replica)] = -1
        buffer.count -= 1
        let last = buffer.heap[buffer.count]
        guard index < buffer.count else { return }
        buffer.heap[index] = last
        buffer.position[Self.replica(last)] = Int32(index)
        Self.siftDown(buffer, from: Self.siftUp(buffer, from: index))
    }

    /// Records a ready replica's new load; a replica that is not ready is ignored. A key that
    /// stays below its children and above its parent is written in place: the sifts run only
    /// when the order may change.
    @inline(__always)
    mutating func update(_ replica: Int32, outstanding: Int) {
        let index = storage.place(of: replica)
        guard index >= 0 else { return }
        let key = Self.key(replica, outstanding)
        let old = storage.heap[index]
        guard key != old else { return }
        let buffer = owned()
        let heap = buffer.heap
        heap[index] = key
        if key < old {
            if index > 0 && key < heap[(index &- 1) &>> 2] { Self.siftUp(buffer, from: index) }
        } else if 4 &* index &+ 1 < buffer.count {
            Self.siftDown(buffer, from: index)
        }
    }

    private static func key(_ replica: Int32, _ outstanding: Int) -> UInt64 {
        UInt64(UInt32(clamping: outstanding)) << 32 | UInt64(UInt32(replica))
    }

    private static func replica(_ key: UInt64) -> Int { Int(key & 0xFFFF_FFFF) }

    // The sifts' arithmetic is unchecked: indices stay below the heap's count (< 2³¹, as
    // positions are `Int32`), so neither `4 × index + 4` nor the narrowing can overflow. They
    // take storage this index owns.

    @discardableResult
    private static func siftUp(_ storage: Storage, from start: Int) -> Int {
        let heap = storage.heap, position = storage.position
        var index = start
        let moving = heap[index]
        while index > 0 {
            let parent = (index &- 1) &>> 2
            let above = heap[parent]
            guard moving < above else { break }
            heap[index] = above
            position[replica(above)] = Int32(truncatingIfNeeded: index)
            index = parent
        }
        heap[index] = moving
        position[replica(moving)] = Int32(truncatingIfNeeded: index)
        return index
    }

    private static func siftDown(_ storage: Storage, from start: Int) {
        let heap = storage.heap, position = storage.position, count = storage.count
        var index = start
        let moving = heap[index]
        while true {
            let firstChild = 4 &* index &+ 1
            guard firstChild < count else { break }
            var child = firstChild
            let least: UInt64
            if firstChild &+ 3 < count {
                // A two-round tournament on the keys in registers, chosen by conditional moves:
                // the four loads go out together and nothing is read back by a chosen index (a
                // reload per round put two loads on the chain of every level).
                let first = heap[firstChild], second = heap[firstChild &+ 1]
                let third = heap[firstChild &+ 2], fourth = heap[firstChild &+ 3]
                let leftWins = first < second, rightWins = third < fourth
                let left = headroom_select(leftWins, first, second)
                let right = headroom_select(rightWins, third, fourth)
                let leftIndex = headroom_select(leftWins, 0, 1), rightIndex = headroom_select(rightWins, 2, 3)
                let leftLeast = left < right
                least = headroom_select(leftLeast, left, right)
                child = firstChild &+ Int(truncatingIfNeeded: headroom_select(leftLeast, leftIndex, rightIndex))
            } else {
                var candidate = firstChild &+ 1
                while candidate < count {
                    if heap[candidate] < heap[child] { child = candidate }
                    candidate &+= 1
                }
                least = heap[child]
            }
            guard least < moving else { break }
            heap[index] = least
            position[replica(least)] = Int32(truncatingIfNeeded: index)
            index = child
        }
        heap[index] = moving
        position[replica(moving)] = Int32(truncatingIfNeeded: index)
    }
}
