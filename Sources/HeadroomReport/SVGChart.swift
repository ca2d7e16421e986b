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
    /// The x axis's title with its unit in parentheses, as "simulated time (hours)".
    var xTitle = ""
    /// The y axis's title with its unit in parentheses; empty for a chart with no y axis (one bar).
    var yTitle: String
    /// x ticks fall on round multiples of this (3600 on an axis labelled in hours).
    var xTickUnit = 1.0
    /// `data-series` names of the marks, for tests and the browser check.
    internal(set) var seriesNames: [String] = []
    var marks: [String] = []
    var legend: [(String, String, Bool)] = []

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
            self.xTitle = "\(xTitle) (\(xTickUnit == 3600 ? "hours" : xTickUnit == 60 ? "minutes" : "seconds"))"
        } else {
            self.xLabel = xLabel!
        }
        self.yLabel = yLabel
        if xLabel != nil { self.xTitle = xTitle }
        self.yTitle = yTitle
    }

    var plotLeft: Double { left }
    var plotRight: Double { width - right }
    var plotTop: Double { top }
    var plotBottom: Double { height - bottom }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// The chart as an `<svg>` element with its axes, grid and legend. Each axis is a `<g
    /// data-axis>` holding its tick labels and its title (`class="axis-title"`), which the browser
    /// check reads; tick labels near an edge are anchored to stay inside the SVG.
    func render(caption: String) -> String {
        var svg = "<svg class=\"chart\" role=\"img\" aria-label=\"\(escaped(caption))\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<rect x=\"\(Self.f(plotLeft))\" y=\"\(Self.f(plotTop))\" width=\"\(Self.f(plotRight - plotLeft))\" height=\"\(Self.f(plotBottom - plotTop))\" fill=\"#fafafa\" stroke=\"#ccc\"/>"
        var yAxis = ""
        for tick in y.ticks() {
            let py = y(tick)
            svg += "<line x1=\"\(Self.f(plotLeft))\" y1=\"\(Self.f(py))\" x2=\"\(Self.f(plotRight))\" y2=\"\(Self.f(py))\" stroke=\"#e6e6e6\"/>"
            let label = yLabel(tick)
            guard !label.isEmpty else { continue }
            yAxis += "<text x=\"\(Self.f(plotLeft - 6))\" y=\"\(Self.f(py + 4))\" font-size=\"11\" text-anchor=\"end\">\(escaped(label))</text>"
        }
        if !yTitle.isEmpty {
            yAxis += "<text class=\"axis-title\" transform=\"translate(14 \(Self.f((plotTop + plotBottom) / 2))) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">\(escaped(yTitle))</text>"
        }
        if !yAxis.isEmpty { svg += "<g data-axis=\"y\">\(yAxis)</g>" }
        svg += "<g data-axis=\"x\">"
        for tick in x.ticks(count: 8, unit: xTickUnit) {
            let px = x(tick)
            let label = xLabel(tick)
            svg += "<line x1=\"\(Self.f(px))\" y1=\"\(Self.f(plotBottom))\" x2=\"\(Self.f(px))\" y2=\"\(Self.f(plotBottom + 4))\" stroke=\"#888\"/>"
            let (anchor, tx) = Self.anchor(label, at: px, within: 1...(width - 1))
            svg += "<text x=\"\(Self.f(tx))\" y=\"\(Self.f(plotBottom + 16))\" font-size=\"11\" text-anchor=\"\(anchor)\">\(escaped(label))</text>"
        }
        svg += "<text class=\"axis-title\" x=\"\(Self.f((plotLeft + plotRight) / 2))\" y=\"\(Self.f(height - 6))\" font-size=\"12\" text-anchor=\"middle\">\(escaped(xTitle))</text></g>"
        svg += marks.joined()
        svg += renderLegend()
        return svg + "</svg>"
    }

    /// The legend in one row above the plot; names cut with "…" (whole in the tooltip) when the
    /// row would run past the plot.
    private func renderLegend() -> String {
        let room = plotRight - plotLeft - 8
        let fixed = Double(legend.count) * 34
        let chars = legend.reduce(0) { $0 + $1.0.count }
        let limit = fixed + Double(chars) * Self.characterWidth <= room || legend.isEmpty
            ? Int.max : max(4, Int((room - fixed) / Self.characterWidth) / legend.count)
        var svg = ""
        var lx = plotLeft + 8
        for (name, color, dashed) in legend {
            let shown = name.count > limit ? String(name.prefix(limit - 1)) + "…" : name
            let dash = dashed ? " stroke-dasharray=\"4 3\"" : ""
            svg += "<g class=\"legend\"><title>\(escaped(name))</title><line x1=\"\(Self.f(lx))\" y1=\"\(Self.f(plotTop - 12))\" x2=\"\(Self.f(lx + 18))\" y2=\"\(Self.f(plotTop - 12))\" stroke=\"\(color)\" stroke-width=\"3\"\(dash)/>"
            svg += "<text x=\"\(Self.f(lx + 22))\" y=\"\(Self.f(plotTop - 8))\" font-size=\"11\">\(escaped(shown))</text></g>"
            lx += 34 + Double(shown.count) * Self.characterWidth
        }
        return svg
    }

    /// A generous average advance of an 11 px system-ui character, for placing text without a browser.
    static let characterWidth = 6.6

    /// How to anchor `label` centred on `x` so that it stays within `bounds`: "middle", or "start" /
    /// "end" at a shifted position near an edge.
    static func anchor(_ label: String, at x: Double, within bounds: ClosedRange<Double>) -> (String, Double) {
        let half = Double(label.count) * characterWidth / 2
        if x + half > bounds.upperBound { return ("end", min(x + half, bounds.upperBound)) }
        if x - half < bounds.lowerBound { return ("start", max(x - half, bounds.lowerBound)) }
        return ("middle", x)
    }
}
