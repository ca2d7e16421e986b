import Foundation

/// One chart as inline SVG: a plot area with axes, and marks added in drawing order. Each mark
/// with a `title` shows it on hover (SVG's own tooltip: no script needed).
struct SVGChart {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    let width: Double
    let height: Double
    let left = 64.0, right = 16.0, top = 30.0, bottom = 40.0
    var x: Scale
    var y: Scale
    var xLabel: (Double) -> String
    var yLabel: (Double) -> String
    var xTitle: String
    var yTitle: String
    /// x ticks fall on round multiples of this (3600 on an axis labelled in hours).
    var xTickUnit = 1.0
    /// `data-series` names of the marks, for tests and the browser check.
    private(set) var seriesNames: [String] = []
    private var marks: [String] = []
    private var legend: [(String, String, Bool)] = []

    /// A chart whose scales cover `xs` and `ys` inside its plot area.
    init(
        width: Double = 920, height: Double = 260, xs: [Double?], ys: [Double?], logY: Bool = false, logX: Bool = false,
        xTitle: String, yTitle: String, xLabel: ((Double) -> String)? = nil, yLabel: @escaping (Double) -> String = Label.number
    ) {
        self.width = width
        self.height = height
        x = Scale.covering(xs, pixels: (64, width - 16), logarithmic: logX, includeZero: !logX)
        y = Scale.covering(ys, pixels: (height - 40, 30), logarithmic: logY)
        if xLabel == nil {
            // Simulated time: the axis spans exactly the run, ticks at round hours/minutes/seconds.
            let times = xs.compactMap { $0 }
            x.low = min(0, times.min() ?? 0)
            x.high = max(times.max() ?? 1, x.low + 1)
            let span = x.high - x.low
            xTickUnit = Label.clockUnit(span: span)
            self.xLabel = { Label.clock($0, span: span) }
        } else {
            self.xLabel = xLabel!
        }
        self.yLabel = yLabel
        self.xTitle = xTitle
        self.yTitle = yTitle
    }

    var plotLeft: Double { left }
    var plotRight: Double { width - right }
    var plotTop: Double { top }
    var plotBottom: Double { height - bottom }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// A polyline through the points (a gap where y is nil); `step` holds each value until the next x.
    mutating func line(_ name: String, xs: [Double], ys: [Double?], color: String, width: Double = 1.6, dashed: Bool = false,
                       step: Bool = false, legend show: Bool = true)
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
        marks.append("<path data-series=\"\(escaped(name))\" d=\"\(paths.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\" stroke-linecap=\"round\"\(dash)><title>\(escaped(name))</title></path>")
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

    /// Points with optional error bars in x and y, each with a tooltip and an optional label.
    mutating func points(
        _ name: String, _ items: [(x: Double, y: Double, xError: (Double, Double)?, yError: (Double, Double)?, color: String, title: String, label: String?)],
        radius: Double = 4
    ) {
        var body = "<g data-series=\"\(escaped(name))\">"
        for p in items {
            let px = x(p.x), py = y(p.y)
            if let (lo, hi) = p.xError {
                body += "<line x1=\"\(Self.f(x(lo)))\" y1=\"\(Self.f(py))\" x2=\"\(Self.f(x(hi)))\" y2=\"\(Self.f(py))\" stroke=\"\(p.color)\" stroke-width=\"1.2\"/>"
            }
            if let (lo, hi) = p.yError {
                body += "<line x1=\"\(Self.f(px))\" y1=\"\(Self.f(y(lo)))\" x2=\"\(Self.f(px))\" y2=\"\(Self.f(y(hi)))\" stroke=\"\(p.color)\" stroke-width=\"1.2\"/>"
            }
            body += "<circle cx=\"\(Self.f(px))\" cy=\"\(Self.f(py))\" r=\"\(radius)\" fill=\"\(p.color)\"><title>\(escaped(p.title))</title></circle>"
            if let label = p.label {
                body += "<text x=\"\(Self.f(px + 6))\" y=\"\(Self.f(py - 6))\" font-size=\"11\">\(escaped(label))</text>"
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

    /// The chart as an `<svg>` element with its axes, grid and legend.
    func render(caption: String) -> String {
        var svg = "<svg class=\"chart\" role=\"img\" aria-label=\"\(escaped(caption))\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<rect x=\"\(Self.f(plotLeft))\" y=\"\(Self.f(plotTop))\" width=\"\(Self.f(plotRight - plotLeft))\" height=\"\(Self.f(plotBottom - plotTop))\" fill=\"#fafafa\" stroke=\"#ccc\"/>"
        for tick in y.ticks() {
            let py = y(tick)
            svg += "<line x1=\"\(Self.f(plotLeft))\" y1=\"\(Self.f(py))\" x2=\"\(Self.f(plotRight))\" y2=\"\(Self.f(py))\" stroke=\"#e6e6e6\"/>"
            svg += "<text x=\"\(Self.f(plotLeft - 6))\" y=\"\(Self.f(py + 4))\" font-size=\"11\" text-anchor=\"end\">\(escaped(yLabel(tick)))</text>"
        }
        for tick in x.ticks(count: 8, unit: xTickUnit) {
            let px = x(tick)
            svg += "<line x1=\"\(Self.f(px))\" y1=\"\(Self.f(plotBottom))\" x2=\"\(Self.f(px))\" y2=\"\(Self.f(plotBottom + 4))\" stroke=\"#888\"/>"
            svg += "<text x=\"\(Self.f(px))\" y=\"\(Self.f(plotBottom + 16))\" font-size=\"11\" text-anchor=\"middle\">\(escaped(xLabel(tick)))</text>"
        }
        svg += "<text x=\"\(Self.f((plotLeft + plotRight) / 2))\" y=\"\(Self.f(height - 6))\" font-size=\"12\" text-anchor=\"middle\">\(escaped(xTitle))</text>"
        svg += "<text transform=\"translate(14 \(Self.f((plotTop + plotBottom) / 2))) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">\(escaped(yTitle))</text>"
        svg += marks.joined()
        var lx = plotLeft + 8
        for (name, color, dashed) in legend {
            let dash = dashed ? " stroke-dasharray=\"4 3\"" : ""
            svg += "<line x1=\"\(Self.f(lx))\" y1=\"\(Self.f(plotTop - 12))\" x2=\"\(Self.f(lx + 18))\" y2=\"\(Self.f(plotTop - 12))\" stroke=\"\(color)\" stroke-width=\"3\"\(dash)/>"
            svg += "<text x=\"\(Self.f(lx + 22))\" y=\"\(Self.f(plotTop - 8))\" font-size=\"11\">\(escaped(name))</text>"
            lx += 34 + Double(name.count) * 6.2
        }
        return svg + "</svg>"
    }
}
