import Foundation
import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

/// vLLM-style automatic prefix caching on one replica: what a prefill skips, and which blocks
/// go first when room is needed.
@Suite("Prefix cache")
struct PrefixCacheTests {
    static func key(_ n: UInt64) -> BlockKey { BlockKey(hash: n, offset: 15) }

    @Test("free blocks are evicted least recently freed first; a reused free block leaves the queue")
    func lruOrder() {
        var cache = PrefixCache(blockTokens: 16)
        let blocks = (1...4).map { cache.insert(Self.key($0)) }
        // Freed in the order 3, 1, 4, 2 (vLLM frees a request's blocks last first, so its tail goes first).
        for index in [2, 0, 3, 1] {
            let freed = cache.release(blocks[index])
            #expect(freed)
        }
        #expect(cache.freeQueue == [3, 1, 4, 2].map(Self.key))
        #expect(cache.freeBlocks == 4 && cache.usedBlocks == 0)
        // Block 1 is found again by a new request: it leaves the free queue.
        let revived = cache.acquire(blocks[0])
        #expect(revived)
        #expect(cache.freeQueue == [3, 4, 2].map(Self.key))
        // 100 tokens used besides the three free blocks, room for one of them: 3 goes, then 4.
        cache.trim(used: 100, capacity: 100 + 16)
        #expect(cache.block(Self.key(3)) == nil && cache.block(Self.key(4)) == nil)
        #expect(cache.block(Self.key(2)) != nil && cache.block(Self.key(1)) != nil)
        #expect(cache.freeQueue == [Self.key(2)])
        #expect(cache.evictions == 2)
        // A block in use is never evicted, however short the room.
        cache.trim(used: 1000, capacity: 10)
        #expect(cache.block(Self.key(1)) == blocks[0] && cache.freeBlocks == 0)
        // Its last user leaves: it joins the queue's tail.
        let freed = cache.release(blocks[0])
        #expect(freed)
        #expect(cache.freeQueue == [Self.key(1)])
    }

    @Test("a block shared by two sequences is freed only when both release it")
    func referenceCounts() {
        var cache = PrefixCache(blockTokens: 16)
        let block = cache.insert(Self.key(7))
        let revived = cache.acquire(block)
        #expect(!revived && cache.references == 2)
        let freedEarly = cache.release(block)
        #expect(!freedEarly && cache.freeBlocks == 0)
        let freed = cache.release(block)
        #expect(freed)
        #expect(cache.freeBlocks == 1 && cache.references == 0)
    }

    /// Two requests 10 s apart on one replica, prompts of 1,100 tokens whose first 1,024 (two
    /// 512-token hash blocks) are the same.
    static func sharedPrefixScenario(caching: Bool, blockSize: Int = 16) throws -> Scenario {
        let trace = """
        t,prompt,output,hashes
        0,1100,2,11;12;13
        10,1100,2,11;12;99
        """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-prefix-\(UUID().uuidString).csv").path
        try trace.write(toFile: path, atomically: true, encoding: .utf8)
        var spec = TraceSpec(file: path, format: .csv)
        spec.columns = TraceSpec.Columns(time: "t", prompt: "prompt", output: "output", hashIDs: "hashes")
        var scenario = TestScenario.make(
            duration: .seconds(30),
            engine: EngineSpec(kvCacheTokens: .tokens(20_000), prefixCaching: caching, blockSize: blockSize))
        scenario.deployments[0].workload = WorkloadSpec(trace: spec)
        return scenario
    }

    @Test("the second of two requests sharing a 1,024-token prefix prefills only its 76-token suffix")
    func sharedPrefix() throws {
        let result = Simulation.run(try Self.sharedPrefixScenario(caching: true), options: RunOptions(requestSample: 10))
        let records = result.requests.sorted { $0.arrival < $1.arrival }
        #expect(records.count == 2)
        // Simple profile: 10 ms + 1 ms per sequence + 0.1 ms per prefill token.
        #expect(abs(records[0].firstToken! - records[0].arrival - 0.121) < 1e-9)
        #expect(abs(records[1].firstToken! - records[1].arrival - 0.0186) < 1e-9)
        let cache = try #require(result.summary.prefixCache)
        #expect(cache.queriedTokens == 2200 && cache.hitTokens == 1024)
        #expect(cache.replicas.count == 1 && abs(cache.hitRate - 1024.0 / 2200) < 1e-12)
        #expect(result.brokenInvariant == nil)
    }

    @Test("without prefix caching both prefill the whole prompt, and no cache figures are reported")
    func sharedPrefixOff() throws {
        let result = Simulation.run(try Self.sharedPrefixScenario(caching: false), options: RunOptions(requestSample: 10))
        for record in result.requests { #expect(abs(record.firstToken! - record.arrival - 0.121) < 1e-9) }
        #expect(result.summary.prefixCache == nil)
    }

    @Test("a block size that does not divide the hash block: the hit stops at the last block inside the shared prefix")
    func unevenBlocks() throws {
        // 1,024 / 48 = 21 whole blocks (1,008 tokens); the 22nd ends past the shared prefix.
        let result = Simulation.run(try Self.sharedPrefixScenario(caching: true, blockSize: 48), options: RunOptions(requestSample: 10))
        let second = result.requests.sorted { $0.arrival < $1.arrival }[1]
        #expect(abs(second.firstToken! - second.arrival - (0.011 + 0.0001 * 92)) < 1e-9)
        #expect(result.summary.prefixCache?.hitTokens == 1008)
    }
}
