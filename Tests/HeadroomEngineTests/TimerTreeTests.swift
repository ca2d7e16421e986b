import Testing
@testable import HeadroomEngine

@Suite("EventQueue timers")
struct TimerTreeTests {
    /// A reference: every pending event with its key; a timer slot holds at most one.
    struct Pending { var time: Int64; var phase: UInt8; var sequence: Int; var slot: Int?; var payload: Int }

    @Test("heap events and timers pop in one (time, phase, sequence) order; a timer set again replaces its event",
          arguments: 0..<12)
    func ordersLikeASortedReference(seed: Int) {
        var random = RandomStream(seed: UInt64(seed), name: "timer-test")
        var queue = EventQueue<Int>(timerSlots: 3)
        var reference: [Pending] = []
        var sequence = 0
        let slots = [1, 4, 40][seed % 3]   // grows past its first capacity when slots > 3
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
}
