import HeadroomEngine
import Testing
@testable import Headroom

/// The multi-turn conversation generator: each turn repeats the history and adds new tokens,
/// turns follow `think_time` apart, sessions interleave in arrival order.
@Suite("Conversations")
struct ConversationTests {
    @Test("three turns 10 s apart: prompts 100, 220, 340; one hash chain per session, covering prompt and output")
    func turns() throws {
        var spec = WorkloadSpec(arrivals: .poisson(rate: 0.05), promptTokens: .constant(100), outputTokens: .constant(20))
        spec.conversation = ConversationSpec(turns: .constant(3), thinkTime: .constant(10))
        var workload = SyntheticWorkload(spec, seed: 4)
        var hashes: [UInt64] = []
        var requests: [IncomingRequest] = []
        while requests.count < 60, let request = workload.next(hashes: &hashes) { requests.append(request) }
        #expect(zip(requests, requests.dropFirst()).allSatisfy { $0.arrival <= $1.arrival }, "arrival order")
        let sessions = Dictionary(grouping: requests, by: \.session)
        #expect(sessions.count >= 15)
        for (session, turns) in sessions where turns.count == 3 {
            #expect(turns.map(\.promptTokens) == [100, 220, 340])
            #expect(turns.map(\.outputTokens) == [20, 20, 20])
            #expect(turns.map(\.endsSession) == [false, false, true], "only the last turn ends its session")
            #expect(turns[1].arrival - turns[0].arrival == .seconds(10) && turns[2].arrival - turns[1].arrival == .seconds(10))
            for turn in turns {
                // One 512-token hash block covers prompt and output here; its id names the session's first block.
                #expect(turn.prefix.count == 1 && turn.prefix.blockTokens == 512 && turn.prefix.tokens == Int32(turn.promptTokens + 20))
                #expect(hashes[Int(turn.prefix.start)] == UInt64(session) << 12)
            }
        }
    }

    @Test("a history past the longest request ends the session")
    func historyCap() {
        var spec = WorkloadSpec(arrivals: .poisson(rate: 0.001), promptTokens: .constant(400_000), outputTokens: .constant(10))
        spec.conversation = ConversationSpec(turns: .constant(5), thinkTime: .constant(1))
        var workload = SyntheticWorkload(spec, seed: 1)
        var hashes: [UInt64] = []
        let first = workload.next(hashes: &hashes), second = workload.next(hashes: &hashes), third = workload.next(hashes: &hashes)
        #expect(first?.promptTokens == 400_000 && second?.promptTokens == 800_010)
        // A third turn would be 1,200,020 tokens, past 2^20: the next request opens a new session.
        #expect(third?.session == 1 && third?.promptTokens == 400_000)
    }
}
