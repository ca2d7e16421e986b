import Foundation

/// Layer tables of Marsaglia and Tsang's ziggurat ("The ziggurat method for generating random
/// variables", 2000), 256 layers of equal area under a decreasing density.
///
/// A draw picks a layer with 8 bits of one 64-bit number and a point across it with 53 others;
/// inside the layer's core (98.8 % of normal draws, 98.9 % of exponential ones) that is the
/// sample: no logarithm, square root or division, where the polar method needs all three. The
/// rest fall to an exact test against the density (the layer's wedge) or to the tail beyond `r`.
///
/// A table is `x[0...256]` (layer widths: `x[0]` the base layer's equivalent width `v / f(r)`,
/// `x[1] = r`, `x[256] = 0`) then `f(x[i])`, in memory allocated once for the process and never
/// freed, so that a draw reads it through a plain pointer (no reference counting in the hot loop).
///
/// **Built once, read without a check.** A `static let` is initialized lazily: every read of one
/// calls the runtime (`swift_once`) to learn that it already was, three calls a request on the
/// KPA day. So the tables are built by `build()`, which `RandomStream`'s initializer calls (every
/// stream is made by it, so no draw comes before), and draws read them from globals with a
/// constant initial value, which need no check.
public enum Ziggurat {
    /// Where the tail begins, and each layer's area, for 256 layers (Marsaglia and Tsang, table 1).
    public static let normalR = 3.6541528853610088, normalArea = 0.00492867323399
    public static let exponentialR = 7.69711747013104972, exponentialArea = 0.0039496598225815571993

    /// The normal's table, for f(x) = exp(−x²/2).
    public static var normal: UnsafePointer<Double> {
        build()
        return builtNormal
    }

    /// The exponential's table, for f(x) = exp(−x).
    public static var exponential: UnsafePointer<Double> {
        build()
        return builtExponential
    }

    /// Builds both tables, once per process (thread-safe); later calls return at once.
    public static func build() { _ = built }

    /// The tables, nil until `build()`; written once, inside `built`'s initializer (so no
    /// access needs the runtime's exclusivity check, a call per read otherwise).
    @exclusivity(unchecked) @usableFromInline nonisolated(unsafe) static var normalTable: UnsafePointer<Double>? = nil
    @exclusivity(unchecked) @usableFromInline nonisolated(unsafe) static var exponentialTable: UnsafePointer<Double>? = nil

    /// The normal's table for a draw: a stream exists, so `build()` has run.
    @inlinable static var builtNormal: UnsafePointer<Double> { normalTable.unsafelyUnwrapped }
    /// The exponential's table for a draw: a stream exists, so `build()` has run.
    @inlinable static var builtExponential: UnsafePointer<Double> { exponentialTable.unsafelyUnwrapped }

    private static let built: Void = {
        normalTable = table(
            r: normalR, area: normalArea, density: { Foundation.exp(-0.5 * $0 * $0) }, inverse: { (-2 * Foundation.log($0)).squareRoot() })
        exponentialTable = table(
            r: exponentialR, area: exponentialArea, density: { Foundation.exp(-$0) }, inverse: { -Foundation.log($0) })
    }()

    /// Builds the layers from the bottom: layer i − 1 has area `v = x[i−1]·(f(x[i]) − f(x[i−1]))`.
    static func table(r: Double, area v: Double, density: (Double) -> Double, inverse: (Double) -> Double) -> UnsafePointer<Double> {
        let table = UnsafeMutablePointer<Double>.allocate(capacity: 514)
        table[0] = v / density(r)
        table[1] = r
        for i in 2..<256 { table[i] = inverse(v / table[i - 1] + density(table[i - 1])) }
        table[256] = 0
        for i in 0...256 { table[257 + i] = density(table[i]) }
        return UnsafePointer(table)
    }
}
