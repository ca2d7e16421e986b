/// `printf("%.Nf")` for N ≤ 6 without Foundation: the digits C's printf gives (the binary value
/// rounded exactly, ties to even), the sign of a negative value kept even when it rounds to zero,
/// `nan` and `inf` spelled as glibc spells them.
///
/// Decision reasons are formatted on every autoscaler evaluation (tens of thousands per simulated
/// day); `String(format:)` goes through CoreFoundation and `CVarArg` boxing and cost more than the
/// decision itself.
public enum FixedDecimal {
    public static func format(_ value: Double, places: Int) -> String {
        precondition((0...6).contains(places), "FixedDecimal supports 0 to 6 places")
        if value.isNaN { return value.sign == .minus ? "-nan" : "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let sign = value.sign == .minus ? "-" : ""
        let magnitude = value.magnitude
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        // magnitude = significand × 2^exponent exactly, significand < 2^53.
        let significand = magnitude.significandBitPattern | (magnitude.isNormal ? 1 << 52 : 0)
        let exponent = magnitude.isNormal ? Int(magnitude.exponent) - 52 : -1074
        let digits: String
        if magnitude == 0 {
            digits = "0"
        } else if exponent >= 0 {
            // An integer: exact with arbitrary precision through the default description of a
            // whole-valued Double is not guaranteed, so build it from the integer when it fits.
            if magnitude < 0x1p64 {
                digits = String(UInt64(magnitude)) + String(repeating: "0", count: places)
            } else {
                digits = wholeDigits(significand: significand, exponent: exponent) + String(repeating: "0", count: places)
            }
        } else {
            // value × 10^places = significand × scale / 2^shift, rounded half to even.
            let shift = -exponent
            let numerator = UInt128(significand) * UInt128(scale)
            var quotient: UInt128, remainder: UInt128, half: UInt128
            if shift >= 127 {
                quotient = 0; remainder = numerator; half = shift == 127 ? UInt128(1) << 126 : .max
            } else {
                quotient = numerator >> shift
                remainder = numerator & ((UInt128(1) << shift) - 1)
                half = UInt128(1) << (shift - 1)
            }
            if remainder > half || (remainder == half && quotient & 1 == 1) { quotient += 1 }
            digits = String(quotient)
        }
        guard places > 0 else { return sign + digits }
        let padded = digits.count <= places ? String(repeating: "0", count: places + 1 - digits.count) + digits : digits
        let point = padded.index(padded.endIndex, offsetBy: -places)
        return sign + padded[..<point] + "." + padded[point...]
    }

    /// The decimal digits of significand × 2^exponent (exponent ≥ 0), by repeated doubling of a
    /// base-10⁹ number: only for values of 2⁶⁴ and above.
    private static func wholeDigits(significand: UInt64, exponent: Int) -> String {
        var limbs: [UInt64] = [significand % 1_000_000_000, significand / 1_000_000_000 % 1_000_000_000,
                               significand / 1_000_000_000_000_000_000]
        for _ in 0..<exponent {
            var carry: UInt64 = 0
            for i in limbs.indices {
                let doubled = limbs[i] * 2 + carry
                limbs[i] = doubled % 1_000_000_000
                carry = doubled / 1_000_000_000
            }
            if carry > 0 { limbs.append(carry) }
        }
        while limbs.count > 1 && limbs.last == 0 { limbs.removeLast() }
        var text = String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let part = String(limb)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return text
    }
}
