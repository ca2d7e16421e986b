import Foundation

/// Maps data values onto pixels, linearly or logarithmically, and picks readable tick values.
struct Scale: Sendable {
    var low: Double
    var high: Double
    var from: Double
    var to: Double
    var logarithmic = false

    /// A scale covering `values` (nil and non-finite ignored), padded to nice bounds; a log scale
    /// ignores values ≤ 0.
    static func covering(_ values: [Double?], pixels: (Double, Double), logarithmic: Bool = false, includeZero: Bool = true)
        -> Scale
    {
        var data = values.compactMap { $0 }.filter(\.isFinite)
        if logarithmic { data = data.filter { $0 > 0 } }
        var low = data.min() ?? (logarithmic ? 0.001 : 0), high = data.max() ?? 1
        if logarithmic {
            low = pow(10, floor(log10(low)))
            high = pow(10, ceil(log10(high)))
            if high <= low { high = low * 10 }
        } else {
            if includeZero { low = min(0, low) }
            if high <= low { high = low + 1 }
            let step = niceStep((high - low) / 5)
            low = floor(low / step) * step
            high = ceil(high / step) * step
        }
        return Scale(low: low, high: high, from: pixels.0, to: pixels.1, logarithmic: logarithmic)
    }

    func callAsFunction(_ value: Double) -> Double {
        let t: Double
        if logarithmic {
            t = (log10(max(value, low)) - log10(low)) / (log10(high) - log10(low))
        } else {
            t = (value - low) / (high - low)
        }
        return from + (to - from) * min(max(t, 0), 1)
    }

    /// `value` moved into the axis range (on a log axis, a value ≤ 0 goes to the bottom).
    func clamped(_ value: Double) -> Double { min(max(value, low), high) }

    /// Tick values: decades on a log scale, about `count` round steps on a linear one (round in
    /// `unit`s: 3600 gives whole hours or round fractions of them).
    func ticks(count: Int = 5, unit: Double = 1) -> [Double] {
        if logarithmic {
            var ticks: [Double] = []
            var v = low
            while v <= high * 1.0001 {
                ticks.append(v)
                v *= 10
            }
            return ticks
        }
        let step = Self.niceStep((high - low) / Double(count) / unit) * unit
        var ticks: [Double] = []
        var v = (low / step).rounded(.up) * step
        while v <= high + step * 1e-9 {
            ticks.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return ticks
    }

    /// 1, 2 or 5 times a power of ten, at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(rough)))
        let fraction = rough / magnitude
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
    }
}

/// Short human labels for tick values and figures.
enum Label {
    static func number(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e6 { return trimmed(v / 1e6) + "M" }
        if a >= 1e4 { return trimmed(v / 1e3) + "k" }
        if a >= 1 { return trimmed(v) }
        return String(format: "%.3g", v)
    }

    static func seconds(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1 { return trimmed(v) + " s" }
        if abs(v) >= 1e-3 { return trimmed(v * 1e3) + " ms" }
        return trimmed(v * 1e6) + " µs"
    }

    /// Simulated time on an axis: s, min or h as the span suggests.
    static func clock(_ v: Double, span: Double) -> String {
        let unit = clockUnit(span: span)
        return trimmed(v / unit) + (unit == 3600 ? " h" : unit == 60 ? " min" : " s")
    }

    /// The unit `clock` labels a span in (seconds per unit).
    static func clockUnit(span: Double) -> Double { span >= 7200 ? 3600 : span >= 300 ? 60 : 1 }

    /// A span of simulated time as a caption reads it: "50 s", "1 min", "2.5 min", "1 h".
    static func duration(_ seconds: Double) -> String {
        seconds >= 3600 ? trimmed(seconds / 3600) + " h" : seconds >= 60 ? trimmed(seconds / 60) + " min" : trimmed(seconds) + " s"
    }

    static func dollars(_ v: Double) -> String { v >= 100 ? String(format: "$%.0f", v) : String(format: "$%.2f", v) }

    static func percent(_ v: Double) -> String { String(format: "%.1f %%", v * 100) }

    private static func trimmed(_ v: Double) -> String {
        var s = String(format: abs(v) >= 100 ? "%.0f" : abs(v) >= 10 ? "%.1f" : "%.2f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}

/// Text safe inside XML/HTML content and attribute values.
func escaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}
