import HeadroomCPUHints

/// The memory of a timer tree: three arrays under one reference, so an operation checks once that
/// it owns them (copy on write) and then works on plain pointers.
extension TimerTree {
    @usableFromInline
    final class Storage {
        /// A node of the tree: the high (time) half of its least key, and the slot holding it.
        @usableFromInline
        struct Node {
            @usableFromInline var high: UInt64
            @usableFromInline var winner: Int32
            @inlinable init(high: UInt64, winner: Int32) {
                self.high = high
                self.winner = winner
            }
        }

        /// Leaves in the tree (at least 2; any number: every node below the root has one parent,
        /// so the root still holds the least key, and a leaf's path is ⌊log₂⌋ or ⌈log₂⌉ long).
        @usableFromInline let capacity: Int
        /// The tree's nodes, `2 × capacity` of them: node 1 is the root, node `i`'s children are
        /// `2i` and `2i + 1`, leaf `capacity + slot` holds the slot's time; an inner node the least
        /// time below it and the slot that holds it (a leaf its own slot; any slot in an empty
        /// subtree). (Node 0 is unused.) A node's time and slot share 16 bytes, so a level of a
        /// replay reads one line, not two.
        @usableFromInline let nodes: UnsafeMutablePointer<Node>
        /// The low halves of the keys (phase and sequence), one per slot: a node's low half is its
        /// winner's (`low[nodes[node].winner]`), so a replay writes one node a level, and reads a
        /// low half only when two times tie. An empty slot's key is `UInt128.max`.
        @usableFromInline let low: UnsafeMutablePointer<UInt64>
        /// `capacity` events, one per slot, written by `set` and read once when the slot pops;
        /// `nil` until the slot is first set.
        @usableFromInline let payloads: UnsafeMutablePointer<Payload?>

        /// An empty tree of `capacity` leaves.
        @usableFromInline
        init(capacity: Int) {
            precondition(capacity >= 2 && capacity <= 1 << 30, "timer tree capacity \(capacity) must be in 2...2^30")
            self.capacity = capacity
            nodes = .allocate(capacity: 2 * capacity)
            nodes.initialize(repeating: Node(high: .max, winner: 0), count: 2 * capacity)
            low = .allocate(capacity: capacity)
            low.initialize(repeating: .max, count: capacity)
            for leaf in 0..<capacity { nodes[capacity + leaf].winner = Int32(leaf) }
            // Every node names a slot below it (here an empty one), so that an empty node's key,
            // read through its slot's low half, is the empty key: a slot becoming pending
            // replays every empty node above it.
            for node in stride(from: capacity - 1, through: 1, by: -1) { nodes[node].winner = nodes[2 * node].winner }
            payloads = .allocate(capacity: capacity)
            payloads.initialize(repeating: nil, count: capacity)
        }

        deinit {
            nodes.deallocate()
            low.deallocate()
            payloads.deinitialize(count: capacity)
            payloads.deallocate()
        }

        /// A tree of `capacity` leaves (at least this one's) holding this one's pending events.
        @usableFromInline
        func copy(capacity newCapacity: Int) -> Storage {
            let copy = Storage(capacity: newCapacity)
            for slot in 0..<capacity {
                copy.nodes[newCapacity + slot].high = nodes[capacity + slot].high
                copy.low[slot] = low[slot]
                copy.payloads[slot] = payloads[slot]
            }
            copy.playAllMatches()
            return copy
        }

        /// Sets every inner node from its children, bottom up.
        func playAllMatches() {
            for node in stride(from: capacity - 1, through: 1, by: -1) { playMatch(node) }
        }

        /// Sets inner node `parent` from its two children, comparing whole keys (the right child
        /// wins only with a smaller key).
        @usableFromInline
        func playMatch(_ parent: Int) {
            let left = 2 * parent, right = left + 1
            nodes[parent] = nodes[key(right) < key(left) ? right : left]
        }

        /// Node `node`'s key.
        @inlinable @inline(__always)
        func key(_ node: Int) -> UInt128 { UInt128(nodes[node].high) << 64 | UInt128(low[Int(nodes[node].winner)]) }

        /// Writes `key` at slot `slot`'s leaf; returns the leaf's node.
        @inlinable @inline(__always)
        func writeLeaf(slot: Int, key: UInt128) -> Int {
            let leaf = capacity &+ slot
            nodes[leaf].high = UInt64(truncatingIfNeeded: key >> 64)
            low[slot] = UInt64(truncatingIfNeeded: key)
            return leaf
        }

