import Testing
@testable import HeadroomEngine

@Suite("RandomStream")
struct RandomStreamTests {
    @Test("a (seed, name) pair always gives the same stream")
    func reproducible() {
        var a = RandomStream(seed: 7, name: "workload.arrivals")
        var b = RandomStream(seed: 7, name: "workload.arrivals")
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
    }

    @Test("different names or seeds give unrelated streams")
    func independent() {
        var a = RandomStream(seed: 7, name: "workload.arrivals")
        var b = RandomStream(seed: 7, name: "cluster")
        var c = RandomStream(seed: 8, name: "workload.arrivals")
        var same = 0
        for _ in 0..<1000 {
            let x = a.next()
            if x == b.next() { same += 1 }
            if x == c.next() { same += 1 }
        }
        #expect(same == 0)
    }

    @Test("unit draws stay in range and average one half", arguments: 0..<5)
    func unitRange(seed: Int) {
        var random = RandomStream(seed: UInt64(seed), name: "unit")
        var sum = 0.0
        for _ in 0..<100_000 {
            let u = random.nextUnit(), v = random.nextOpenUnit()
            #expect(u >= 0 && u < 1)
            #expect(v > 0 && v < 1)
            sum += u
        }
        #expect(abs(sum / 100_000 - 0.5) < 0.005)
    }
}
