import Foundation

/// The marks a chart can hold, added in drawing order (later marks on top).
extension SVGChart {
    /// A polyline through the points (a gap where y is nil); `step` holds each value until the next x.
    /// `markers` puts a dot on every point, so sparse values (a percentile in the few intervals where
    /// requests finished) stay visible between gaps.
    mutating func line(_ name: String, xs: [Double], ys: [Double?], color: String, width: Double = 1.6, dashed: Bool = false,
                       step: Bool = false, markers: Bool = false, legend show: Bool = true)
    {
        var paths: [String] = []
        var current = ""
        var previousY: Double?
        for (xv, yv) in zip(xs, ys) {
            guard let yv, yv.isFinite else {
                if !current.isEmpty { paths.append(current) }
                current = ""
                previousY = nil
                continue
            }
            let px = x(xv), py = y(yv)
            if current.isEmpty {
                current = "M\(Self.f(px)),\(Self.f(py))"
            } else {
                if step, let previousY { current += "L\(Self.f(px)),\(Self.f(previousY))" }
                current += "L\(Self.f(px)),\(Self.f(py))"
            }
            previousY = py
        }
        if !current.isEmpty { paths.append(current) }
        // A lone point between gaps still shows: a zero-length segment drawn with round caps.
        paths = paths.map { $0.contains("L") ? $0 : $0 + "l0.01,0" }
        let dash = dashed ? " stroke-dasharray=\"6 4\"" : ""
        marks.append("<path data-series=\"\(escaped(name))\" d=\"\(paths.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\" stroke-linecap=\"round\" stroke-linejoin=\"round\"\(dash)><title>\(escaped(name))</title></path>")
        if markers {
            let dots = zip(xs, ys).compactMap { xv, yv in
                yv.flatMap { $0.isFinite ? "<circle cx=\"\(Self.f(x(xv)))\" cy=\"\(Self.f(y($0)))\" r=\"\(Self.f(width + 0.6))\"/>" : nil }
            }
            marks.append("<g class=\"markers\" fill=\"\(color)\">\(dots.joined())</g>")
        }
        seriesNames.append(name)
        if show { legend.append((name, color, dashed)) }
    }

    /// Stacked areas in order (first at the bottom), stepped: each value holds until the next x.
    mutating func stackedSteps(_ layers: [(name: String, values: [Double], color: String)], xs: [Double]) {
        var base = [Double](repeating: 0, count: xs.count)
        for layer in layers {
            let topValues = zip(base, layer.values).map { $0 + $1 }
            var upper = "", lower: [String] = []
            for i in xs.indices {
                let x0 = x(xs[i]), x1 = x(i + 1 < xs.count ? xs[i + 1] : xs[i])
                upper += (i == 0 ? "M" : "L") + "\(Self.f(x0)),\(Self.f(y(topValues[i])))L\(Self.f(x1)),\(Self.f(y(topValues[i])))"
                lower.append("L\(Self.f(x1)),\(Self.f(y(base[i])))L\(Self.f(x0)),\(Self.f(y(base[i])))")
            }
            let d = upper + lower.reversed().joined() + "Z"
            marks.append("<path data-series=\"\(escaped(layer.name))\" d=\"\(d)\" fill=\"\(layer.color)\" fill-opacity=\"0.55\" stroke=\"none\"><title>\(escaped(layer.name))</title></path>")
            seriesNames.append(layer.name)
            legend.append((layer.name, layer.color, false))
            base = topValues
        }
    }

    /// Stacked areas in order (first at the bottom), joining the points with straight lines: for
    /// series averaged over buckets, where steps would draw every bucket's edge.
    mutating func stackedAreas(_ layers: [(name: String, values: [Double], color: String)], xs: [Double]) {
        var base = [Double](repeating: 0, count: xs.count)
        for layer in layers {
            let top = zip(base, layer.values).map { $0 + $1 }
            let upper = xs.indices.map { "\($0 == 0 ? "M" : "L")\(Self.f(x(xs[$0]))),\(Self.f(y(top[$0])))" }.joined()
            let lower = xs.indices.reversed().map { "L\(Self.f(x(xs[$0]))),\(Self.f(y(base[$0])))" }.joined()
            marks.append("<path data-series=\"\(escaped(layer.name))\" d=\"\(upper)\(lower)Z\" fill=\"\(layer.color)\" fill-opacity=\"0.6\" stroke=\"\(layer.color)\" stroke-width=\"0.6\"><title>\(escaped(layer.name))</title></path>")
            seriesNames.append(layer.name)
            legend.append((layer.name, layer.color, false))
            base = top
        }
    }

