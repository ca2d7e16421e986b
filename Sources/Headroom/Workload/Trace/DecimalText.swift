/// Numbers read from a trace's bytes, without a `String` per field, rounded exactly as Swift's
/// `Double(_: String)` rounds them (correctly, to nearest even): replayed arrival times must be
/// bit-identical to the decimal a peer (Python's `repr`) wrote.
///
/// Plain decimals (`[+-]digits[.digits][e[+-]digits]`, at most 19 significant digits) take
/// Clinger's exact fast path (significand ≤ 2⁵³, |exponent| ≤ 22) or the Eisel–Lemire step
/// (D. Lemire, "Number Parsing at a Gigabyte per Second", Software: Practice and Experience 51(8),
/// 2021, the fallback-checking variant of its Algorithm 1, as in fast_double_parser's
/// `compute_float_64`, read for its behaviour). Anything else — more digits, a far exponent, a
/// value the 128-bit product cannot decide, hexadecimal, `inf`, `nan` — goes to
/// `Double(_: String)` itself, so every input reads as it did when each field was a `String`.
enum DecimalText {
    /// The value of `bytes`, or `nil` where `Double(_: String)` gives `nil`.
    ///
    /// - Complexity: O(n) in the field's length; no allocation on the fast paths.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if let value = fast(bytes) { return value }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// The fast paths' value, or `nil` to ask `Double(_: String)`.
    @inline(__always)
    static func fast(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let first = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let end = first + bytes.count
        var cursor = first
        var negative = false
        if cursor.pointee == UInt8(ascii: "-") || cursor.pointee == UInt8(ascii: "+") {
            negative = cursor.pointee == UInt8(ascii: "-")
            cursor += 1
        }
        // Leading zeros are not significant digits; every digit after the first non-zero one is.
        let integerStart = cursor
        while cursor < end && cursor.pointee == UInt8(ascii: "0") { cursor += 1 }
        var significand: UInt64 = 0
        var significantStart = cursor
        while cursor < end && cursor.pointee &- 48 < 10 {
            significand = significand &* 10 &+ UInt64(cursor.pointee &- 48)
            cursor += 1
        }
        var significant = significantStart.distance(to: cursor)
        var anyDigit = cursor > integerStart
        var fractionDigits = 0
        if cursor < end && cursor.pointee == UInt8(ascii: ".") {
            cursor += 1
            let fractionStart = cursor
            if significant == 0 { while cursor < end && cursor.pointee == UInt8(ascii: "0") { cursor += 1 } }
            significantStart = cursor
            while cursor < end && cursor.pointee &- 48 < 10 {
                significand = significand &* 10 &+ UInt64(cursor.pointee &- 48)
                cursor += 1
            }
            significant &+= significantStart.distance(to: cursor)
            fractionDigits = fractionStart.distance(to: cursor)
            anyDigit = anyDigit || cursor > fractionStart
        }
        guard anyDigit, significant <= 19 else { return nil }
        var exponent = 0
        if cursor < end && cursor.pointee | 0x20 == UInt8(ascii: "e") {
            cursor += 1
            var exponentNegative = false
            if cursor < end && (cursor.pointee == UInt8(ascii: "-") || cursor.pointee == UInt8(ascii: "+")) {
                exponentNegative = cursor.pointee == UInt8(ascii: "-")
                cursor += 1
            }
            let exponentStart = cursor
            while cursor < end && cursor.pointee &- 48 < 10 {
                guard exponent < 100_000 else { return nil }
                exponent = exponent &* 10 &+ Int(cursor.pointee &- 48)
                cursor += 1
            }
            guard cursor > exponentStart else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard cursor == end else { return nil }
        return value(significand, power: exponent &- fractionDigits, negative: negative)
    }

    /// significand · 10^power, correctly rounded, or `nil` when neither fast path decides it.
    @inline(__always)
    static func value(_ significand: UInt64, power: Int, negative: Bool) -> Double? {
        if significand == 0 { return negative ? -0.0 : 0.0 }
        // Clinger: both operands exact, one correctly rounded operation.
        if significand <= 1 << 53, power >= -22, power <= 22 {
            let exact = Double(significand)
            let result = power < 0 ? exact / exactPowersOfTen[-power] : exact * exactPowersOfTen[power]
            return negative ? -result : result
        }
        guard let bits = eiselLemire(significand, power: power) else { return nil }
        return Double(bitPattern: bits | (negative ? 1 << 63 : 0))
    }

    static let exactPowersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                                             1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// The bits of the positive double nearest significand · 10^power, or `nil` when the 128-bit
    /// truncated power of five leaves the rounding in doubt (a near-tie) or the result is
    /// subnormal or infinite.
    static func eiselLemire(_ significand: UInt64, power: Int) -> UInt64? {
        let slot = power - smallestPower
        guard slot >= 0, slot < powersOfFive.count else { return nil }
        let factor = powersOfFive[slot]
        let leading = significand.leadingZeroBitCount
        let normalized = significand << leading
        var (upper, lower) = normalized.multipliedFullWidth(by: factor.high)
        // The product is low by less than `normalized` in its lower word: if adding that could carry
        // into the bits that decide the rounding, take the next 64 bits of the power.
        if upper & 0x1FF == 0x1FF, lower &+ normalized < lower {
            let (middle, low) = normalized.multipliedFullWidth(by: factor.low)
            var high = upper
            let sum = lower &+ middle
            if sum < lower { high &+= 1 }
            if sum &+ 1 == 0, high & 0x1FF == 0x1FF, low &+ normalized < low { return nil }
            upper = high
            lower = sum
        }
        let upperBit = Int(upper >> 63)
        var mantissa = upper >> UInt64(upperBit + 9)
        // All dropped bits zero and the rounding bit set over an even mantissa: maybe an exact tie.
        if lower == 0, upper & 0x1FF == 0, mantissa & 3 == 1 { return nil }
        mantissa += mantissa & 1
        mantissa >>= 1
        var biased = 1213 + upperBit + Int(factor.exponent) - leading
        if mantissa >= 1 << 53 {
            mantissa = 1 << 52
            biased += 1
        }
        guard biased >= 1, biased <= 2046 else { return nil }
        return UInt64(biased) << 52 | (mantissa & ~(1 << 52))
    }

    /// A field of plain ASCII digits (at most 19) as an integer, else `nil`.
    @inline(__always)
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte &- 48 < 10 else { return nil }
            value = value * 10 + UInt64(byte &- 48)
        }
        return value
    }
}
