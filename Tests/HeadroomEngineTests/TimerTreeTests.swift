import Testing
@testable import HeadroomEngine

@Suite("EventQueue timers")
struct TimerTreeTests {
    /// A reference: every pending event with its key; a timer slot holds at most one.
    struct Pending { var time: Int64; var phase: UInt8; var sequence: Int; var slot: Int?; var payload: Int }

    @Test("heap events and timers pop in one (time, phase, sequence) order; a timer set again replaces its event",
          arguments: 0..<16)
    func ordersLikeASortedReference(seed: Int) {
        var random = RandomStream(seed: UInt64(seed), name: "timer-test")
        // Odd seeds keep timer 0 apart, as the queue's lead timer (a run's next arrival).
        var queue = EventQueue<Int>(timerSlots: 3, leadTimer: seed % 2 == 1)
        var reference: [Pending] = []
        var sequence = 0
        let slots = [1, 4, 40, 300][seed % 4]   // grows past its first capacity when slots > 3
        for step in 0..<3_000 {
            let roll = random.nextUnit()
            let time = Int64(random.next() % 60)   // many ties on purpose
            let phase = UInt8(random.next() % 3)
            if roll < 0.3 {
                queue.schedule(step, at: SimTime(nanoseconds: time), phase: phase)
                reference.append(Pending(time: time, phase: phase, sequence: sequence, slot: nil, payload: step))
                sequence += 1
            } else if roll < 0.6 {
                let slot = random.nextIndex(below: slots)
                queue.setTimer(slot, step, at: SimTime(nanoseconds: time), phase: phase)
                reference.removeAll { $0.slot == slot }
                reference.append(Pending(time: time, phase: phase, sequence: sequence, slot: slot, payload: step))
                sequence += 1
            } else if roll < 0.65 {
                let slot = random.nextIndex(below: slots + 2)   // cancelling an unknown slot does nothing
                queue.cancelTimer(slot)
                reference.removeAll { $0.slot == slot }
            } else {
                reference.sort { ($0.time, $0.phase, $0.sequence) < ($1.time, $1.phase, $1.sequence) }
                let next = queue.popNext()
                #expect(next?.payload == reference.first?.payload)
                #expect(next?.time.nanoseconds == reference.first?.time)
                if !reference.isEmpty { reference.removeFirst() }
            }
            #expect(queue.count == reference.count)
        }
    }

    @Test("a hold model: each popped timer is set again at once (the path replayed from its slot), in order with the rest",
          arguments: [2, 5, 17, 200])
    func poppedTimerSetAgain(slots: Int) {
        var random = RandomStream(seed: UInt64(slots), name: "timer-hold")
        var queue = EventQueue<Int>(timerSlots: 2)
        var pending: [Int: (time: Int64, sequence: Int)] = [:]   // slot → key: the reference
        var sequence = 0
        func set(_ slot: Int, at time: Int64) {
            queue.setTimer(slot, slot, at: SimTime(nanoseconds: time), phase: 1)
            pending[slot] = (time, sequence)
            sequence += 1
        }
        for slot in 0..<slots where random.nextUnit() < 0.8 { set(slot, at: Int64(random.next() % 50)) }
        var now: Int64 = 0
        for _ in 0..<4_000 {
            guard let expected = pending.min(by: { ($0.value.time, $0.value.sequence) < ($1.value.time, $1.value.sequence) }) else { break }
            let next = queue.popNext()
            #expect(next?.payload == expected.key && next?.time.nanoseconds == expected.value.time)
            if next?.payload != expected.key { return }
            pending[expected.key] = nil
            now = expected.value.time
            let roll = random.nextUnit()
            if roll < 0.8 {
                set(expected.key, at: now + Int64(random.next() % 40))   // often ties with another slot
            } else if roll < 0.9 {
                set(random.nextIndex(below: slots), at: now + Int64(random.next() % 40))   // another slot instead
            }
            #expect(queue.count == pending.count)
        }
    }

