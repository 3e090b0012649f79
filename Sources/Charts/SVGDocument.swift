import Foundation

/// Font sizes in viewBox units. At the default width of 720 they render at about
/// these CSS pixel sizes when the chart is shown 720 px wide.
enum FontSize {
    static let title = 17.0
    static let subtitle = 13.5
    static let label = 13.0   // y label, legend, bar category labels
    static let tick = 12.5    // axis ticks, value labels
    static let source = 12.0
}

/// Small helpers that write SVG markup into a string.
struct SVGWriter {
    var body = ""

    init() { body.reserveCapacity(8_192) }

    mutating func raw(_ s: String) { body += s }

    /// `<text>` with optional class and anchor; the content is escaped here.
    mutating func text(_ content: String, x: Double, y: Double, cls: String? = nil, anchor: String? = nil,
                       fontSize: Double? = nil, title: String? = nil) {
        body += "<text"
        if let cls { body += " class=\"\(cls)\"" }
        body += " x=\"\(Fmt.coord(x))\" y=\"\(Fmt.coord(y))\""
        if let anchor { body += " text-anchor=\"\(anchor)\"" }
        if let fontSize { body += " font-size=\"\(Fmt.coord(fontSize))\"" }
        body += ">"
        if let title { body += "<title>\(Fmt.xml(title))</title>" }
        body += Fmt.xml(content) + "</text>\n"
    }

    /// A single-path polyline from absolute points in viewBox units, written with
    /// relative segments ("M10 20l5.5-2…") computed on the rounded grid, so there
    /// is no drift and the path stays short.
    static func pathData(_ runs: [[(x: Double, y: Double)]]) -> String {
        var d = ""
        for run in runs where !run.isEmpty {
            var px = Fmt.tenthsOf(run[0].x), py = Fmt.tenthsOf(run[0].y)
            d += "M" + Fmt.tenths(px) + " " + Fmt.tenths(py)
            if run.count > 1 { d += "l" }
            for (i, p) in run.dropFirst().enumerated() {
                let nx = Fmt.tenthsOf(p.x), ny = Fmt.tenthsOf(p.y)
                let dx = nx - px, dy = ny - py
                if i > 0 && dx >= 0 { d += " " }
                d += Fmt.tenths(dx)
                if dy >= 0 { d += " " }
                d += Fmt.tenths(dy)
                px = nx; py = ny
            }
        }
        return d
    }
}

/// Parts shared by all full-size charts: root element, title/desc, visible
/// heading, the "No data" frame and the source line.
struct ChartFrame {
    let text: ChartText
    let style: ChartStyle
    let kind: String  // "line" | "bars" | "stacked"
    let width: Double
    let pad = 4.0

    init(text: ChartText, style: ChartStyle, kind: String) {
        self.text = text
        self.style = style
        self.kind = kind
        let w = style.width.isFinite ? style.width : 720
        self.width = min(max(w, 240), 4000)
    }

    var id: String { Fmt.idSafe(style.idPrefix) }
    var inner: Double { width - 2 * pad }

