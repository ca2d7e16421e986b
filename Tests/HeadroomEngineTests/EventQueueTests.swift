import Testing
@testable import HeadroomEngine

@Suite("EventQueue")
struct EventQueueTests {
    @Test("pops in (time, phase, sequence) order whatever the insertion order", arguments: 0..<20)
    func ordersLikeASortedReference(seed: Int) {
        var random = RandomStream(seed: UInt64(seed), name: "queue-test")
        var queue = EventQueue<Int>()
        var reference: [(time: Int64, phase: UInt8, sequence: Int)] = []
        var sequence = 0
        var popped: [Int] = []
        var expected: [Int] = []
        for _ in 0..<2_000 {
            if random.nextUnit() < 0.6 || queue.isEmpty {
                let time = Int64(random.next() % 50)   // many ties on purpose
                let phase = UInt8(random.next() % 3)
                queue.schedule(sequence, at: SimTime(nanoseconds: time), phase: phase)
                reference.append((time, phase, sequence))
                sequence += 1
            } else {
                let next = queue.popNext()!
                popped.append(next.payload)
                reference.sort { ($0.time, $0.phase, $0.sequence) < ($1.time, $1.phase, $1.sequence) }
                let first = reference.removeFirst()
                expected.append(first.sequence)
                #expect(next.time.nanoseconds == first.time)
            }
        }
        #expect(popped == expected)
    }

    @Test("the next-timer hint, when given, names the timer whose event pops next (distinct times)", arguments: 0..<8)
    func nextHintNamesTheNextEvent(seed: Int) {
        var events = DistinctEvents(seed: seed, name: "queue-hint-test", timers: 40, heapShare: 0.3)
        var queue = EventQueue<Int>(timerSlots: 40, leadTimer: seed % 2 == 1)
        var now: Int64 = 0, hinted = 0
        for step in 0..<4_000 {
            events.add(to: &queue, after: now)
            guard step % 3 == 0 else { continue }
            // Right after a set (the tree settled) the hint is known; after a pop it may not be.
            let hint = queue.nextTimerHint()
            let next = queue.popNext()!
            now = next.time.nanoseconds
            if let hint {
                #expect(events.timerOf[next.payload] == hint)
                hinted += 1
            }
        }
        // ~1,333 pops, of which about a fifth follow a timer set with a timer's event next.
        #expect(hinted > 200)
    }

