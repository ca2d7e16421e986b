import HeadroomEngine
import Testing
@testable import Headroom

/// llm-d's prefix and queue scorers, with Headroom's imbalance guard, and session affinity.
@Suite("Cache-aware routing")
struct CacheAwareRoutingTests {
    /// Two idle engines and a table with requests sharing one 512-token prefix hash.
    static func setUp() -> (engines: [ReplicaEngine], requests: RequestTable) {
        let engine = ReplicaEngine(limits: EngineSpec(), model: StepTimeModel(HardwareProfile.builtIn[0]), kvCapacity: 100_000, collapsesDecodeRuns: true, queueTimeout: nil)
        return ([engine, engine], RequestTable())
    }

    static func request(_ requests: inout RequestTable, hashes: [UInt64], prompt: Int = 1024, session: Int64 = -1,
                        endsSession: Bool = false) -> Int32 {
        let id = requests.insert(RequestSlot(arrival: .zero, promptTokens: Int32(prompt), outputTokens: 10,
                                             prefillRemaining: Int32(prompt), serial: 0))
        requests.setChain(id, session: session, endsSession: endsSession, prefix: PrefixSpan(start: 0, count: hashes.count, blockTokens: 512, tokens: prompt),
                          hashes: hashes[...])
        return id
    }

    static func router(_ routing: CacheAwareRouting) -> Router {
        var router = Router(RouterSpec(strategy: .cacheAware, cacheAware: routing), random: RandomStream(seed: 1, name: "router"))
        router.replicaReady(0, outstanding: 0)
        router.replicaReady(1, outstanding: 0)
        return router
    }

    @Test("the replica holding the prefix wins while its load stays within max_imbalance of the least loaded")
    func prefixUnlessImbalanced() {
        var (engines, requests) = Self.setUp()
        var router = Self.router(CacheAwareRouting(maxImbalance: 3))
        // Equal scores go to the lower id; replica 0 now holds the prefix's 64 router blocks.
        let first = Self.request(&requests, hashes: [5, 6])
        #expect(router.pick(from: [0, 1], engines: engines, request: first, requests: requests) == 0)
        #expect(router.matchedBlocks(first, on: 0, upTo: 64, requests: requests) == 64)
        // Replica 0 three requests ahead: 3 × 1 + 2 × 1 against 0 + 2 × 1; within the allowance.
        engines[0].outstanding = 3
        let second = Self.request(&requests, hashes: [5, 6])
        #expect(router.pick(from: [0, 1], engines: engines, request: second, requests: requests) == 0)
        // Four ahead exceeds max_imbalance 3: the least loaded replica gets it.
        engines[0].outstanding = 4
        let third = Self.request(&requests, hashes: [5, 6])
        #expect(router.pick(from: [0, 1], engines: engines, request: third, requests: requests) == 1)
    }

    @Test("half the prefix matched scores half; the queue scorer outweighs it at llm-d's weights when the holder has the longer queue")
    func weights() {
        var (engines, requests) = Self.setUp()
        var router = Self.router(CacheAwareRouting())
        let first = Self.request(&requests, hashes: [5, 6])
        #expect(router.pick(from: [0, 1], engines: engines, request: first, requests: requests) == 0)
        // Replica 0 has 2 waiting, replica 1 none. A full match: 3 × 1 + 2 × 0 = 3 > 0 + 2 × 1,
        // the holder keeps it despite its queue.
        engines[0].waiting = [90, 91]
        engines[0].outstanding = 2
        let full = Self.request(&requests, hashes: [5, 6])
        #expect(router.pick(from: [0, 1], engines: engines, request: full, requests: requests) == 0)
        // Shares only the first hash block: 32 of 64 blocks, 3 × 0.5 + 0 = 1.5 < 2.
        let partial = Self.request(&requests, hashes: [5, 8])
        #expect(router.matchedBlocks(partial, on: 0, upTo: 64, requests: requests) == 32)
        #expect(router.pick(from: [0, 1], engines: engines, request: partial, requests: requests) == 1)
        // Replica 1 now holds that first half too.
        #expect(router.matchedBlocks(full, on: 1, upTo: 64, requests: requests) == 32)
    }

