import Foundation
import Testing
@testable import HeadroomEngine

/// The draws split in an inlined core and an out-of-line rest (RandomStream.swift) give exactly
/// the stream of the ziggurat's single loop, written out here as it stood: same values, same
/// numbers consumed, wedge and tail draws included.
@Suite("Ziggurat stream")
struct ZigguratStreamTests {
    /// The normal as one loop (the reference).
    static func referenceNormal(_ random: inout RandomStream) -> Double {
        let table = Ziggurat.normal
        while true {
            let (x, layer, bits) = random.zigguratPoint(table)
            let negative = bits & 0x100 != 0
            if x < table[layer + 1] { return negative ? -x : x }
            if layer == 0 {
                let z = random.nextNormalTail(beyond: Ziggurat.normalR)
                return negative ? -z : z
            }
            if random.zigguratHeight(table, layer: layer) < Foundation.exp(-0.5 * x * x) { return negative ? -x : x }
        }
    }

    /// The exponential as one loop (the reference).
    static func referenceExponential(_ random: inout RandomStream) -> Double {
        let table = Ziggurat.exponential
        while true {
            let (x, layer, _) = random.zigguratPoint(table)
            if x < table[layer + 1] { return x }
            if layer == 0 { return Ziggurat.exponentialR - Foundation.log(random.nextOpenUnit()) }
            if random.zigguratHeight(table, layer: layer) < Foundation.exp(-x) { return x }
        }
    }

    @Test("normal and exponential draws equal the single loop's, bit for bit, over 400,000 draws", arguments: 0..<2)
    func sameStream(seed: Int) {
        var drawn = RandomStream(seed: UInt64(seed), name: "ziggurat-stream")
        var reference = drawn
        var beyondCore = 0
        for index in 0..<200_000 {
            let normal = drawn.nextStandardNormal(), expected = Self.referenceNormal(&reference)
            #expect(normal.bitPattern == expected.bitPattern, "normal draw \(index)")
            let exponential = drawn.nextStandardExponential(), expectedExponential = Self.referenceExponential(&reference)
            #expect(exponential.bitPattern == expectedExponential.bitPattern, "exponential draw \(index)")
            if abs(normal) > Ziggurat.normalR * 0.9 || exponential > 3 { beyondCore += 1 }
        }
        #expect(drawn.next() == reference.next(), "both streams consumed the same numbers")
        #expect(beyondCore > 100, "the draws reached the wedges and tails")
    }
}
