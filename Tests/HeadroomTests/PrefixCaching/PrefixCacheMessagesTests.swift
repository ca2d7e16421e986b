import Foundation
import Testing
@testable import Headroom

/// Bad prefix-caching, conversation and routing input is refused with the place and the fix.
@Suite("Prefix caching messages")
struct PrefixCacheMessagesTests {
    func error(_ yaml: String) -> ScenarioError? { ScenarioLoadingTests().error(yaml) }
    func replacing(_ old: String, _ new: String) -> String { ScenarioLoadingTests().replacing(old, new) }

    @Test("prefix caching needs a finite KV cache; block_size is bounded; unknown engine keys are named")
    func engine() throws {
        let unlimited = try #require(error(replacing("max_num_seqs: 64", "max_num_seqs: 64\n    prefix_caching: true\n    kv_cache_tokens: unlimited")))
        #expect(unlimited.path == "replica.engine.prefix_caching" && unlimited.message.contains("finite KV cache"), "\(unlimited)")
        let block = try #require(error(replacing("max_num_seqs: 64", "max_num_seqs: 64\n    block_size: 0")))
        #expect(block.path == "replica.engine.block_size", "\(block)")
        #expect(error(replacing("max_num_seqs: 64", "max_num_seqs: 64\n    prefix_caching: true\n    block_size: 32")) == nil)
    }

    @Test("a conversation needs turns and think_time, at least one turn, and no unknown key; a trace takes none")
    func conversation() throws {
        let ok = replacing("output_tokens: 100", "output_tokens: 100\n  conversation: {turns: 4, think_time: 30s}")
        #expect(error(ok) == nil)
        let scenario = try Scenario.parse(yaml: ok, file: "s.yaml")
        #expect(scenario.workload.conversation?.thinkTime == .constant(30))
        let zero = try #require(error(replacing("output_tokens: 100", "output_tokens: 100\n  conversation: {turns: 0, think_time: 30s}")))
        #expect(zero.path == "workload.conversation.turns" && zero.message.contains("at least 1 turn"), "\(zero)")
        let missing = try #require(error(replacing("output_tokens: 100", "output_tokens: 100\n  conversation: {turns: 4}")))
        #expect(missing.message.contains("think_time"), "\(missing)")
        let unknown = try #require(error(replacing("output_tokens: 100", "output_tokens: 100\n  conversation: {turns: 4, think_time: 30s, users: 3}")))
        #expect(unknown.message.contains("users"), "\(unknown)")
    }

    @Test("cache_aware settings belong to the cache_aware strategy; weights are bounded")
    func router() throws {
        let policy = "policy: {kind: fixed, replicas: 2}"
        #expect(error(replacing(policy, policy + "\nrouter: {strategy: cache_aware, cache_aware: {prefix_weight: 1, max_imbalance: 8}}")) == nil)
        let misplaced = try #require(error(replacing(policy, policy + "\nrouter: {strategy: round_robin, cache_aware: {prefix_weight: 1}}")))
        #expect(misplaced.path == "router.cache_aware" && misplaced.message.contains("strategy: cache_aware"), "\(misplaced)")
        let negative = try #require(error(replacing(policy, policy + "\nrouter: {strategy: cache_aware, cache_aware: {queue_weight: -1}}")))
        #expect(negative.path == "router.cache_aware.queue_weight", "\(negative)")
    }