    @Test("a request without hashes goes by the queue scorer alone")
    func noPrefix() {
        var (engines, requests) = Self.setUp()
        var router = Self.router(CacheAwareRouting())
        engines[0].waiting = [90]
        let id = requests.insert(RequestSlot(arrival: .zero, promptTokens: 10, outputTokens: 1, prefillRemaining: 10, serial: 0))
        #expect(router.pick(from: [0, 1], engines: engines, request: id, requests: requests) == 1)
    }

    @Test("session_weight: llm-d's session-affinity scorer adds its weight for the replica the session last went to")
    func sessionWeight() {
        var (engines, requests) = Self.setUp()
        var router = Self.router(CacheAwareRouting(sessionWeight: 3))
        let first = Self.request(&requests, hashes: [], prompt: 10, session: 4)
        #expect(router.pick(from: [0, 1], engines: engines, request: first, requests: requests) == 0)
        // Replica 0 now has the longer queue: 0 + 2 × 0 + 3 = 3 > 0 + 2 × 1.
        engines[0].waiting = [90]
        engines[0].outstanding = 1
        let second = Self.request(&requests, hashes: [], prompt: 10, session: 4)
        #expect(router.pick(from: [0, 1], engines: engines, request: second, requests: requests) == 0)
        let stranger = Self.request(&requests, hashes: [], prompt: 10, session: 5)
        #expect(router.pick(from: [0, 1], engines: engines, request: stranger, requests: requests) == 1)
    }

    @Test("session affinity keeps a session on its replica while it is ready, else the least loaded")
    func sessionAffinity() {
        var (engines, requests) = Self.setUp()
        var router = Router(RouterSpec(strategy: .sessionAffinity), random: RandomStream(seed: 1, name: "router"))
        router.replicaReady(0, outstanding: 0)
        router.replicaReady(1, outstanding: 0)
        let a = Self.request(&requests, hashes: [], prompt: 10, session: 7)
        #expect(router.pick(from: [0, 1], engines: engines, request: a, requests: requests) == 0)
        engines[0].outstanding = 5
        router.loadChanged(0, outstanding: 5)
        let b = Self.request(&requests, hashes: [], prompt: 10, session: 7)
        #expect(router.pick(from: [0, 1], engines: engines, request: b, requests: requests) == 0)
        let other = Self.request(&requests, hashes: [], prompt: 10, session: 8)
        #expect(router.pick(from: [0, 1], engines: engines, request: other, requests: requests) == 1)
        router.replicaLeft(0)
        let c = Self.request(&requests, hashes: [], prompt: 10, session: 7)
        #expect(router.pick(from: [1], engines: engines, request: c, requests: requests) == 1)
    }

    @Test("a session's last request is placed as the others (affinity: on their replica), then the router forgets the session",
          arguments: [RouterSpec.Strategy.sessionAffinity, .cacheAware])
    func lastRequestForgetsSession(strategy: RouterSpec.Strategy) {
        var (engines, requests) = Self.setUp()
        var router = Router(RouterSpec(strategy: strategy), random: RandomStream(seed: 1, name: "router"))
        router.replicaReady(0, outstanding: 0)
        router.replicaReady(1, outstanding: 0)
        let first = Self.request(&requests, hashes: [], prompt: 10, session: 3)
        let placed = router.pick(from: [0, 1], engines: engines, request: first, requests: requests)!
        #expect(router.sessionReplica[3] == placed)
        // The chosen replica is now the busier one: only the session keeps the next request there.
        engines[Int(placed)].outstanding = 2
        router.loadChanged(placed, outstanding: 2)
        // (Cache-aware routing weighs the session against the queues: only affinity must stay.)
        let middle = Self.request(&requests, hashes: [], prompt: 10, session: 3)
        let second = router.pick(from: [0, 1], engines: engines, request: middle, requests: requests)
        #expect(strategy != .sessionAffinity || second == placed)
        #expect(router.sessionReplica[3] == second)
        let last = Self.request(&requests, hashes: [], prompt: 10, session: 3, endsSession: true)
        let third = router.pick(from: [0, 1], engines: engines, request: last, requests: requests)
        #expect(third != nil && (strategy != .sessionAffinity || third == placed))
        #expect(router.sessionReplica[3] == nil && router.sessionReplica.isEmpty)
        // A one-request session is never remembered.
        let single = Self.request(&requests, hashes: [], prompt: 10, session: 9, endsSession: true)
        #expect(router.pick(from: [0, 1], engines: engines, request: single, requests: requests) != nil)
        #expect(router.sessionReplica.isEmpty)
    }
}
