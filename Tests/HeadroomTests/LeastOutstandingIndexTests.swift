import Testing
import HeadroomEngine
@testable import Headroom

@Suite("Least-outstanding routing index")
struct LeastOutstandingIndexTests {
    @Test("the minimum is always the least loaded ready replica, lowest id among ties, as a scan finds it")
    func agreesWithAScan() {
        var random = RandomStream(seed: 5, name: "routing-index")
        var index = LeastOutstandingIndex()
        var loads: [Int32: Int] = [:]   // the ready replicas and their loads: the reference
        for _ in 0..<50_000 {
            let replica = Int32(random.nextIndex(below: 40))
            switch random.nextIndex(below: 10) {
            case 0:
                if loads[replica] == nil {
                    let load = random.nextIndex(below: 5)
                    index.insert(replica, outstanding: load)
                    loads[replica] = load
                }
            case 1:
                index.remove(replica)
                loads[replica] = nil
            default:
                // Mostly ±1 (an arrival, a finish), sometimes a jump (several finish at once);
                // replicas that are not ready change load too, and must stay out.
                let old = loads[replica] ?? random.nextIndex(below: 5)
                let new = max(0, old + [-1, 1, 1, -3, 7][random.nextIndex(below: 5)])
                index.update(replica, outstanding: new)
                if loads[replica] != nil { loads[replica] = new }
            }
            let expected = loads.min { ($0.value, $0.key) < ($1.value, $1.key) }
            #expect(index.count == loads.count)
            #expect(index.least?.replica == expected?.key && index.least?.outstanding == expected?.value)
            if index.least?.replica != expected?.key { return }
        }
    }

    @Test("a copy is its own: inserts, updates and removals in one leave the other as it was")
    func copyOnWrite() {
        var index = LeastOutstandingIndex()
        for replica in Int32(0)..<8 { index.insert(replica, outstanding: Int(replica) % 3) }
        let copy = index
        index.update(0, outstanding: 9)
        index.remove(3)
        index.insert(20, outstanding: 0)
        #expect(copy.count == 8 && copy.least?.replica == 0 && copy.least?.outstanding == 0)
        #expect(!copy.contains(20) && copy.contains(3))
        var other = copy
        other.update(0, outstanding: 5)
        #expect(other.least?.replica == 3 && copy.least?.replica == 0)
        #expect(index.count == 8 && index.least?.replica == 6)   // loads 0 at 6 and 20: the lower id
    }
}
