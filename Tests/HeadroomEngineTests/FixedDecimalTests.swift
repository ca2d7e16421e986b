import Foundation
import Testing
@testable import HeadroomEngine

@Suite("FixedDecimal")
struct FixedDecimalTests {
    /// What C's printf (through Foundation) writes, the reference.
    static func printf(_ value: Double, _ places: Int) -> String { String(format: "%.\(places)f", value) }

    @Test("known cases: ties to even on the exact binary value, signed zero, special values")
    func knownCases() {
        #expect(FixedDecimal.format(0.125, places: 2) == "0.12")     // an exact tie: to even
        #expect(FixedDecimal.format(0.375, places: 2) == "0.38")
        #expect(FixedDecimal.format(2.5, places: 0) == "2")
        #expect(FixedDecimal.format(3.5, places: 0) == "4")
        #expect(FixedDecimal.format(0.005, places: 2) == "0.01")     // 0.005 is just above the tie in binary
        #expect(FixedDecimal.format(1.005, places: 2) == "1.00")     // and 1.005 just below
        #expect(FixedDecimal.format(-0.001, places: 2) == "-0.00")
        #expect(FixedDecimal.format(-0.0, places: 1) == "-0.0")
        #expect(FixedDecimal.format(0, places: 3) == "0.000")
        #expect(FixedDecimal.format(42, places: 0) == "42")
        #expect(FixedDecimal.format(.nan, places: 2) == "nan")
        #expect(FixedDecimal.format(-.infinity, places: 2) == "-inf")
        #expect(FixedDecimal.format(1e20, places: 1) == "100000000000000000000.0")
    }

    @Test("agrees with printf over random values of every magnitude and 0 to 6 places")
    func agreesWithPrintf() {
        var random = RandomStream(seed: 11, name: "fixed-decimal")
        var values: [Double] = [0, -0.0, 5e-324, 1e-300, .greatestFiniteMagnitude, 0x1p64, 0x1p64 - 2048, 0.5, 1.5, 0.05, 0.25]
        for _ in 0..<3_000 {
            // Any bit pattern that is finite (all magnitudes), and short decimals with ties.
            let bits = random.next()
            let any = Double(bitPattern: bits)
            if any.isFinite { values.append(any) }
            let exponent = Double(Int(random.nextIndex(below: 40)) - 20)
            values.append((random.nextUnit() - 0.5) * pow(10, exponent))
            values.append(Double(random.nextIndex(below: 100_000)) / [2, 4, 8, 16, 1000][random.nextIndex(below: 5)])
        }
        var mismatches: [String] = []
        for value in values {
            for places in 0...6 where FixedDecimal.format(value, places: places) != Self.printf(value, places) {
                mismatches.append("\(value) %.\(places)f: \(FixedDecimal.format(value, places: places)) vs \(Self.printf(value, places))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
