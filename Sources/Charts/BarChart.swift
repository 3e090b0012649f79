import Foundation

/// Horizontal bar charts, plain and stacked (see `Charts.bars` / `Charts.stackedBars`).
enum BarChart {
    struct Segment { var colorIndex: Int; var seriesLabel: String; var value: Double }

    struct Row {
        var label: String
        /// Plain bars: the value. Stacked: the total shown at the end.
        var value: Double?
        var segments: [Segment]
        var isStacked = false
        var positive: Double { !isStacked ? max(value ?? 0, 0) : segments.filter { $0.value > 0 }.reduce(0) { $0 + $1.value } }
        var negative: Double { !isStacked ? min(value ?? 0, 0) : segments.filter { $0.value < 0 }.reduce(0) { $0 + $1.value } }
    }

    static func finite(_ v: Double?) -> Double? { v.flatMap { $0.isFinite ? $0 : nil } }

    static func bars(_ items: [BarItem], text: ChartText, style: ChartStyle) -> String {
        let rows = items.map { Row(label: $0.label, value: finite($0.value), segments: []) }
        return render(rows, legend: [], stacked: false, text: text, style: style)
    }

    static func stacked(_ items: [BarItem], seriesLabels: [(id: String, label: String)], text: ChartText,
                        style: ChartStyle) -> String {
        var index: [String: Int] = [:]
        var legend: [(label: String, colorIndex: Int)] = []
        func colour(_ id: String, _ label: String) -> Int {
            if let i = index[id] { return i }
            let i = legend.count % 10
            index[id] = i
            legend.append((label, i))
            return i
        }
        for s in seriesLabels { _ = colour(s.id, s.label) }
        let names = Dictionary(seriesLabels.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        let rows = items.map { item -> Row in
            let segs = item.segments.compactMap { seg -> Segment? in
                guard seg.value.isFinite else { return nil }
                let label = names[seg.series] ?? seg.series
                return Segment(colorIndex: colour(seg.series, label), seriesLabel: label, value: seg.value)
            }
            let total = finite(item.value) ?? (segs.isEmpty ? nil : segs.reduce(0) { $0 + $1.value })
            return Row(label: item.label, value: total, segments: segs, isStacked: true)
        }
        return render(rows, legend: legend, stacked: true, text: text, style: style)
    }

    static func render(_ rows: [Row], legend legendItems: [(label: String, colorIndex: Int)], stacked: Bool,
                       text: ChartText, style: ChartStyle) -> String {
        let frame = ChartFrame(text: text, style: style, kind: stacked ? "stacked" : "bars")
        let hasData = stacked ? rows.contains { !$0.segments.isEmpty } : rows.contains { $0.value != nil }
        guard hasData else { return frame.noData() }
        let pad = frame.pad, width = frame.width
        let fmt = { (v: Double) in Fmt.number(v, decimals: style.decimals, locale: style.locale, compact: false) }

        var w = SVGWriter()
        var y = frame.heading(into: &w)
        if y > 0 { y += 4 }
        y = frame.measureLine(into: &w, y: y)
        if stacked {
            let legend = LegendLayout(labels: legendItems, left: pad, maxWidth: frame.inner, swatch: 14)
            legend.write(into: &w, top: y + 2) { x, cy, c in
                "<rect class=\"seg s\(c)\" x=\"\(Fmt.coord(x))\" y=\"\(Fmt.coord(cy - 7))\" width=\"14\" height=\"14\"/>"
            }
            y += legend.height + 2
        }
        let plotTop = (y + 8).rounded()

        // Rows: a band per item, sized to fit the target height within limits.
        let n = Double(rows.count)
        let target = min(max(style.height.isFinite ? style.height : 400, 100), 10_000)
        let available = target - plotTop - frame.sourceHeight - 6
        let band = min(max((available / n).rounded(.down), 24), 36)
        let barH = min((band * 0.68).rounded(), 24)
        let plotBottom = plotTop + n * band
        let height = (plotBottom + 6 + frame.sourceHeight).rounded(.up)

        // Category label column (right-aligned), truncated beyond 38 % of the width.
        let maxLabelW = frame.inner * 0.38
        let labels = rows.map { TextMetrics.truncate($0.label, size: FontSize.label, maxWidth: maxLabelW) }
        let labelW = min(labels.map { TextMetrics.width($0, size: FontSize.label) }.max() ?? 0, maxLabelW)

        // Value labels at the bar ends: right of positive, left of negative bars.
        let valueTexts = rows.map { r in r.value.map(fmt) ?? style.noDataText }
        var rightW = 0.0, leftW = 0.0
        for (r, t) in zip(rows, valueTexts) {
            let tw = TextMetrics.width(t, size: FontSize.tick, bold: stacked)
            if labelGoesLeft(r) { leftW = max(leftW, tw) } else { rightW = max(rightW, tw) }
        }
        let vMin = min(0, rows.map(\.negative).min() ?? 0)
        var vMax = max(0, rows.map(\.positive).max() ?? 0)
        if vMax == vMin { vMax = 1 }
        let xa = pad + labelW + 10
        let leftRes = leftW > 0 ? leftW + 6 : 0
        let rightRes = rightW + 6
        let scaleW = max(width - pad - xa - leftRes - rightRes, 40)
        func sx(_ v: Double) -> Double { xa + leftRes + (v - vMin) / (vMax - vMin) * scaleW }
        let zx = sx(0)
        func cy(_ i: Int) -> Double { plotTop + (Double(i) + 0.5) * band }

        // Category labels.
        w.raw("<g class=\"label\" text-anchor=\"end\" font-size=\"\(Fmt.coord(FontSize.label))\">\n")
        for (i, (row, label)) in zip(rows, labels).enumerated() {
            w.text(label, x: pad + labelW, y: cy(i) + FontSize.label * 0.35, title: label == row.label ? nil : row.label)
        }
        w.raw("</g>\n")

        // Bars or segments.
        var insideLabels = ""
        w.raw("<g class=\"\(stacked ? "segs" : "bars")\">\n")
        for (i, row) in rows.enumerated() {
            let top = Fmt.coord(cy(i) - barH / 2), h = Fmt.coord(barH)
            if !stacked {
                guard let v = row.value else { continue }
                let x0 = min(sx(v), zx), x1 = max(sx(v), zx)
                let tip = "\(row.label): \(Fmt.withUnit(fmt(v), text.unit))"
                w.raw("<rect class=\"bar\(v < 0 ? " neg" : "")\" x=\"\(Fmt.coord(x0))\" y=\"\(top)\" width=\"\(Fmt.coord(x1 - x0))\" height=\"\(h)\" data-value=\"\(Fmt.raw(v))\"><title>\(Fmt.xml(tip))</title></rect>\n")
                continue
            }
            let sum = row.segments.reduce(0) { $0 + $1.value }
            let showShare = sum > 0 && !row.segments.contains { $0.value < 0 }
            var pos = 0.0, neg = 0.0
            for seg in row.segments {
                let a: Double, b: Double
                if seg.value >= 0 { a = pos; b = pos + seg.value; pos = b } else { b = neg; a = neg + seg.value; neg = a }
                let x0 = sx(a), x1 = sx(b)
                var tip = "\(row.label), \(seg.seriesLabel): \(Fmt.withUnit(fmt(seg.value), text.unit))"
                if showShare {
                    tip += " (\(Fmt.number(seg.value / sum * 100, decimals: 1, locale: style.locale, compact: false)) %)"
                }
                w.raw("<rect class=\"seg s\(seg.colorIndex)\" x=\"\(Fmt.coord(x0))\" y=\"\(top)\" width=\"\(Fmt.coord(x1 - x0))\" height=\"\(h)\" data-value=\"\(Fmt.raw(seg.value))\"><title>\(Fmt.xml(tip))</title></rect>\n")
                let label = fmt(seg.value)
                if x1 - x0 >= TextMetrics.width(label, size: FontSize.tick) + 8 && barH >= 14 {
                    insideLabels += "<text class=\"s\(seg.colorIndex)\" x=\"\(Fmt.coord((x0 + x1) / 2))\" y=\"\(Fmt.coord(cy(i) + FontSize.tick * 0.35))\">\(Fmt.xml(label))</text>\n"
                }
            }
        }
        w.raw("</g>\n")
        if !insideLabels.isEmpty {
            w.raw("<g class=\"seg-value\" text-anchor=\"middle\">\n\(insideLabels)</g>\n")
        }

        // Zero line, then value / total labels.
        w.raw("<path class=\"zero\" d=\"M\(Fmt.coord(zx)) \(Fmt.coord(plotTop - 4))V\(Fmt.coord(plotBottom + 4))\"/>\n")
        w.raw("<g class=\"value\(stacked ? " total" : "")\">\n")
        for (i, (row, t)) in zip(rows, valueTexts).enumerated() {
            let ty = cy(i) + FontSize.tick * 0.35
            if row.value == nil {
                w.text(t, x: zx + 6, y: ty, cls: "na")
            } else if labelGoesLeft(row) {
                w.text(t, x: sx(row.negative) - 5, y: ty, anchor: "end")
            } else {
                w.text(t, x: sx(row.positive) + 5, y: ty)
            }
        }
        w.raw("</g>\n")
        frame.source(into: &w, top: plotBottom + 4)
        return frame.open(height: height) + w.body + ChartFrame.close
    }

    /// Negative bars (and stacks whose total is negative) get their label on the left.
    static func labelGoesLeft(_ r: Row) -> Bool {
        guard let v = r.value else { return false }
        if !r.isStacked { return v < 0 }
        return v < 0 && r.negative < 0
    }
}
