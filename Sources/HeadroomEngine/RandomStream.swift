import Foundation

/// A named, seeded stream of random numbers (xoshiro256**).
///
/// Each part of a model draws from its own stream, derived from (run seed, stream name). The
/// workload's stream therefore produces the same requests whatever the cluster or policy draws
/// (common random numbers): two policies on one seed see identical traffic.
///
/// Seeding hashes the name with FNV-1a, mixes it with the seed, and expands the result through
/// SplitMix64, as the xoshiro authors recommend (Blackman & Vigna, "Scrambled linear
/// pseudorandom number generators", 2021).
@frozen
public struct RandomStream: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64, name: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        var mixer = seed ^ (hash &* 0x9e37_79b9_7f4a_7c15)
        func splitMix() -> UInt64 {
            mixer &+= 0x9e37_79b9_7f4a_7c15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
        // Draws read the ziggurat's tables without checking that they exist (`Ziggurat`).
        Ziggurat.build()
    }

    /// Always inlined: a dozen register operations, where a call costs as much again.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1), 53 bits of precision.
    @inlinable public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in (0, 1): safe to take the logarithm of.
    @inlinable public mutating func nextOpenUnit() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// Exponential with the given mean.
    @inlinable public mutating func nextExponential(mean: Double) -> Double {
        mean * nextStandardExponential()
    }

    /// Exponential with mean 1, by the ziggurat (`Ziggurat`); the tail beyond `r` is `r` plus
    /// another exponential (memorylessness).
    ///
    /// Inlined: the core (98.9 % of draws) is a dozen instructions, less than a call's set-up;
    /// the rest of the draw goes on out of line, from the same point, so the stream is the same.
    @inlinable @inline(__always) public mutating func nextStandardExponential() -> Double {
        let table = Ziggurat.builtExponential
        let (x, layer, _) = zigguratPoint(table)
        if x < table[layer + 1] { return x }
        return exponentialBeyondCore(x, layer: layer)
    }

    /// The rest of an exponential draw whose first point `x` in layer `layer` fell outside the core.
    @inlinable @inline(never) mutating func exponentialBeyondCore(_ x: Double, layer: Int) -> Double {
        let table = Ziggurat.builtExponential
        var (x, layer) = (x, layer)
        while true {
            if layer == 0 { return Ziggurat.exponentialR - Foundation.log(nextOpenUnit()) }
            if zigguratHeight(table, layer: layer) < Foundation.exp(-x) { return x }
            (x, layer, _) = zigguratPoint(table)
            if x < table[layer + 1] { return x }
        }
    }

    /// Standard normal, by the ziggurat (`Ziggurat`): bit 8 gives the sign. Inlined, as the
    /// exponential (the core is 98.8 % of draws).
    @inlinable @inline(__always) public mutating func nextStandardNormal() -> Double {
        let table = Ziggurat.builtNormal
        let (x, layer, bits) = zigguratPoint(table)
        if x < table[layer + 1] { return bits & 0x100 != 0 ? -x : x }
        return normalBeyondCore(x, layer: layer, bits: bits)
    }

    /// The rest of a normal draw whose first point `x` (layer `layer`, from `bits`) fell outside
    /// the core.
    @inlinable @inline(never) mutating func normalBeyondCore(_ x: Double, layer: Int, bits: UInt64) -> Double {
        let table = Ziggurat.builtNormal
        var (x, layer, bits) = (x, layer, bits)
        while true {
            let negative = bits & 0x100 != 0
            if layer == 0 {
                let z = nextNormalTail(beyond: Ziggurat.normalR)
                return negative ? -z : z
            }
            if zigguratHeight(table, layer: layer) < Foundation.exp(-0.5 * x * x) { return negative ? -x : x }
            (x, layer, bits) = zigguratPoint(table)
            if x < table[layer + 1] { return bits & 0x100 != 0 ? -x : x }
        }
    }

    /// One ziggurat draw: a layer from the low 8 bits of one 64-bit number, a point across it from
    /// the top 53 (bits 8–10 are left for the caller: the normal's sign).
    @inlinable @inline(__always) mutating func zigguratPoint(_ table: UnsafePointer<Double>) -> (x: Double, layer: Int, bits: UInt64) {
        let bits = next()
        let layer = Int(bits & 0xFF)
        return (Double(bits >> 11) * 0x1.0p-53 * table[layer], layer, bits)
    }

    /// A height drawn uniformly across layer `layer`'s wedge (between the density at its edges).
    @inlinable mutating func zigguratHeight(_ table: UnsafePointer<Double>, layer: Int) -> Double {
        table[257 + layer] + nextUnit() * (table[258 + layer] - table[257 + layer])
    }

    /// A standard normal conditioned on exceeding `r` > 0 (Marsaglia 1964: exact, by rejection
    /// from an exponential).
    @inlinable public mutating func nextNormalTail(beyond r: Double) -> Double {
        while true {
            let a = -Foundation.log(nextOpenUnit()) / r, b = -Foundation.log(nextOpenUnit())
            if b + b >= a * a { return r + a }
        }
    }

    /// An integer in `0..<bound` (Lemire's nearly divisionless method).
    @inlinable public mutating func nextIndex(below bound: Int) -> Int {
        Int(next(upperBound: UInt64(bound)))
    }
}