    /// Horizontal bars: each (x0, x1) segment drawn in a lane (a row of the plot), with a tooltip.
    mutating func segments(_ name: String, _ items: [(x0: Double, x1: Double, lane: Double, color: String, title: String)],
                           laneHeight: Double)
    {
        var body = "<g data-series=\"\(escaped(name))\">"
        for item in items {
            let px0 = x(item.x0), px1 = max(x(item.x1), px0 + 1)
            body += "<rect x=\"\(Self.f(px0))\" y=\"\(Self.f(y(item.lane) - laneHeight / 2))\" width=\"\(Self.f(px1 - px0))\" height=\"\(Self.f(laneHeight))\" fill=\"\(item.color)\"><title>\(escaped(item.title))</title></rect>"
        }
        marks.append(body + "</g>")
        seriesNames.append(name)
    }

    /// Points with optional error bars in x and y (capped; each end clamped to the axis range, so a
    /// bar never runs past the plot), each with a tooltip and an optional label. `hollow` points
    /// are drawn as rings (variants that miss the SLO).
    mutating func points(
        _ name: String,
        _ items: [(x: Double, y: Double, xError: (Double, Double)?, yError: (Double, Double)?, color: String, title: String, label: String?)],
        radius: Double = 4, hollow: Set<Int> = []
    ) {
        var body = "<g data-series=\"\(escaped(name))\">"
        for (index, p) in items.enumerated() {
            let px = x(p.x), py = y(p.y)
            let bar = "stroke=\"\(p.color)\" stroke-width=\"1.4\""
            if let (lo, hi) = p.xError {
                let (x0, x1) = (x(x.clamped(lo)), x(x.clamped(hi)))
                body += "<path class=\"error-bar\" d=\"M\(Self.f(x0)),\(Self.f(py - 4))v8M\(Self.f(x0)),\(Self.f(py))H\(Self.f(x1))M\(Self.f(x1)),\(Self.f(py - 4))v8\" \(bar) fill=\"none\"/>"
            }
            if let (lo, hi) = p.yError {
                let (y0, y1) = (y(y.clamped(lo)), y(y.clamped(hi)))
                body += "<path class=\"error-bar\" d=\"M\(Self.f(px - 4)),\(Self.f(y0))h8M\(Self.f(px)),\(Self.f(y0))V\(Self.f(y1))M\(Self.f(px - 4)),\(Self.f(y1))h8\" \(bar) fill=\"none\"/>"
            }
            let fill = hollow.contains(index) ? "fill=\"#fff\" stroke=\"\(p.color)\" stroke-width=\"2\"" : "fill=\"\(p.color)\""
            body += "<circle cx=\"\(Self.f(px))\" cy=\"\(Self.f(py))\" r=\"\(radius)\" \(fill)><title>\(escaped(p.title))</title></circle>"
            if let label = p.label {
                let fits = px + 6 + Double(label.count) * Self.characterWidth <= width - 2
                body += "<text x=\"\(Self.f(fits ? px + 6 : px - 6))\" y=\"\(Self.f(py - 6))\" font-size=\"11\" text-anchor=\"\(fits ? "start" : "end")\">\(escaped(label))</text>"
            }
        }
        marks.append(body + "</g>")
        seriesNames.append(name)
    }

    /// A legend entry with no mark of its own (for marks drawn in several colours).
    mutating func legendEntry(_ name: String, color: String) { legend.append((name, color, false)) }

    /// A horizontal reference line across the plot (an SLO target).
    mutating func rule(_ name: String, y value: Double, color: String) {
        let py = y(value)
        marks.append("<line data-series=\"\(escaped(name))\" x1=\"\(Self.f(plotLeft))\" y1=\"\(Self.f(py))\" x2=\"\(Self.f(plotRight))\" y2=\"\(Self.f(py))\" stroke=\"\(color)\" stroke-width=\"1.4\" stroke-dasharray=\"3 3\"><title>\(escaped(name))</title></line>")
        seriesNames.append(name)
        legend.append((name, color, true))
    }
}
