import Foundation

extension ProfileFidelity {
    /// The report as text: the method, then one row per band with the profile's form's median and
    /// worst held-out error beside the straight line's on the same folds.
    public var table: String {
        var lines = [
            "\(profile) — TP \(tensorParallel), \(samples) measured points, \(form.form) form",
            "method: \(method)",
            "",
        ]
        var header = "band".padding(toLength: 26, withPad: " ", startingAt: 0) + "points"
            + "  \(form.form) median".rightAligned(15) + "\(form.form) worst".rightAligned(14)
        if line != nil { header += "line median".rightAligned(15) + "line worst".rightAligned(14) }
        lines.append(header)
        for (index, band) in form.bands.enumerated() {
            let title: String
            switch band.kind {
            case .prefill: title = "prefill \(band.band) tok"
            case .decode: title = "decode batch \(band.band)"
            case .overall: title = "overall"
            }
            var row = title.padding(toLength: 26, withPad: " ", startingAt: 0) + "\(band.count)".rightAligned(6)
                + Self.percent(band.medianRelativeError).rightAligned(15) + Self.percent(band.worstRelativeError).rightAligned(14)
            if let line {
                let other = line.bands[index]
                row += Self.percent(other.medianRelativeError).rightAligned(15)
                    + Self.percent(other.worstRelativeError).rightAligned(14)
            }
            lines.append(row)
        }
        if line == nil { lines.append("(a linear profile: the straight line is its own form; no other form to compare)") }
        return lines.joined(separator: "\n")
    }

    /// `1.2 %`, or `—` for an empty band.
    static func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
}

private extension String {
    /// Right-aligned in `width` columns, with at least one space before it.
    func rightAligned(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