        /// Writes `key` at slot `slot`'s leaf and replays the matches up to the first parent whose
        /// winner does not change (everything above it stands). Per level: the sibling's node
        /// read and its time compared (the low halves only on a tie), and a node written.
        @inlinable @inline(__always)
        func replay(slot: Int, key: UInt128) {
            let nodes = nodes, low = low
            var node = writeLeaf(slot: slot, key: key)
            var keyHigh = UInt64(truncatingIfNeeded: key >> 64)
            var slot = Int32(truncatingIfNeeded: slot)
            // A leaf is at node `capacity` ≥ 2 or beyond: the loop runs at least once.
            repeat {
                let rival = nodes[node ^ 1]
                node &>>= 1
                if rival.high < keyHigh || (rival.high == keyHigh && low[Int(rival.winner)] < low[Int(slot)]) {
                    // Ties cannot happen between pending keys (each holds a unique sequence
                    // number), so a rival that wins is pending, and the parent's slot names the
                    // leaf holding the parent's key: if that is the rival's, the rival's subtree
                    // is untouched and nothing above changes.
                    if nodes[node].winner == rival.winner { return }
                    keyHigh = rival.high
                    slot = rival.winner
                }
                nodes[node] = Node(high: keyHigh, winner: slot)
            } while node != 1
        }

        /// `replay` for the slot that last held the root (popped, its path not yet replayed):
        /// every node on its path names it, so every one changes and the walk goes to the root.
        /// The winner is selected by conditional moves (`headroom_select`) between the two nodes
        /// already in registers, not by a branch or a reload: the siblings' places follow from
        /// the slot alone, so their loads do not wait on one another (a mispredicted branch would
        /// replay them in turn; in a tree of thousands the lower levels are out of the cache), and
        /// a level waits on the one below only for a compare and a move (reloading the winner put
        /// a load, forwarded from the store just made, on that chain). Times alone decide here;
        /// where two tie, the walk is redone with whole keys.
        @inlinable @inline(__always)
        func replayPopped(slot: Int, key: UInt128) {
            let nodes = nodes
            let leaf = writeLeaf(slot: slot, key: key)
            var node = leaf, ties = 0
            var keyHigh = UInt64(truncatingIfNeeded: key >> 64)
            var keySlot = UInt32(truncatingIfNeeded: slot)
            repeat {
                let rival = nodes[node ^ 1]
                ties &+= rival.high == keyHigh ? 1 : 0
                let rivalWins = rival.high < keyHigh
                keyHigh = headroom_select(rivalWins, rival.high, keyHigh)
                keySlot = UInt32(truncatingIfNeeded: headroom_select(rivalWins, UInt64(UInt32(bitPattern: rival.winner)), UInt64(keySlot)))
                node &>>= 1
                nodes[node] = Node(high: keyHigh, winner: Int32(bitPattern: keySlot))
            } while node != 1
            if _slowPath(ties != 0) { replayExactly(leaf: leaf) }
        }

        /// Siblings at nodes from this one down (deep in a large tree: subtrees of at most a
        /// few dozen leaves) are left out of `runnerUp`.
        @inlinable static var runnerUpNodes: Int { 512 }

        /// The least time among the siblings on slot `slot`'s path and the slot holding it: with
        /// `slot` just popped (its path still names it), the next slot to pop but for `slot`'s
        /// own next time. The siblings' places follow from the slot alone, so their loads do not
        /// wait on one another; the replay that follows finds them in the cache.
        ///
        /// In a large tree the siblings from node `runnerUpNodes` down are only asked for (the
        /// replay reads them), not compared: they are out of the cache (waiting for them put ~9 %
        /// of the fleet's samples in this walk, ~6 % after), while the next slot is in one of
        /// their subtrees only about as often as they hold the leaves (under 1 % of a tree of
        /// 16,384 slots). So the result is the next slot but for those subtrees.
        @inlinable @inline(__always)
        func runnerUp(of slot: Int) -> Node {
            let nodes = nodes
            var node = capacity &+ slot, bestHigh = UInt64.max, bestNode = 0
            while node >= Self.runnerUpNodes {
                headroom_prefetch(nodes + (node ^ 1))
                node &>>= 1
            }
            // Selected by conditional moves, as in the replay (the compiler emits a branch for a
            // `?:` here). Runs at least once: a leaf is at node 2 or beyond, and the loop above
            // stops at 256 or beyond.
            repeat {
                let rivalHigh = nodes[node ^ 1].high
                let rivalWins = rivalHigh < bestHigh
                bestHigh = headroom_select(rivalWins, rivalHigh, bestHigh)
                bestNode = Int(truncatingIfNeeded: headroom_select(rivalWins, UInt64(node ^ 1), UInt64(bestNode)))
                node &>>= 1
            } while node != 1
            return Node(high: bestHigh, winner: bestHigh == .max ? -1 : nodes[bestNode].winner)
        }

        /// Replays leaf `leaf`'s whole path comparing whole keys (the low halves where times tie).
        @usableFromInline @inline(never)
        func replayExactly(leaf: Int) {
            var node = leaf
            repeat {
                node &>>= 1
                playMatch(node)
            } while node != 1
        }
    }
}
