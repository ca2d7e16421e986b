import HeadroomEngine
import Testing
@testable import Headroom

@Suite("Token counts")
struct TokenCountTests {
    /// What `SyntheticWorkload.count` must equal: round half away from zero, clamped (values too
    /// large for an `Int` clamp too).
    static func reference(_ value: Double) -> Int {
        value >= 0x1p62 ? SyntheticWorkload.maxTokens : min(max(1, Int(value.rounded())), SyntheticWorkload.maxTokens)
    }

    @Test("a sampled length rounds half away from zero into 1...max_tokens, like libm's round")
    func roundsLikeRound() {
        var random = RandomStream(seed: 7, name: "token-counts")
        var values: [Double] = [0, 0.25, 0.5, 0.5.nextDown, 1, 1.5, 2.5, 2.5.nextDown, 2.5.nextUp, 1e6, 1e300, .infinity]
        let top = Double(SyntheticWorkload.maxTokens)
        values += [top, top - 0.5, (top - 0.5).nextDown, top + 0.5]
        for n in 1...2000 {
            values.append(Double(n) + 0.5)
            values.append((Double(n) + 0.5).nextDown)
        }
        for _ in 0..<50_000 { values.append(Double.random(in: 0...3e6, using: &random)) }
        for value in values {
            #expect(SyntheticWorkload.count(value) == Self.reference(value), "\(value)")
        }
    }
}