    @Test("the following-timer hint, right after a timer pops, names the timer whose event pops after it (distinct times)", arguments: 0..<8)
    func followingHintNamesTheEventAfter(seed: Int) {
        // Slots beyond a power of two (a tree of uneven paths) and, half the time, a lead timer.
        let timers = 37 + seed * 5, lead = seed % 2 == 1
        var events = DistinctEvents(seed: seed, name: "queue-following-test", timers: timers, heapShare: 0.2)
        var queue = EventQueue<Int>(timerSlots: timers, leadTimer: lead)
        var now: Int64 = 0, hinted = 0
        for step in 0..<4_000 {
            events.add(to: &queue, after: now)
            guard step % 3 == 0, let popped = queue.popNext() else { continue }
            now = popped.time.nanoseconds
            let hint = queue.followingTimerHint()
            // Only right after a timer of the tree popped (not the lead timer, not the heap).
            let treeTimerPopped = events.timerOf[popped.payload].map { !(lead && $0 == 0) } ?? false
            if !treeTimerPopped { #expect(hint == nil) }
            guard let next = queue.popNext() else { #expect(hint == nil); continue }
            now = next.time.nanoseconds
            if let hint {
                #expect(events.timerOf[next.payload] == hint)
                hinted += 1
            } else if treeTimerPopped {
                // No hint only when the heap's event comes next.
                #expect(events.timerOf[next.payload] == nil)
            }
        }
        #expect(hinted > 400)
    }

    @Test("in a large tree the following-timer hint leaves out only the deep siblings' subtrees", arguments: 0..<2)
    func followingHintInALargeTree(seed: Int) {
        // 1,500 slots: paths of 10–11 levels, the lowest 2–3 of them below `runnerUpNodes`. (Kept
        // small: debug builds check the whole tree after every change.)
        let timers = 1_500, lead = seed % 2 == 1, leadSlots = lead ? 1 : 0
        var events = DistinctEvents(seed: seed, name: "queue-following-large", timers: timers, heapShare: 0.2)
        var queue = EventQueue<Int>(timerSlots: timers, leadTimer: lead)
        let capacity = queue.timers.storage.capacity
        /// Whether timer `timer`'s leaf is in a sibling subtree of `popped`'s path rooted at or
        /// below `runnerUpNodes` (one the hint leaves out).
        func leftOut(_ timer: Int, poppedTimer: Int) -> Bool {
            func depth(_ node: Int) -> Int { Int.bitWidth - node.leadingZeroBitCount }
            var node = capacity + poppedTimer - leadSlots
            let leaf = capacity + timer - leadSlots
            while node >= TimerTree<Int>.Storage.runnerUpNodes {
                let sibling = node ^ 1
                if depth(leaf) >= depth(sibling) && leaf >> (depth(leaf) - depth(sibling)) == sibling { return true }
                node >>= 1
            }
            return false
        }
        var now: Int64 = 0, exact = 0, missed = 0
        for step in 0..<9_000 {
            events.add(to: &queue, after: now)
            guard step % 3 == 0, let popped = queue.popNext() else { continue }
            now = popped.time.nanoseconds
            let hint = queue.followingTimerHint()
            guard let poppedTimer = events.timerOf[popped.payload], !(lead && poppedTimer == 0),
                  let next = queue.popNext() else { continue }
            now = next.time.nanoseconds
            let nextTimer = events.timerOf[next.payload]
            if hint == nextTimer {
                exact += 1  // the right timer, or none when the heap's event is next
            } else if let nextTimer, nextTimer >= leadSlots, leftOut(nextTimer, poppedTimer: poppedTimer) {
                missed += 1  // the next timer sits where the hint does not look
            } else {
                Issue.record("hint \(String(describing: hint)) after timer \(poppedTimer); next \(String(describing: nextTimer))")
            }
        }
        #expect(exact > 1_000)
        #expect(Double(missed) < 0.05 * Double(exact))
    }

    @Test("at one instant a lower phase comes first, then scheduling order")
    func phaseThenSequence() {
        var queue = EventQueue<String>()
        let t = SimTime.seconds(1)
        queue.schedule("late phase", at: t, phase: 2)
        queue.schedule("first", at: t, phase: 0)
        queue.schedule("second", at: t, phase: 0)
        queue.schedule("earlier time", at: .milliseconds(999), phase: 9)
        var order: [String] = []
        while let event = queue.popNext() { order.append(event.payload) }
        #expect(order == ["earlier time", "first", "second", "late phase"])
    }

    @Test("the run loop stops at the horizon and handles events exactly at it")
    func runLoopHorizon() {
        struct Counter: EventHandler {
            var seen: [Int64] = []
            mutating func handle(_ payload: Int, at now: SimTime, queue: inout EventQueue<Int>) {
                seen.append(now.nanoseconds)
                if payload > 0 { queue.schedule(payload - 1, at: now + SimTime(nanoseconds: 10)) }
            }
        }
        var counter = Counter()
        var queue = EventQueue<Int>()
        queue.schedule(100, at: .zero)
        let handled = EventLoop.run(&counter, queue: &queue, until: SimTime(nanoseconds: 50))
        #expect(handled == 6)
        #expect(counter.seen == [0, 10, 20, 30, 40, 50])
        #expect(queue.count == 1)
    }
}

@Suite("MinHeap")
struct MinHeapTests {
    @Test("pops in sorted order under random inserts, removals and removeAll(where:)")
    func sortedOrder() {
        var random = RandomStream(seed: 9, name: "min-heap")
        var heap = MinHeap<Int>()
        var reference: [Int] = []
        for round in 0..<5_000 {
            if random.nextIndex(below: 3) > 0 || reference.isEmpty {
                let value = random.nextIndex(below: 1_000)
                heap.insert(value)
                reference.append(value)
            } else {
                reference.sort()
                #expect(heap.min == reference.first)
                #expect(heap.removeMin() == reference.removeFirst())
            }
            if round % 1_000 == 999 {
                let cut = random.nextIndex(below: 1_000)
                heap.removeAll { $0 % 7 == cut % 7 }
                reference.removeAll { $0 % 7 == cut % 7 }
            }
            #expect(heap.count == reference.count)
        }
        reference.sort()
        var drained: [Int] = []
        while !heap.isEmpty { drained.append(heap.removeMin()) }
        #expect(drained == reference)
    }
}

/// Random events at distinct times (so that the hints, which compare times alone, are exact): a
/// share on the heap, the rest on random timers, each payload's timer remembered.
private struct DistinctEvents {
    var random: RandomStream
    let timers: Int
    let heapShare: Double
    var times = Set<Int64>()
    var payload = 0
    /// Payload → the timer that holds it.
    var timerOf: [Int: Int] = [:]

    init(seed: Int, name: String, timers: Int, heapShare: Double) {
        random = RandomStream(seed: UInt64(seed), name: name)
        self.timers = timers
        self.heapShare = heapShare
    }

    mutating func add(to queue: inout EventQueue<Int>, after now: Int64) {
        payload += 1
        if random.nextUnit() < heapShare {
            queue.schedule(payload, at: freshTime(after: now))
        } else {
            let timer = Int(random.next() % UInt64(timers))
            timerOf[payload] = timer
            queue.setTimer(timer, payload, at: freshTime(after: now))
        }
    }

    private mutating func freshTime(after now: Int64) -> SimTime {
        var time: Int64
        repeat { time = now + 1 + Int64(random.next() % 100_000) } while !times.insert(time).inserted
        return SimTime(nanoseconds: time)
    }
}
