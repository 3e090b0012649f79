import Foundation

/// Line chart renderer (see `Charts.line`).
enum LineChart {
    /// Visible markers are drawn while every series has fewer than `markerLimit`
    /// points and the chart has at most `markerTotalLimit` points; otherwise the
    /// points are invisible hover targets (shown on hover by the stylesheet).
    static let markerLimit = 40
    static let markerTotalLimit = 150

    struct CleanSeries {
        var label: String
        var colorIndex: Int
        /// Sorted by x; y is nil for gaps (including NaN/inf input).
        var points: [(x: Double, y: Double?)]
    }

    static func clean(_ series: [ChartSeries]) -> [CleanSeries] {
        series.enumerated().map { i, s in
            let pts = s.points
                .filter { $0.x.isFinite }
                .map { p -> (x: Double, y: Double?) in (x: p.x, y: p.y.flatMap { $0.isFinite ? $0 : nil }) }
            let sorted = pts.enumerated().sorted { a, b in
                a.element.x != b.element.x ? a.element.x < b.element.x : a.offset < b.offset
            }.map(\.element)
            return CleanSeries(label: s.label, colorIndex: i % 10, points: sorted)
        }
    }

    static func render(_ input: [ChartSeries], text: ChartText, style: ChartStyle) -> String {
        let frame = ChartFrame(text: text, style: style, kind: "line")
        let series = clean(input)
        let valued = series.flatMap { $0.points.compactMap { p in p.y.map { (x: p.x, y: $0) } } }
        guard let xMin = valued.map(\.x).min(), let xMax = valued.map(\.x).max() else {
            return frame.noData()
        }
        let pad = frame.pad, width = frame.width

        // Top: heading and measure label.
        var w = SVGWriter()
        var y = frame.heading(into: &w)
        if y > 0 { y += 4 }
        y = frame.measureLine(into: &w, y: y)
        let plotTop = y + 12

        // Bottom: x ticks, x label, legend, source.
        let xTickBlock = 24.0
        let xLabel = (text.xLabel ?? "").trimmingCharacters(in: .whitespaces)
        let xLabelBlock = xLabel.isEmpty ? 0 : FontSize.label * 1.4
        let legend = series.count >= 2
            ? LegendLayout(labels: series.map { ($0.label, $0.colorIndex) }, left: pad, maxWidth: frame.inner, swatch: 18)
            : LegendLayout(labels: [], left: pad, maxWidth: frame.inner, swatch: 18)
        let legendBlock = legend.rows > 0 ? legend.height + 8 : 0
        let bottomBlock = xTickBlock + xLabelBlock + legendBlock + frame.sourceHeight
        let target = min(max(style.height.isFinite ? style.height : 400, 150), 4000)
        let plotBottom = max(target - bottomBlock, plotTop + 120).rounded()
        let height = (plotBottom + bottomBlock).rounded(.up)

        // Y scale.
        let plotH = plotBottom - plotTop
        let domain = Ticks.valueDomain(valued.map(\.y))
        let ticks = Ticks.nice(lo: domain.lo, hi: domain.hi, maxCount: min(max(Int(plotH / 42) + 1, 3), 9))
        let tickLabels = Fmt.tickLabels(ticks.values, stepExponent: ticks.exponent, locale: style.locale)
        let maxTickW = tickLabels.map { TextMetrics.width($0, size: FontSize.tick) }.max() ?? 0
        let firstXW = TextMetrics.width(Fmt.xValue(xMin, locale: style.locale), size: FontSize.tick)
        let plotLeft = max(pad + maxTickW + 8, pad + firstXW / 2).rounded()
        let yLo = ticks.lo, yHi = ticks.hi
        func sy(_ v: Double) -> Double { plotBottom - (v - yLo) / (yHi - yLo) * plotH }

        // X scale (years): keep half of the last label inside the chart.
        let lastXW = TextMetrics.width(Fmt.xValue(xMax, locale: style.locale), size: FontSize.tick)
        let plotRight = (width - pad - max(6, lastXW / 2)).rounded()
        let plotW = plotRight - plotLeft
        func sx(_ v: Double) -> Double {
            xMax > xMin ? plotLeft + (v - xMin) / (xMax - xMin) * plotW : plotLeft + plotW / 2
        }
        let yearW = max(firstXW, lastXW)
        let xTicks = Ticks.years(lo: xMin, hi: xMax, pixelsPerUnit: xMax > xMin ? plotW / (xMax - xMin) : 0,
                                 minGap: yearW + 16)

        // Grid, zero line, axis.
        var grid = ""
        for t in ticks.values where t != yLo && t != 0 {
            grid += "M\(Fmt.coord(plotLeft)) \(Fmt.coord(sy(t)))H\(Fmt.coord(plotRight))"
        }
        if !grid.isEmpty { w.raw("<path class=\"grid\" d=\"\(grid)\"/>\n") }
        if yLo < 0 && yHi > 0 {
            w.raw("<path class=\"zero\" d=\"M\(Fmt.coord(plotLeft)) \(Fmt.coord(sy(0)))H\(Fmt.coord(plotRight))\"/>\n")
        }
        var axis = "M\(Fmt.coord(plotLeft)) \(Fmt.coord(plotBottom))H\(Fmt.coord(plotRight))"
        for t in xTicks { axis += "M\(Fmt.coord(sx(t))) \(Fmt.coord(plotBottom))v4" }
        w.raw("<path class=\"axis\" d=\"\(axis)\"/>\n")

        // Tick labels.
        w.raw("<g class=\"tick\" text-anchor=\"end\">\n")
        for (t, label) in zip(ticks.values, tickLabels) {
            w.text(label, x: plotLeft - 8, y: sy(t) + FontSize.tick * 0.35)
        }
        w.raw("</g>\n<g class=\"tick\" text-anchor=\"middle\">\n")
        for t in xTicks {
            w.text(Fmt.xValue(t, locale: style.locale), x: sx(t), y: plotBottom + 8 + FontSize.tick)
        }
        w.raw("</g>\n")
        if !xLabel.isEmpty {
            w.text(xLabel, x: plotLeft + plotW / 2, y: plotBottom + xTickBlock + FontSize.label,
                   cls: "label", anchor: "middle", fontSize: FontSize.label)
        }

        // Series, last first so that the first series is drawn on top.
        let markers = (series.map(\.points.count).max() ?? 0) < markerLimit && valued.count <= markerTotalLimit
        for s in series.reversed() {
            var runs: [[(x: Double, y: Double)]] = [[]]
            for p in s.points {
                if let v = p.y { runs[runs.count - 1].append((x: sx(p.x), y: sy(v))) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            runs = runs.filter { !$0.isEmpty }
            if runs.isEmpty { continue }
            let cls = markers ? "series s\(s.colorIndex)" : "series s\(s.colorIndex) hits"
            w.raw("<g class=\"\(cls)\">\n")
            let d = SVGWriter.pathData(runs.filter { $0.count > 1 })
            if !d.isEmpty { w.raw("<path d=\"\(d)\"/>\n") }
            // Points that stand alone between gaps must stay visible without markers.
            let pts = s.points
            func has(_ j: Int) -> Bool { j >= 0 && j < pts.count && pts[j].y != nil }
            for (i, p) in s.points.enumerated() {
                guard let v = p.y else { continue }
                // Invisible hover targets need no sub-pixel precision, and their radius
                // comes from the stylesheet (`.hits circle{r:4px}`): ~10 bytes less a point.
                // A point alone between gaps stays a visible dot with its own radius.
                let lone = !markers && !has(i - 1) && !has(i + 1)
                let cx = markers ? sx(p.x) : sx(p.x).rounded(), cy = markers ? sy(v) : sy(v).rounded()
                let r = markers ? " r=\"3\"" : lone ? " class=\"dot\" r=\"3\"" : ""
                w.raw("<circle cx=\"\(Fmt.coord(cx))\" cy=\"\(Fmt.coord(cy))\"\(r) data-x=\"\(Fmt.raw(p.x))\" data-y=\"\(Fmt.raw(v))\"")
                if style.pointTitles {
                    let xs = Fmt.xValue(p.x, locale: style.locale)
                    let value = Fmt.withUnit(Fmt.number(v, decimals: style.decimals, locale: style.locale, compact: false), text.unit)
                    w.raw("><title>\(Fmt.xml("\(s.label), \(xs): \(value)"))</title></circle>")
                } else {
                    w.raw("/>")
                }
            }
            w.raw("\n")
            w.raw("</g>\n")
        }

        // Legend and source.
        let legendTop = plotBottom + xTickBlock + xLabelBlock + 6
        legend.write(into: &w, top: legendTop) { x, cy, c in
            "<path class=\"key s\(c)\" d=\"M\(Fmt.coord(x)) \(Fmt.coord(cy))h18\"/>"
        }
        frame.source(into: &w, top: plotBottom + xTickBlock + xLabelBlock + legendBlock)
        return frame.open(height: height) + w.body + ChartFrame.close
    }
}
