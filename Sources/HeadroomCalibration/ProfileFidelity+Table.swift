import Foundation

extension ProfileFidelity {
    /// The report as text: the method, then one row per band with the profile's form's median and
    /// worst held-out error beside the straight line's on the same folds and the datasheet
    /// roofline's on the same points (when the profile's GPU has one).
    public var table: String {
        var lines = [
            "\(profile) — TP \(tensorParallel), \(samples) measured points, \(form.form) form",
            "method: \(method)",
            "",
        ]
        let columns = [form] + [line, roofline].compactMap { $0 }
        lines.append(String(repeating: " ", count: 32) + columns.map { $0.form.padding(toLength: 18, withPad: " ", startingAt: 0) }.joined())
        lines.append("band".padding(toLength: 26, withPad: " ", startingAt: 0) + "points"
                     + String(repeating: "median".rightAligned(9) + "worst".rightAligned(9), count: columns.count))
        for (index, band) in form.bands.enumerated() {
            let title: String
            switch band.kind {
            case .prefill: title = "prefill \(band.band) tok"
            case .decode: title = "decode batch \(band.band)"
            case .overall: title = "overall"
            }
            var row = title.padding(toLength: 26, withPad: " ", startingAt: 0) + "\(band.count)".rightAligned(6)
            for column in columns {
                let errors = column.bands[index]
                row += Self.percent(errors.medianRelativeError).rightAligned(9) + Self.percent(errors.worstRelativeError).rightAligned(9)
            }
            lines.append(row)
        }
        if line == nil { lines.append("(a linear profile: the straight line is its own form)") }
        if let rooflineSource { lines.append("roofline: \(rooflineSource), not fitted") }
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