    /// Opening tag, <title>, <desc> and optional stylesheet.
    func open(height: Double) -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Fmt.coord(width)) \(Fmt.coord(height))\""
        s += " role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" class=\"chart chart-\(kind)\""
        s += " font-size=\"\(Fmt.coord(FontSize.tick))\">\n"
        s += "<title id=\"\(id)-title\">\(Fmt.xml(text.title))</title>\n"
        let desc = text.description.isEmpty ? text.title : text.description
        s += "<desc id=\"\(id)-desc\">\(Fmt.xml(desc))</desc>\n"
        if style.embedStylesheet {
            s += "<style><![CDATA[\n\(Charts.stylesheet)]]></style>\n"
        }
        return s
    }

    static let close = "</svg>\n"

    /// Title and subtitle lines starting at the top; returns the y below them.
    func heading(into w: inout SVGWriter) -> Double {
        var y = 0.0
        guard style.showTitle else { return y }
        let titleLines = TextMetrics.wrap(text.title, size: FontSize.title, maxWidth: inner, maxLines: 3, bold: true)
        for line in titleLines {
            y += FontSize.title * 1.25
            w.text(line, x: pad, y: y - 4, cls: "title", fontSize: FontSize.title)
        }
        if let sub = text.subtitle, !sub.isEmpty {
            let lines = TextMetrics.wrap(sub, size: FontSize.subtitle, maxWidth: inner, maxLines: 3)
            if !titleLines.isEmpty { y += 2 }
            for line in lines {
                y += FontSize.subtitle * 1.3
                w.text(line, x: pad, y: y - 4, cls: "subtitle", fontSize: FontSize.subtitle)
            }
        }
        return y
    }

    /// "Remittances (% of GDP)" — measure name with unit.
    var measureLabel: String {
        let y = text.yLabel.trimmingCharacters(in: .whitespaces)
        let u = text.unit.trimmingCharacters(in: .whitespaces)
        if u.isEmpty { return y }
        if y.isEmpty { return u }
        return "\(y) (\(u))"
    }

    /// Measure label line above the plot; returns the new y.
    func measureLine(into w: inout SVGWriter, y: Double) -> Double {
        let label = measureLabel
        guard !label.isEmpty else { return y }
        var y = y
        for line in TextMetrics.wrap(label, size: FontSize.label, maxWidth: inner, maxLines: 2) {
            y += FontSize.label * 1.3
            w.text(line, x: pad, y: y - 3, cls: "label", fontSize: FontSize.label)
        }
        return y
    }

    /// Wrapped source lines (at most 3).
    var sourceLines: [String] {
        TextMetrics.wrap(text.source, size: FontSize.source, maxWidth: inner, maxLines: 3)
    }

    static let sourceLineHeight = FontSize.source * 1.3

    /// Height the source block needs (including the gap above it).
    var sourceHeight: Double {
        let n = sourceLines.count
        return n == 0 ? 4 : 8 + Double(n) * Self.sourceLineHeight
    }

    func source(into w: inout SVGWriter, top: Double) {
        var y = top + 8
        for line in sourceLines {
            y += Self.sourceLineHeight
            w.text(line, x: pad, y: y - 3.5, cls: "source", fontSize: FontSize.source)
        }
    }

    /// Complete chart with a framed "No data" message.
    func noData() -> String {
        var w = SVGWriter()
        let top = heading(into: &w) + 8
        let bottomBlock = sourceHeight
        let frameH = max(120, min(style.height.isFinite ? style.height : 400, 2000) - top - bottomBlock)
        w.raw("<rect class=\"frame\" x=\"\(Fmt.coord(pad + 0.5))\" y=\"\(Fmt.coord(top))\" width=\"\(Fmt.coord(inner - 1))\" height=\"\(Fmt.coord(frameH))\"/>\n")
        w.text(style.noDataText, x: width / 2, y: top + frameH / 2 + FontSize.label * 0.35, cls: "nodata",
               anchor: "middle", fontSize: FontSize.label)
        source(into: &w, top: top + frameH)
        let height = (top + frameH + bottomBlock).rounded(.up)
        return open(height: height) + w.body + Self.close
    }
}

/// Legend entries laid out in rows that wrap at the chart width.
struct LegendLayout {
    struct Entry { var label: String; var colorIndex: Int; var x: Double; var row: Int }
    var entries: [Entry] = []
    var rows = 0
    /// Width of the colour key before each label.
    var swatch: Double
    static let rowHeight = 20.0

    init(labels: [(label: String, colorIndex: Int)], left: Double, maxWidth: Double, swatch: Double) {
        self.swatch = swatch
        var x = 0.0
        var row = 0
        for item in labels {
            let label = TextMetrics.truncate(item.label, size: FontSize.label, maxWidth: maxWidth - swatch - 6)
            let w = swatch + 6 + TextMetrics.width(label, size: FontSize.label)
            if x > 0 && x + w > maxWidth {
                row += 1
                x = 0
            }
            entries.append(Entry(label: label, colorIndex: item.colorIndex, x: left + x, row: row))
            x += w + 18
        }
        rows = entries.isEmpty ? 0 : row + 1
    }

    var height: Double { Double(rows) * Self.rowHeight }

    /// `markup(x, yCenter, colorIndex)` returns the markup of one swatch.
    func write(into w: inout SVGWriter, top: Double, swatch markup: (Double, Double, Int) -> String) {
        guard !entries.isEmpty else { return }
        w.raw("<g class=\"legend\" font-size=\"\(Fmt.coord(FontSize.label))\">\n")
        for e in entries {
            let cy = top + Double(e.row) * Self.rowHeight + Self.rowHeight / 2
            w.raw(markup(e.x, cy, e.colorIndex))
            w.text(e.label, x: e.x + swatch + 6, y: cy + FontSize.label * 0.35)
        }
        w.raw("</g>\n")
    }
}
