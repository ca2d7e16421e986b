/// The memory of a timer tree: three arrays under one reference, so an operation checks once that
/// it owns them (copy on write) and then works on plain pointers.
extension TimerTree {
    @usableFromInline
    final class Storage {
        /// Leaves in the tree (at least 2; any number: every node below the root has one parent,
        /// so the root still holds the least key, and a leaf's path is ⌊log₂⌋ or ⌈log₂⌉ long).
        @usableFromInline let capacity: Int
        /// Keys split in their high (time) and low (phase and sequence) halves. `high` has
        /// `2 × capacity` nodes: node 1 is the root, node `i`'s children are `2i` and `2i + 1`,
        /// leaf `capacity + slot` holds the slot's time; an inner node the least time below it.
        /// (Node 0 is unused.) `low` has one entry per slot: a node's low half is its winner's
        /// (`low[winners[node]]`), so a replay writes two values a level, not three, and reads a
        /// low half only when two times tie. An empty slot's key is `UInt128.max`.
        @usableFromInline let high: UnsafeMutablePointer<UInt64>, low: UnsafeMutablePointer<UInt64>
        /// `2 × capacity` slots: the slot whose key a node holds (a leaf its own slot; any slot
        /// in an empty subtree).
        @usableFromInline let winners: UnsafeMutablePointer<Int32>
        /// `capacity` events, one per slot, written by `set` and read once when the slot pops;
        /// `nil` until the slot is first set.
        @usableFromInline let payloads: UnsafeMutablePointer<Payload?>

        /// An empty tree of `capacity` leaves.
        @usableFromInline
        init(capacity: Int) {
            precondition(capacity >= 2 && capacity <= 1 << 30, "timer tree capacity \(capacity) must be in 2...2^30")
            self.capacity = capacity
            high = .allocate(capacity: 2 * capacity)
            high.initialize(repeating: .max, count: 2 * capacity)
            low = .allocate(capacity: capacity)
            low.initialize(repeating: .max, count: capacity)
            winners = .allocate(capacity: 2 * capacity)
            winners.initialize(repeating: 0, count: 2 * capacity)
            for leaf in 0..<capacity { winners[capacity + leaf] = Int32(leaf) }
            // Every node names a slot below it (here an empty one), so that an empty node's key,
            // read through its slot's low half, is the empty key: a slot becoming pending
            // replays every empty node above it.
            for node in stride(from: capacity - 1, through: 1, by: -1) { winners[node] = winners[2 * node] }
            payloads = .allocate(capacity: capacity)
            payloads.initialize(repeating: nil, count: capacity)
        }

        deinit {
            high.deallocate()
            low.deallocate()
            winners.deallocate()
            payloads.deinitialize(count: capacity)
            payloads.deallocate()
        }

        /// A tree of `capacity` leaves (at least this one's) holding this one's pending events.
        @usableFromInline
        func copy(capacity newCapacity: Int) -> Storage {
            let copy = Storage(capacity: newCapacity)
            for slot in 0..<capacity {
                copy.high[newCapacity + slot] = high[capacity + slot]
                copy.low[slot] = low[slot]
                copy.payloads[slot] = payloads[slot]
            }
            copy.playAllMatches()
            return copy
        }

        /// Sets every inner node from its children, bottom up.
        func playAllMatches() {
            for node in stride(from: capacity - 1, through: 1, by: -1) {
                let left = 2 * node, right = left + 1
                let winner = key(right) < key(left) ? right : left
                high[node] = high[winner]
                winners[node] = winners[winner]
            }
        }

        /// Node `node`'s key.
        @inlinable @inline(__always)
        func key(_ node: Int) -> UInt128 { UInt128(high[node]) << 64 | UInt128(low[Int(winners[node])]) }

        /// Writes `key` at slot `slot`'s leaf and replays the matches up to the first parent whose
        /// winner does not change (everything above it stands). Per level: the sibling's time
        /// read and compared (the low halves only on a tie), and a time and a slot written.
        @inlinable @inline(__always)
        func replay(slot: Int, key: UInt128) { replay(slot: slot, key: key, popped: false) }

        /// `replay` for the slot that last held the root (popped, its path not yet replayed):
        /// every node on its path names it, so every one changes and the walk goes to the root
        /// without `replay`'s check for a parent that stands.
        @inlinable @inline(__always)
        func replayPopped(slot: Int, key: UInt128) { replay(slot: slot, key: key, popped: true) }

        /// The replay itself; `popped` is a constant at both call sites, so the check it drops
        /// is compiled out rather than tested.
        @inlinable @inline(__always)
        func replay(slot: Int, key: UInt128, popped: Bool) {
            let high = high, low = low, winners = winners
            var node = capacity &+ slot
            var keyHigh = UInt64(truncatingIfNeeded: key >> 64)
            var slot = Int32(truncatingIfNeeded: slot)
            high[node] = keyHigh
            low[Int(slot)] = UInt64(truncatingIfNeeded: key)
            // A leaf is at node `capacity` ≥ 2 or beyond: the loop runs at least once.
            repeat {
                let sibling = node ^ 1
                let rivalHigh = high[sibling]
                node &>>= 1
                if rivalHigh < keyHigh
                    || (rivalHigh == keyHigh && low[Int(winners[sibling])] < low[Int(slot)]) {
                    // Ties cannot happen between pending keys (each holds a unique sequence
                    // number), so a rival that wins is pending, and the parent's slot names the
                    // leaf holding the parent's key: if that is the rival's, the rival's subtree
                    // is untouched and nothing above changes.
                    let rivalSlot = winners[sibling]
                    if !popped && winners[node] == rivalSlot { return }
                    keyHigh = rivalHigh
                    slot = rivalSlot
                }
                high[node] = keyHigh
                winners[node] = slot
            } while node != 1
        }
    }
}
