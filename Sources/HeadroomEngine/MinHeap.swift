/// A plain 4-ary min-heap of small values.
///
/// swift-collections' `Heap` is a min-max heap: it keeps both ends, and pays for it on every
/// insert and removal. The engine only ever needs the minimum (the next sequence to finish), on
/// every iteration boundary, so this keeps just that, with the event queue's layout: four
/// children per node, so half the depth of a binary heap and siblings in one cache line.
public struct MinHeap<Element: Comparable> {
    @usableFromInline var storage: [Element] = []

    public init() {}

    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.isEmpty }
    @inlinable public var min: Element? { storage.first }

    @inlinable
    public mutating func insert(_ element: Element) {
        storage.append(element)
        storage.withUnsafeMutableBufferPointer { heap in
            var index = heap.count - 1
            while index > 0 {
                let parent = (index &- 1) >> 2
                guard element < heap[parent] else { break }
                heap[index] = heap[parent]
                index = parent
            }
            heap[index] = element
        }
    }

    /// Removes and returns the minimum; the heap must not be empty. (Inlined into its caller:
    /// once per finishing sequence, where the call cost a third of the work.)
    @inlinable
    @inline(__always)
    @discardableResult
    public mutating func removeMin() -> Element {
        let last = storage.removeLast()
        guard !storage.isEmpty else { return last }
        let first = storage[0]
        storage.withUnsafeMutableBufferPointer { heap in
            let count = heap.count
            var index = 0
            while true {
                // As the event queue's: a two-round tournament when all four children exist.
                let first = 4 &* index &+ 1
                if first >= count { break }
                var best: Int
                if first &+ 3 < count {
                    let a = heap[first] < heap[first &+ 1] ? first : first &+ 1
                    let b = heap[first &+ 2] < heap[first &+ 3] ? first &+ 2 : first &+ 3
                    best = heap[a] < heap[b] ? a : b
                } else {
                    best = first
                    var child = first &+ 1
                    while child < count {
                        if heap[child] < heap[best] { best = child }
                        child &+= 1
                    }
                }
                guard heap[best] < last else { break }
                heap[index] = heap[best]
                index = best
            }
            heap[index] = last
        }
        return first
    }

    /// Removes every element matching `predicate` (O(n): for rare removals from the middle).
    public mutating func removeAll(where predicate: (Element) -> Bool) {
        let kept = storage.filter { !predicate($0) }
        guard kept.count != storage.count else { return }
        storage.removeAll(keepingCapacity: true)
        for element in kept { insert(element) }
    }
}
