import HeadroomEngine
import Testing
@testable import Headroom

@Suite("Block map")
struct BlockMapTests {
    @Test("agrees with a Dictionary through inserts, updates, removals and growth (few distinct keys: long probe runs)",
          arguments: [(8, 0), (200, 1), (5_000, 2)])
    func agreesWithDictionary(keys: Int, seed: Int) {
        var random = RandomStream(seed: UInt64(seed), name: "block-map")
        var map = BlockMap()
        var reference: [BlockKey: Int32] = [:]
        // Hashes that share their low bits and offsets that repeat, so that homes collide.
        func key() -> BlockKey {
            let k = random.nextIndex(below: keys)
            return BlockKey(hash: UInt64(k / 4) << 40, offset: UInt32(k % 4))
        }
        for step in 0..<40_000 {
            let k = key()
            switch random.nextIndex(below: 10) {
            case 0..<4: map[k] = Int32(step); reference[k] = Int32(step)
            case 4..<7: map[k] = nil; reference[k] = nil
            default: #expect(map[k] == reference[k])
            }
            #expect(map.count == reference.count)
        }
        for (k, block) in reference { #expect(map[k] == block) }
        for k in reference.keys { map[k] = nil }
        #expect(map.count == 0)
    }
}