    @Test("a popped timer's slot is free: setting it again counts once, cancelling it does nothing")
    func poppedSlotIsFree() {
        var queue = EventQueue<String>()
        queue.setTimer(0, "a", at: .seconds(1))
        queue.setTimer(1, "b", at: .seconds(2))
        #expect(queue.popNext()?.payload == "a")
        #expect(queue.count == 1)
        queue.cancelTimer(0)
        #expect(queue.count == 1)
        queue.setTimer(0, "a again", at: .seconds(3))
        #expect(queue.count == 2)
        #expect(queue.nextTime == .seconds(2))
        #expect(queue.popNext()?.payload == "b")
        #expect(queue.popNext()?.payload == "a again")
        #expect(queue.popNext() == nil)
        #expect(queue.isEmpty)
    }

    @Test("the horizon applies to timers as to heap events")
    func horizon() {
        var queue = EventQueue<Int>()
        queue.setTimer(7, 7, at: .seconds(5))
        #expect(queue.popNext(notAfter: .seconds(4)) == nil)
        #expect(queue.popNext(notAfter: .seconds(5))?.payload == 7)
        queue.setTimer(2, 2, at: .seconds(6))
        queue.removeAll()
        #expect(queue.isEmpty && queue.popNext() == nil)
    }

    @Test("a tree grows while a popped slot is still vacant: the vacancy and every pending event survive")
    func growsWhileVacant() {
        var queue = EventQueue<Int>(timerSlots: 2)
        queue.setTimer(0, 0, at: .seconds(1))
        queue.setTimer(1, 1, at: .seconds(3))
        #expect(queue.popNext()?.payload == 0)   // slot 0 vacant, not yet replayed
        queue.setTimer(37, 37, at: .seconds(2))   // grows from 2 leaves to 64
        queue.setTimer(5, 5, at: .seconds(4))
        #expect(queue.count == 3)
        #expect(queue.popNext()?.payload == 37)
        #expect(queue.popNext()?.payload == 1)
        queue.setTimer(0, 100, at: .seconds(5))
        #expect(queue.popNext()?.payload == 5)
        #expect(queue.popNext()?.payload == 100)
        #expect(queue.popNext() == nil)
    }

    @Test("a copy of a queue is its own: timers set, cancelled or popped in one leave the other as it was")
    func copiesAreIndependent() {
        var original = EventQueue<String>(timerSlots: 4)
        original.setTimer(0, "a", at: .seconds(1))
        original.setTimer(1, "b", at: .seconds(2))
        original.schedule("heap", at: .seconds(3))
        #expect(original.popNext()?.payload == "a")   // slot 0 vacant in both copies
        var copy = original
        copy.setTimer(1, "b moved", at: .seconds(4))
        copy.setTimer(2, "c", at: .seconds(1))
        copy.setTimer(9, "grown", at: .seconds(5))
        var cancelled = original
        cancelled.cancelTimer(1)
        var drained: [String] = []
        while let event = original.popNext() { drained.append(event.payload) }
        #expect(drained == ["b", "heap"])
        drained = []
        while let event = copy.popNext() { drained.append(event.payload) }
        #expect(drained == ["c", "heap", "b moved", "grown"])
        #expect(cancelled.popNext()?.payload == "heap")
        #expect(cancelled.popNext() == nil)
    }

    @Test("the tree alone: firstKey, isPending and cancel agree with the slots set, across growth")
    func treeAlone() {
        var tree = TimerTree<Int>(slots: 2)
        #expect(tree.firstKey == .max && tree.count == 0)
        for slot in [3, 0, 17, 8] { tree.set(slot, key: UInt128(100 - slot), payload: slot) }
        #expect(tree.count == 4 && tree.isPending(17) && !tree.isPending(2) && !tree.isPending(-1) && !tree.isPending(64))
        #expect(tree.firstKey == 83)
        tree.cancel(17)
        tree.cancel(40)   // beyond the leaves: nothing
        #expect(tree.firstKey == 92)
        #expect(tree.popFirst().payload == 8)
        #expect(!tree.isPending(8) && tree.count == 2)
        #expect(tree.popFirst().payload == 3)
        #expect(tree.popFirst().payload == 0)
        #expect(tree.firstKey == .max && tree.count == 0)
    }
}