    @Test("the generic CSV's session and hash columns: a missing column and a bad hash are named with the line")
    func csvColumns() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-hash-\(UUID().uuidString).csv").path
        try "t,p,o,s,h\n0,10,2,alice,1;2\n1,10,2,bob,3 4\n2,10,2,alice,x\n3,10,2,,\n".write(toFile: path, atomically: true, encoding: .utf8)
        let columns = TraceSpec.Columns(time: "t", prompt: "p", output: "o", session: "s", hashIDs: "h")
        var reader = try TraceReader(file: path, format: .csv, columns: columns)
        let firstRow = try reader.next()
        let first = try #require(firstRow)
        #expect(first.session == 0 && first.hashIDs == [1, 2])
        let secondRow = try reader.next()
        let second = try #require(secondRow)
        #expect(second.session == 1 && second.hashIDs == [3, 4])
        let fourthRow = try reader.next()  // the third row is skipped
        let fourth = try #require(fourthRow)
        #expect(fourth.session == -1 && fourth.hashIDs.isEmpty && fourth.time == 3)
        #expect(reader.skipped == 1 && reader.skippedExamples.first?.description.contains(":4: hash id `x`") == true)
        let wrong = TraceSpec.Columns(time: "t", prompt: "p", output: "o", hashIDs: "hashes")
        #expect { _ = try TraceReader(file: path, format: .csv, columns: wrong) } throws: { "\($0)".contains("no column `hashes`") }
    }

    @Test("Mooncake's hash_ids are read; the replay names the prompt's tokens with 512-token blocks")
    func mooncake() throws {
        let path = TraceTests.folder.appendingPathComponent("mooncake_synthetic_trace.jsonl").path
        var replay = try TraceReplay(TraceSpec(file: path, format: .mooncake), seed: 1, loopPeriod: nil)
        var hashes: [UInt64] = []
        let firstRequest = replay.next(hashes: &hashes)
        let first = try #require(firstRequest)
        #expect(first.promptTokens == 40160 && first.prefix.count == 79 && first.prefix.blockTokens == 512)
        #expect(first.prefix.tokens == 40160 && hashes == Array(0...78))
        let secondRequest = replay.next(hashes: &hashes)
        let second = try #require(secondRequest)
        #expect(second.prefix.start == 79 && hashes[79] == 79)
    }

    @Test("hashes nothing reads are not kept: the feed drops them, and the run equals one without hash_ids")
    func unreadHashes() throws {
        let lines = (0..<400).map { "{\"timestamp\": \($0 * 250), \"input_length\": \(600 + $0 % 7 * 300), \"output_length\": \(20 + $0 % 5 * 40), \"hash_ids\": [\($0 % 3), \(1000 + $0)]}" }
        let hashed = try TraceTests.write(lines.joined(separator: "\n") + "\n", name: "t.jsonl")
        let bare = try TraceTests.write(lines.map { $0.replacingOccurrences(of: #", "hash_ids": \[\d+, \d+\]"#, with: "", options: .regularExpression) }
            .joined(separator: "\n") + "\n", name: "t.jsonl")
        var kept = RequestFeed(.trace(try TraceReplay(TraceSpec(file: hashed, format: .mooncake), seed: 1, loopPeriod: nil)))
        var dropped = RequestFeed(.trace(try TraceReplay(TraceSpec(file: hashed, format: .mooncake), seed: 1, loopPeriod: nil)), keepsPrefixHashes: false)
        let keptFirst = kept.next(), droppedFirst = dropped.next()
        let first = try #require(keptFirst), same = try #require(droppedFirst)
        #expect(first.prefix.count == 2 && kept.hashes(of: first) == [0, 1000])
        #expect(same.prefix == PrefixSpan() && same.arrival == first.arrival && same.promptTokens == first.promptTokens)

        func yaml(_ trace: String, _ extra: String = "") -> String {
            """
            name: unread-hashes
            duration: 2m
            workload: {trace: {file: \(trace)}}
            model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3-8b
            node_pools: [{name: p, gpu: H100, price_per_hour: 10, max_nodes: 2}]
            policy: {kind: fixed, replicas: 2}
            \(extra)
            """
        }
        let withHashes = try Scenario.parse(yaml: yaml(hashed)), without = try Scenario.parse(yaml: yaml(bare))
        #expect(!withHashes.deployments[0].readsPrefixHashes)
        let a = Simulation.run(withHashes, options: RunOptions()), b = Simulation.run(without, options: RunOptions())
        #expect(a.summary.requests.arrived == 400 && a.brokenInvariant == nil)
        #expect(a.summary == b.summary)
        // Routing by prefix reads them.
        #expect(try Scenario.parse(yaml: yaml(hashed, "router: {strategy: cache_aware}")).deployments[0].readsPrefixHashes)
    }
}
