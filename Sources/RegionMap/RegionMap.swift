// RegionMap.swift
// Server-side renderer of a compact SVG map of the Caribbean region
// (Foundation only, Swift 6 strict concurrency clean).
//
// The coastlines below are hand-written, deliberately simplified outlines
// (roughly 0.1°–0.3° accuracy); they are meant for orientation, not navigation.

import Foundation

// MARK: - Public API

/// One country or territory marker, drawn at `latitude`/`longitude`.
public struct MapMarker: Sendable, Hashable {
    /// Stable identifier such as "jm"; used in element ids.
    public var id: String
    /// Visible and accessible name, e.g. "Jamaica".
    public var label: String
    /// Latitude in degrees (north positive).
    public var latitude: Double
    /// Longitude in degrees (east positive, so the Caribbean is negative).
    public var longitude: Double
    /// When set, the marker is wrapped in `<a href="…">`.
    public var href: String?
    /// Value class `0..<legend.count` for choropleth colouring; `nil` = default colour.
    public var valueClass: Int?
    /// Tooltip text (`<title>`); defaults to `label`.
    public var title: String?
    /// Optional shorter text for the on-map label (e.g. "St Vincent"); defaults to `label`.
    public var shortLabel: String?

    /// Creates a marker; only `id`, `label` and the coordinates are required.
    public init(id: String, label: String, latitude: Double, longitude: Double,
                href: String? = nil, valueClass: Int? = nil, title: String? = nil,
                shortLabel: String? = nil) {
        self.id = id
        self.label = label
        self.latitude = latitude
        self.longitude = longitude
        self.href = href
        self.valueClass = valueClass
        self.title = title
        self.shortLabel = shortLabel
    }
}

/// One legend row; row `n` is drawn with the swatch class `v<n>`.
public struct MapLegendEntry: Sendable, Hashable {
    /// Text shown beside the swatch.
    public var label: String
    /// Creates a legend entry.
    public init(label: String) { self.label = label }
}

/// Renders an SVG map of the Caribbean (longitude −90…−51, latitude 4…28)
/// with Bermuda in an inset box in the top-right corner.
///
/// Styling is done entirely through CSS classes: `region-map`, `sea`, `land`,
/// `inset`, `inset-label`, `marker`, `v0`…`vN`, `marker-label`, `leader`,
/// `legend`, `legend-box`, `legend-title`, `legend-label`, `swatch`.
/// Label placement assumes `.marker-label` is rendered at 11 user units
/// (11px when the SVG is shown 1000px wide with the default width).
public struct RegionMap: Sendable {
    /// Width of the viewBox in user units.
    public let width: Double
    /// Height of the viewBox in user units (follows from the projection).
    public let height: Double

    /// User units per degree of latitude.
    private let k: Double
    /// Size factor relative to the reference width of 1000.
    private let s: Double

    static let lonMin = -90.0
    static let lonMax = -51.0
    static let latMin = 4.0
    static let latMax = 28.0
    static let cosCentre = cos(18.0 * Double.pi / 180.0)
    static let bermudaLat = 32.318
    static let bermudaLon = -64.765
    static let cosBermuda = cos(32.3 * Double.pi / 180.0)

    /// Creates a renderer whose viewBox is `width` units wide (minimum 100).
    public init(width: Double = 1000) {
        let w = width.isFinite ? max(100, width) : 1000
        self.width = w
        self.k = w / ((Self.lonMax - Self.lonMin) * Self.cosCentre)
        self.height = (Self.latMax - Self.latMin) * k
        self.s = w / 1000
    }

    /// Projects a geographic position to SVG user units. Points near Bermuda
    /// (latitude 29.5…35, longitude −68…−61) are mapped into the inset box.
    public func project(latitude: Double, longitude: Double) -> (x: Double, y: Double) {
        if Self.isBermudaRange(latitude: latitude, longitude: longitude) {
            return projectInset(latitude: latitude, longitude: longitude)
        }
        return projectMain(latitude: latitude, longitude: longitude)
    }

    /// Returns a complete `<svg>` element.
    /// - Parameters:
    ///   - markers: markers to draw; markers falling outside the map are skipped.
    ///   - title: accessible title (`<title>`).
    ///   - description: accessible description (`<desc>`).
    ///   - legendTitle: optional heading above the legend.
    ///   - legend: legend rows; entry `n` corresponds to `valueClass == n`.
    ///   - labels: whether to draw a visible text label beside each marker.
    ///   - idPrefix: prefix for element ids (make it unique per page).
    ///   - insetLabel: caption of the Bermuda inset.
    public func svg(markers: [MapMarker], title: String, description: String,
                    legendTitle: String? = nil, legend: [MapLegendEntry] = [],
                    labels: Bool = true, idPrefix: String = "map",
                    insetLabel: String = "Bermuda") -> String {
        let prefix = Self.sanitizeID(idPrefix, fallback: "map")
        var out = ""
        out.reserveCapacity(16_384)
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\""
        out += " role=\"img\" aria-labelledby=\"\(prefix)-title \(prefix)-desc\" class=\"region-map\">"
        out += "<title id=\"\(prefix)-title\">\(xmlEscape(title))</title>"
        out += "<desc id=\"\(prefix)-desc\">\(xmlEscape(description))</desc>"
        out += "<rect class=\"sea\" width=\"\(fmt(width))\" height=\"\(fmt(height))\"/>"
        out += "<path class=\"land\" fill-rule=\"evenodd\" d=\"\(mainLandPath())\"/>"

        // Bermuda inset.
        let frame = insetFrame
        out += "<g class=\"inset-group\"><rect class=\"inset\" x=\"\(fmt(frame.x0))\" y=\"\(fmt(frame.y0))\""
        out += " width=\"\(fmt(frame.width))\" height=\"\(fmt(frame.height))\"/>"
        out += "<path class=\"land\" d=\"\(insetLandPath())\"/>"
        out += "<text class=\"inset-label\" x=\"\(fmt(frame.x0 + 6 * s))\" y=\"\(fmt(frame.y0 + 15 * s))\">"
        out += "\(xmlEscape(insetLabel))</text></g>"

        // Legend geometry first: it is an obstacle for labels.
        let legendLayout = layoutLegend(title: legendTitle, entries: legend)
        var obstacles = [frame]
        if let box = legendLayout?.box { obstacles.append(box) }

        out += renderMarkers(markers, labels: labels, prefix: prefix, obstacles: obstacles,
                             classCount: max(legend.count, 7), insetLabel: insetLabel)
        if let legendLayout { out += renderLegend(legendLayout, title: legendTitle, entries: legend) }
        out += "</svg>"
        return out
    }
}

// MARK: - Projection helpers

extension RegionMap {
    static func isBermudaRange(latitude: Double, longitude: Double) -> Bool {
        latitude >= 29.5 && latitude <= 35 && longitude >= -68 && longitude <= -61
    }

    func projectMain(latitude: Double, longitude: Double) -> (x: Double, y: Double) {
        ((longitude - Self.lonMin) * Self.cosCentre * k, (Self.latMax - latitude) * k)
    }

    /// The inset frame (top-right corner).
    var insetFrame: MapBox {
        let w = 150 * s, h = 100 * s, margin = 8 * s
        return MapBox(x0: width - margin - w, y0: margin, x1: width - margin, y1: margin + h)
    }

    func projectInset(latitude: Double, longitude: Double) -> (x: Double, y: Double) {
        let f = insetFrame
        let ki = 450 * s
        let cx = (f.x0 + f.x1) / 2
        let cy = f.y0 + 18 * s + (f.height - 18 * s) / 2
        let x = cx + (longitude - Self.bermudaLon) * Self.cosBermuda * ki
        let y = cy - (latitude - Self.bermudaLat) * ki
        let pad = 2 * s
        return (min(max(x, f.x0 + pad), f.x1 - pad), min(max(y, f.y0 + pad), f.y1 - pad))
    }

    /// The whole main-map land outline as compact relative path data.
    func mainLandPath() -> String {
        var path = PathBuilder()
        for ring in LandData.mainRings {
            path.addRing(ring, bounds: MapBox(x0: 0, y0: 0, x1: width, y1: height)) {
                projectMain(latitude: $0, longitude: $1)
            }
        }
        return path.data
    }

    func insetLandPath() -> String {
        var path = PathBuilder()
        path.addRing(LandData.bermuda, bounds: insetFrame) {
            projectInset(latitude: $0, longitude: $1)
        }
        return path.data
    }
}

// MARK: - Markers and labels

extension RegionMap {
    private struct Placed {
        var marker: MapMarker
        var origin: (x: Double, y: Double)
        var pos: (x: Double, y: Double)
        var inInset: Bool
    }

    private struct LabelPlacement {
        var x: Double
        var y: Double
        var anchor: String?
        var leader: (x1: Double, y1: Double, x2: Double, y2: Double)?
    }

    private func renderMarkers(_ markers: [MapMarker], labels: Bool, prefix: String,
                               obstacles: [MapBox], classCount: Int, insetLabel: String) -> String {
        let r = 6 * s
        let view = MapBox(x0: 0, y0: 0, x1: width, y1: height)
        var placed: [Placed] = []
        for m in markers where m.latitude.isFinite && m.longitude.isFinite {
            let inset = Self.isBermudaRange(latitude: m.latitude, longitude: m.longitude)
            let p = project(latitude: m.latitude, longitude: m.longitude)
            guard view.contains(p.x, p.y) else { continue }
            placed.append(Placed(marker: m, origin: p, pos: p, inInset: inset))
        }
        applyNudges(&placed, crowdDistance: 2 * r + 2 * s)
        relax(&placed, minDistance: 2 * r + 1.5 * s)

        var placements = [LabelPlacement?](repeating: nil, count: placed.count)
        if labels {
            placements = placeLabels(placed, radius: r, obstacles: obstacles, insetLabel: insetLabel)
        }

        var out = "<g class=\"markers\">"
        var usedIDs = Set<String>()
        for (i, p) in placed.enumerated() {
            let m = p.marker
            var elementID = "\(prefix)-\(Self.sanitizeID(m.id, fallback: "m\(i)"))"
            if usedIDs.contains(elementID) { elementID += "-\(i)" }
            usedIDs.insert(elementID)
            var cls = "marker"
            if let v = m.valueClass, v >= 0, v < classCount { cls += " v\(v)" }

            var g = ""
            if let href = m.href {
                g += "<a href=\"\(xmlEscape(href))\" aria-label=\"\(xmlEscape(m.label))\">"
            }
            g += "<g id=\"\(elementID)\"><title>\(xmlEscape(m.title ?? m.label))</title>"
            let dx = p.pos.x - p.origin.x, dy = p.pos.y - p.origin.y
            if dx * dx + dy * dy > r * r {  // otherwise hidden under the circle
                g += line(p.origin.x, p.origin.y, p.pos.x, p.pos.y)
            }
            g += "<circle class=\"\(cls)\" cx=\"\(fmt(p.pos.x))\" cy=\"\(fmt(p.pos.y))\" r=\"\(fmt(r))\"/>"
            if let lp = placements[i] {
                if let l = lp.leader { g += line(l.x1, l.y1, l.x2, l.y2) }
                g += "<text class=\"marker-label\" x=\"\(fmt(lp.x))\" y=\"\(fmt(lp.y))\""
                if let anchor = lp.anchor { g += " text-anchor=\"\(anchor)\"" }
                g += ">\(xmlEscape(m.shortLabel ?? m.label))</text>"
            }
            g += "</g>"
            if m.href != nil { g += "</a>" }
            out += g
        }
        out += "</g>"
        return out
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> String {
        "<line class=\"leader\" x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\"/>"
    }

    /// Moves markers listed in `LabelDirection.nudges` when another marker is
    /// closer than `crowdDistance` to their true position.
    private func applyNudges(_ placed: inout [Placed], crowdDistance: Double) {
        let origins = placed.map(\.origin)
        for i in placed.indices {
            guard let n = LabelDirection.nudges[placed[i].marker.id.lowercased()] else { continue }
            let crowded = origins.indices.contains { j in
                let dx = origins[j].x - origins[i].x, dy = origins[j].y - origins[i].y
                return j != i && dx * dx + dy * dy < crowdDistance * crowdDistance
            }
            if crowded {
                placed[i].pos.x += n.dx * s
                placed[i].pos.y += n.dy * s
            }
        }
    }

    /// Pushes overlapping markers apart; displaced markers get a leader line.
    private func relax(_ placed: inout [Placed], minDistance: Double) {
        guard placed.count > 1 else { return }
        for _ in 0..<80 {
            var moved = false
            for i in 0..<placed.count {
                for j in (i + 1)..<placed.count {
                    var dx = placed[j].pos.x - placed[i].pos.x
                    var dy = placed[j].pos.y - placed[i].pos.y
                    var d = (dx * dx + dy * dy).squareRoot()
                    guard d < minDistance - 0.01 else { continue }
                    if d < 0.01 {  // coincident: deterministic direction
                        let angle = Double(i + j) * 2.39996
                        dx = cos(angle); dy = sin(angle); d = 1
                    }
                    let push = (minDistance - d) / 2 + 0.01
                    let ux = dx / d, uy = dy / d
                    placed[i].pos.x -= ux * push; placed[i].pos.y -= uy * push
                    placed[j].pos.x += ux * push; placed[j].pos.y += uy * push
                    moved = true
                }
            }
            if !moved { break }
        }
    }

    /// Greedy label placement: for each marker try eight directions at three
    /// distances and keep the candidate with the least overlap.
    private func placeLabels(_ placed: [Placed], radius r: Double, obstacles: [MapBox],
                             insetLabel: String) -> [LabelPlacement?] {
        let font = 11 * s
        let ascent = 8.5 * s, descent = 2.5 * s
        let gap = r + 3 * s
        let markerBoxes = placed.map {
            MapBox(x0: $0.pos.x - r, y0: $0.pos.y - r, x1: $0.pos.x + r, y1: $0.pos.y + r)
        }
        // Most crowded markers choose first.
        let order = placed.indices.sorted { a, b in
            let ca = crowd(a, placed), cb = crowd(b, placed)
            return ca != cb ? ca > cb : a < b
        }
        var result = [LabelPlacement?](repeating: nil, count: placed.count)
        var taken: [MapBox] = []
        let view = MapBox(x0: 2 * s, y0: 2 * s, x1: width - 2 * s, y1: height - 2 * s)

        for i in order {
            let p = placed[i]
            let text = p.marker.shortLabel ?? p.marker.label
            if text.isEmpty { continue }
            if p.inInset && text.caseInsensitiveCompare(insetLabel) == .orderedSame { continue }
            let w = Self.textWidth(text, fontSize: font)
            let bounds = p.inInset ? insetFrame : view
            let preferred = LabelDirection.preferred[p.marker.id.lowercased()]
            var best: (cost: Double, box: MapBox, place: LabelPlacement)?

            for ring in 0..<3 {
                let dist = gap + Double(ring) * 14 * s
                for (di, dir) in LabelDirection.allCases.enumerated() {
                    let (ux, uy) = dir.vector
                    let ax = p.pos.x + ux * dist, ay = p.pos.y + uy * dist
                    var x0: Double, anchor: String?
                    if ux > 0.3 { x0 = ax; anchor = nil }
                    else if ux < -0.3 { x0 = ax - w; anchor = "end" }
                    else { x0 = ax - w / 2; anchor = "middle" }
                    let baseline: Double
                    if uy < -0.3 { baseline = ay - descent + 1 * s }
                    else if uy > 0.3 { baseline = ay + ascent - 1 * s }
                    else { baseline = ay + 3.8 * s }
                    let box = MapBox(x0: x0, y0: baseline - ascent, x1: x0 + w, y1: baseline + descent)

                    var cost = Double(ring) * 60 + Double(di) * 1.5
                    if dir == preferred { cost -= 30 }
                    for t in taken { cost += box.overlap(t) * 1.2 }
                    for (j, mb) in markerBoxes.enumerated() where j != i { cost += box.overlap(mb) * 1.5 }
                    if !p.inInset { for o in obstacles { cost += box.overlap(o) * 2 } }
                    // A label nearer to another marker than to its own reads ambiguously.
                    let own = box.distance(to: p.pos.x, p.pos.y)
                    for (j, q) in placed.enumerated() where j != i && box.distance(to: q.pos.x, q.pos.y) < own {
                        cost += 25
                    }
                    cost += (box.area - box.overlap(bounds)) * 3
                    if best == nil || cost < (best?.cost ?? .infinity) {
                        var leader: (Double, Double, Double, Double)?
                        if ring > 0 {
                            leader = (p.pos.x + ux * r, p.pos.y + uy * r,
                                      p.pos.x + ux * (dist - 2 * s), p.pos.y + uy * (dist - 2 * s))
                        }
                        best = (cost, box, LabelPlacement(x: ax, y: baseline, anchor: anchor, leader: leader))
                    }
                }
            }
            if let best {
                taken.append(best.box)
                result[i] = best.place
            }
        }
        return result
    }

    private func crowd(_ i: Int, _ placed: [Placed]) -> Int {
        let limit = 60 * s
        var n = 0
        for (j, q) in placed.enumerated() where j != i {
            let dx = q.pos.x - placed[i].pos.x, dy = q.pos.y - placed[i].pos.y
            if dx * dx + dy * dy < limit * limit { n += 1 }
        }
        return n
    }

    /// Rough advance width of `text` in a sans-serif font.
    static func textWidth(_ text: String, fontSize: Double) -> Double {
        var em = 0.0
        for ch in text.unicodeScalars {
            switch ch {
            case " ", "i", "l", "j", "t", "f", "r", "I", ".", ",", "'", "!", "|", ":", ";", "(", ")":
                em += 0.3
            case "m", "w", "M", "W", "—", "&": em += 0.82
            case "A"..."Z": em += 0.66
            case "0"..."9": em += 0.56
            default: em += 0.53
            }
        }
        return em * fontSize
    }
}

extension RegionMap {
    /// Preferred label directions, tuned for the default Caribbean marker set.
    enum LabelDirection: CaseIterable, Sendable {
        case e, w, n, s, ne, nw, se, sw

        var vector: (Double, Double) {
            switch self {
            case .e: (1, 0)
            case .w: (-1, 0)
            case .n: (0, -1)
            case .s: (0, 1)
            case .ne: (0.72, -0.72)
            case .nw: (-0.72, -0.72)
            case .se: (0.72, 0.72)
            case .sw: (-0.72, 0.72)
            }
        }

        /// Callout offsets (user units at width 1000) that fan out the St Martin /
        /// Anguilla / St Barthélemy cluster to the east; applied only when crowded.
        static let nudges: [String: (dx: Double, dy: Double)] = [
            "ai": (21, -31.7), "mf": (21.8, -20.7), "sx": (21, -6.8), "bl": (15.1, 4.7),
        ]

        /// Keyed by lower-cased ISO 3166 alpha-2 code.
        static let preferred: [String: LabelDirection] = [
            "ag": .e, "bb": .e, "dm": .e, "gp": .e, "mq": .e, "lc": .e, "vc": .w, "gd": .w,
            "tt": .e, "kn": .w, "ms": .w, "ai": .e, "mf": .e, "sx": .e, "bl": .e, "vg": .n,
            "vi": .s, "pr": .w, "aw": .w, "cw": .s, "bq": .e, "cu": .n, "bs": .e, "tc": .e,
            "ky": .s, "jm": .s, "ht": .w, "do": .s, "bz": .e, "gy": .n, "sr": .n, "gf": .n,
            "bm": .e,
        ]
    }
}

// MARK: - Legend

extension RegionMap {
    private struct LegendLayout {
        var box: MapBox
        var rowHeight: Double
        var titleHeight: Double
    }

    private func layoutLegend(title: String?, entries: [MapLegendEntry]) -> LegendLayout? {
        guard !entries.isEmpty else { return nil }
        let font = 11 * s, pad = 8 * s, row = 16 * s
        let titleHeight = (title?.isEmpty == false) ? 17 * s : 0
        var w = entries.map { 16 * s + Self.textWidth($0.label, fontSize: font) }.max() ?? 0
        if let title, !title.isEmpty { w = max(w, Self.textWidth(title, fontSize: font * 1.05)) }
        w += 2 * pad
        let h = 2 * pad + titleHeight + Double(entries.count) * row - 4 * s
        let x1 = width - 8 * s
        let y0 = insetFrame.y1 + 12 * s
        return LegendLayout(box: MapBox(x0: x1 - w, y0: y0, x1: x1, y1: y0 + h),
                            rowHeight: row, titleHeight: titleHeight)
    }

    private func renderLegend(_ l: LegendLayout, title: String?, entries: [MapLegendEntry]) -> String {
        let pad = 8 * s, b = l.box
        var out = "<g class=\"legend\"><rect class=\"legend-box\" x=\"\(fmt(b.x0))\" y=\"\(fmt(b.y0))\""
        out += " width=\"\(fmt(b.width))\" height=\"\(fmt(b.height))\"/>"
        if let title, !title.isEmpty {
            out += "<text class=\"legend-title\" x=\"\(fmt(b.x0 + pad))\" y=\"\(fmt(b.y0 + pad + 10 * s))\">"
            out += "\(xmlEscape(title))</text>"
        }
        for (n, e) in entries.enumerated() {
            let top = b.y0 + pad + l.titleHeight + Double(n) * l.rowHeight
            out += "<rect class=\"swatch v\(n)\" x=\"\(fmt(b.x0 + pad))\" y=\"\(fmt(top))\""
            out += " width=\"\(fmt(10 * s))\" height=\"\(fmt(10 * s))\"/>"
            out += "<text class=\"legend-label\" x=\"\(fmt(b.x0 + pad + 16 * s))\" y=\"\(fmt(top + 9 * s))\">"
            out += "\(xmlEscape(e.label))</text>"
        }
        out += "</g>"
        return out
    }
}

// MARK: - Small utilities

extension RegionMap {
    /// Axis-aligned box in user units.
    struct MapBox: Sendable {
        var x0: Double, y0: Double, x1: Double, y1: Double
        var width: Double { x1 - x0 }
        var height: Double { y1 - y0 }
        var area: Double { max(0, width) * max(0, height) }
        func contains(_ x: Double, _ y: Double) -> Bool { x >= x0 && x <= x1 && y >= y0 && y <= y1 }
        func distance(to x: Double, _ y: Double) -> Double {
            let dx = max(x0 - x, 0, x - x1), dy = max(y0 - y, 0, y - y1)
            return (dx * dx + dy * dy).squareRoot()
        }
        func overlap(_ o: MapBox) -> Double {
            max(0, min(x1, o.x1) - max(x0, o.x0)) * max(0, min(y1, o.y1) - max(y0, o.y0))
        }
    }

    /// Builds compact relative path data from rings rounded to 0.1 unit.
    struct PathBuilder {
        private(set) var data = ""
        /// Current point in tenths of a unit (start of the last subpath after `z`).
        private var cx = 0, cy = 0

        mutating func addRing(_ lonLat: [Double], bounds: MapBox,
                              project: (Double, Double) -> (x: Double, y: Double)) {
            var pts: [(Int, Int)] = []
            var i = 0
            while i + 1 < lonLat.count {
                let p = project(lonLat[i + 1], lonLat[i])
                let x = min(max(p.x, bounds.x0), bounds.x1), y = min(max(p.y, bounds.y0), bounds.y1)
                let t = (Int((x * 10).rounded()), Int((y * 10).rounded()))
                if let last = pts.last, last == t { i += 2; continue }
                pts.append(t)
                i += 2
            }
            if let first = pts.first, let last = pts.last, pts.count > 1, first == last { pts.removeLast() }
            guard pts.count >= 3 else { return }
            data += "m"
            var px = cx, py = cy
            var firstNumber = true
            for (x, y) in pts {
                append(x - px, first: firstNumber); append(y - py, first: false)
                firstNumber = false
                px = x; py = y
            }
            data += "z"
            cx = pts[0].0; cy = pts[0].1
        }

        private mutating func append(_ tenths: Int, first: Bool) {
            let s = RegionMap.formatTenths(tenths, dropLeadingZero: true)
            if !first && !s.hasPrefix("-") { data += " " }
            data += s
        }
    }
}

extension RegionMap {
    /// Formats a value given in tenths: 123 → "12.3", 120 → "12", -5 → "-0.5".
    static func formatTenths(_ t: Int, dropLeadingZero: Bool = false) -> String {
        if t == 0 { return "0" }
        let a = t.magnitude
        let whole = a / 10, frac = a % 10
        var s = t < 0 ? "-" : ""
        if !(dropLeadingZero && whole == 0 && frac != 0) { s += String(whole) }
        if frac != 0 { s += "." + String(frac) }
        return s
    }

    /// Formats a number with at most one decimal, "." separator and never "-0".
    static func formatNumber(_ v: Double) -> String {
        guard v.isFinite, abs(v) < 1e15 else { return "0" }
        return formatTenths(Int((v * 10).rounded()))
    }

    func fmt(_ v: Double) -> String { Self.formatNumber(v) }
    func xmlEscape(_ text: String) -> String { Self.escapeXML(text) }


    /// Escapes text for XML content and attribute values; drops characters XML forbids.
    static func escapeXML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for u in text.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                let v = u.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

extension RegionMap {
    /// Keeps `[A-Za-z0-9_-]`, replacing anything else by "-"; ids start with a letter.
    static func sanitizeID(_ raw: String, fallback: String) -> String {
        var out = ""
        for u in raw.unicodeScalars {
            switch u {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-": out.unicodeScalars.append(u)
            default: out += "-"
            }
        }
        if out.isEmpty { return fallback }
        if let f = out.unicodeScalars.first, !(("a"..."z").contains(f) || ("A"..."Z").contains(f)) {
            out = "m" + out
        }
        return out
    }
}

// MARK: - Land data (longitude, latitude pairs; hand-simplified)

extension RegionMap {
    enum LandData {
        /// Main-map rings. Mainland outlines are closed along the map edge;
        /// lakes are holes (the land path uses the even-odd fill rule).
        static let mainRings: [[Double]] = [
            // Central and South America, Yucatán to French Guiana, back via the Pacific coast.
            [-90.0, 21.16, -89.65, 21.29, -88.9, 21.42, -88.15, 21.6, -87.5, 21.52, -87.1, 21.6,
             -86.8, 21.2, -86.9, 20.85, -87.1, 20.6, -87.45, 20.2, -87.5, 19.7, -87.45, 19.3,
             -87.7, 18.7, -87.85, 18.2, -88.1, 18.4, -88.2, 18.0, -88.2, 17.5, -88.28, 17.0,
             -88.55, 16.45, -88.85, 16.05, -88.9, 15.88, -88.6, 15.72, -88.2, 15.72, -87.95, 15.85,
             -87.45, 15.78, -86.8, 15.78, -86.3, 15.82, -86.0, 15.92, -85.95, 16.02, -85.45, 15.88,
             -85.0, 15.98, -84.3, 15.82, -83.8, 15.5, -83.4, 15.25, -83.15, 15.0, -83.35, 14.4,
             -83.38, 14.03, -83.55, 13.4, -83.5, 12.7, -83.75, 12.0, -83.65, 11.4, -83.7, 10.93,
             -83.45, 10.5, -83.03, 10.0, -82.6, 9.6, -82.25, 9.35, -82.1, 9.0, -81.75, 9.0,
             -81.45, 9.15, -81.1, 8.8, -80.5, 9.1, -79.9, 9.37, -79.6, 9.6, -78.95, 9.55,
             -78.4, 9.3, -77.9, 8.95, -77.36, 8.68, -77.2, 8.35, -76.9, 7.95, -76.73, 8.1,
             -76.85, 8.6, -76.4, 8.87, -75.85, 9.4, -75.6, 9.45, -75.65, 9.75, -75.55, 10.2,
             -75.55, 10.42, -75.3, 10.8, -74.85, 11.1, -74.5, 10.98, -74.2, 11.25, -73.6, 11.27,
             -72.9, 11.55, -72.45, 11.8, -72.17, 12.2, -71.95, 12.25, -71.67, 12.46, -71.3, 12.3,
             -71.12, 12.08, -71.33, 11.85, -71.95, 11.35, -71.7, 11.0, -71.55, 10.95, -71.2, 11.1,
             -70.7, 11.2, -70.3, 11.55, -70.2, 11.75, -70.28, 11.95, -70.0, 12.2, -69.82, 11.95,
             -69.8, 11.7, -69.75, 11.5, -69.55, 11.48, -68.85, 11.43, -68.3, 10.9, -68.2, 10.55,
             -68.0, 10.48, -67.5, 10.52, -66.93, 10.6, -66.07, 10.6, -66.1, 10.4, -65.3, 10.1,
             -64.7, 10.15, -64.6, 10.25, -64.2, 10.47, -64.25, 10.62, -63.8, 10.68, -63.25, 10.68,
             -62.7, 10.75, -61.87, 10.72, -62.05, 10.62, -62.3, 10.55, -62.55, 10.35, -62.6, 10.1,
             -62.23, 9.98, -61.85, 9.95, -61.4, 9.65, -61.0, 9.2, -60.4, 8.55, -59.8, 8.3,
             -59.3, 7.8, -58.6, 7.3, -58.4, 6.95, -58.16, 6.82, -57.6, 6.4, -57.15, 5.95,
             -56.5, 5.95, -55.9, 5.92, -55.15, 5.95, -54.5, 5.9, -54.0, 5.75, -53.5, 5.6,
             -52.9, 5.3, -52.65, 5.16, -52.33, 4.95, -51.95, 4.68, -51.65, 4.25, -51.5, 4.42,
             -51.2, 4.0, -77.3, 4.0, -77.45, 4.2, -77.55, 5.5, -77.35, 6.2, -77.9, 7.2,
             -78.2, 7.55, -78.45, 8.1, -78.4, 8.35, -78.9, 8.75, -79.1, 9.0, -79.5, 8.95,
             -79.9, 8.6, -80.2, 8.3, -80.42, 7.96, -80.0, 7.47, -80.4, 7.22, -80.9, 7.25,
             -81.0, 7.7, -81.6, 8.0, -82.2, 8.2, -82.88, 8.03, -83.15, 8.45, -83.7, 8.5,
             -83.7, 8.7, -83.85, 9.2, -84.2, 9.45, -84.85, 9.97, -85.1, 9.56, -85.65, 9.9,
             -85.85, 10.3, -85.95, 10.9, -85.85, 11.25, -86.5, 11.8, -87.18, 12.48, -87.65, 12.95,
             -87.8, 13.25, -88.5, 13.18, -89.3, 13.48, -89.83, 13.57, -90.0, 13.74],
            // Lake Nicaragua and Lake Maracaibo (holes).
            [-85.95, 11.95, -85.55, 12.15, -85.05, 11.65, -84.8, 11.1, -85.1, 11.05, -85.7, 11.45],
            [-71.65, 10.5, -71.25, 10.35, -71.1, 9.8, -71.3, 9.2, -71.75, 9.1, -72.0, 9.6, -71.9, 10.2],
            // Florida and the Keys.
            [-82.75, 28.0, -82.65, 27.7, -82.55, 27.35, -82.25, 26.9, -82.05, 26.5, -81.8, 26.1,
             -81.68, 25.85, -81.2, 25.3, -81.1, 25.13, -80.75, 25.2, -80.45, 25.22, -80.35, 25.45,
             -80.15, 25.8, -80.1, 26.3, -80.03, 26.8, -80.15, 27.2, -80.35, 27.6, -80.55, 28.0],
            [-80.45, 25.2, -80.7, 24.93, -81.05, 24.7, -81.45, 24.62, -81.82, 24.54, -81.82, 24.6,
             -81.45, 24.68, -81.05, 24.76, -80.73, 24.97, -80.5, 25.23],
            // Cuba and Isla de la Juventud.
            [-84.95, 21.87, -84.45, 22.05, -84.0, 22.65, -83.7, 22.77, -83.17, 22.95, -82.75, 23.02,
             -82.36, 23.15, -81.58, 23.05, -81.15, 23.2, -80.6, 23.05, -80.1, 22.95, -79.47, 22.52,
             -78.7, 22.3, -78.3, 22.2, -77.7, 21.85, -77.25, 21.62, -76.6, 21.25, -76.13, 21.11,
             -75.65, 20.95, -75.55, 20.75, -74.9, 20.66, -74.5, 20.35, -74.13, 20.24, -74.5, 20.05,
             -75.15, 19.9, -75.85, 19.97, -76.8, 19.95, -77.32, 19.9, -77.73, 19.83, -77.58, 20.05,
             -77.12, 20.35, -77.35, 20.65, -78.0, 20.7, -78.5, 20.95, -78.85, 21.45, -78.85, 21.6,
             -79.55, 21.63, -79.98, 21.75, -80.45, 22.05, -81.05, 22.05, -81.5, 22.1, -81.95, 22.2,
             -82.3, 22.68, -82.9, 22.6, -83.3, 22.35, -83.95, 22.1, -84.4, 21.9],
            [-83.1, 21.9, -82.6, 21.95, -82.55, 21.6, -82.8, 21.45, -83.15, 21.55, -83.2, 21.75],
            // Hispaniola, Gonâve, Tortuga.
            [-74.45, 18.35, -74.42, 18.56, -74.12, 18.65, -73.5, 18.52, -73.09, 18.45, -72.63, 18.51,
             -72.34, 18.55, -72.52, 18.77, -72.7, 19.1, -72.69, 19.45, -73.05, 19.63, -73.45, 19.82,
             -73.2, 19.9, -72.83, 19.94, -72.5, 19.9, -72.2, 19.78, -71.83, 19.7, -71.65, 19.87,
             -70.95, 19.9, -70.69, 19.8, -70.08, 19.65, -69.93, 19.67, -69.85, 19.38, -69.53, 19.33,
             -69.12, 19.3, -69.33, 19.18, -69.9, 19.12, -69.39, 19.06, -69.05, 18.98, -68.75, 18.85,
             -68.33, 18.61, -68.37, 18.45, -68.7, 18.33, -68.97, 18.42, -69.3, 18.45, -69.9, 18.45,
             -70.15, 18.25, -70.55, 18.2, -70.7, 18.35, -71.1, 18.2, -71.2, 17.95, -71.42, 17.6,
             -71.65, 17.75, -71.75, 18.05, -72.32, 18.23, -72.53, 18.23, -73.0, 18.2, -73.4, 18.28,
             -73.75, 18.17, -73.92, 18.05, -74.25, 18.25],
            [-73.3, 18.85, -73.0, 18.95, -72.8, 18.83, -73.05, 18.73],
            [-72.95, 20.05, -72.65, 20.07, -72.65, 20.02, -72.9, 20.0],
            // Jamaica.
            [-78.37, 18.3, -78.0, 18.5, -77.5, 18.5, -77.0, 18.42, -76.7, 18.3, -76.45, 18.2,
             -76.2, 17.95, -76.5, 17.88, -76.8, 17.92, -77.15, 17.72, -77.45, 17.85, -77.8, 17.9,
             -78.05, 18.15, -78.35, 18.2],
            // Puerto Rico, Vieques, Culebra.
            [-67.27, 18.37, -67.1, 18.52, -66.5, 18.48, -66.1, 18.47, -65.62, 18.37, -65.6, 18.2,
             -65.85, 18.0, -66.3, 17.95, -66.6, 17.97, -67.2, 17.95, -67.2, 18.15],
            [-65.58, 18.15, -65.28, 18.15, -65.3, 18.08, -65.55, 18.08],
            [-65.33, 18.34, -65.25, 18.34, -65.25, 18.29, -65.33, 18.29],
            // Bahamas: Grand Bahama, Abaco, Andros, New Providence, Eleuthera, Cat, Exuma,
            // Long Island, San Salvador, Crooked/Acklins, Mayaguana, Great Inagua.
            [-78.98, 26.7, -78.6, 26.73, -78.2, 26.72, -77.85, 26.62, -78.1, 26.6, -78.5, 26.5,
             -78.8, 26.53, -78.98, 26.65],
            [-77.95, 26.92, -77.5, 26.92, -77.05, 26.55, -76.98, 26.2, -77.18, 25.85, -77.4, 26.02,
             -77.3, 26.4, -77.6, 26.8, -77.95, 26.85],
            [-78.2, 25.2, -77.85, 25.15, -77.7, 24.7, -77.55, 24.3, -77.6, 24.0, -77.75, 23.75,
             -78.0, 23.8, -78.3, 24.2, -78.4, 24.6, -78.3, 25.0],
            [-77.55, 25.07, -77.3, 25.09, -77.25, 25.03, -77.5, 24.99],
            [-76.78, 25.45, -76.6, 25.45, -76.3, 25.3, -76.15, 25.05, -76.1, 24.75, -76.15, 24.6,
             -76.25, 24.8, -76.3, 25.1, -76.45, 25.3, -76.75, 25.38],
            [-75.75, 24.65, -75.6, 24.65, -75.45, 24.3, -75.3, 24.15, -75.4, 24.12, -75.6, 24.35],
            [-76.0, 23.7, -75.85, 23.65, -75.6, 23.45, -75.65, 23.4, -75.95, 23.6],
            [-75.32, 23.62, -75.2, 23.62, -75.0, 23.15, -74.84, 22.88, -74.95, 22.85, -75.15, 23.2,
             -75.3, 23.45],
            [-74.55, 24.12, -74.45, 24.12, -74.45, 23.95, -74.55, 23.98],
            [-74.35, 22.8, -74.0, 22.85, -73.85, 22.6, -73.9, 22.35, -74.1, 22.2, -74.25, 22.45],
            [-73.15, 22.45, -72.75, 22.4, -72.75, 22.3, -73.1, 22.35],
            [-73.7, 21.1, -73.4, 21.22, -73.05, 21.15, -73.0, 20.95, -73.35, 20.92, -73.7, 20.95],
            // Turks and Caicos.
            [-72.45, 21.78, -72.2, 21.86, -71.85, 21.9, -71.6, 21.85, -71.5, 21.7, -71.8, 21.62,
             -72.1, 21.72],
            [-71.18, 21.53, -71.11, 21.53, -71.11, 21.41, -71.16, 21.41],
            // Cayman Islands.
            [-81.42, 19.38, -81.1, 19.36, -81.08, 19.29, -81.4, 19.27],
            [-79.9, 19.7, -79.72, 19.76, -79.72, 19.72, -79.88, 19.67],
            [-80.12, 19.66, -79.97, 19.7, -79.96, 19.67, -80.1, 19.64],
            // Yucatán/Honduras offshore: Cozumel, Roatán; Venezuela: Margarita.
            [-87.0, 20.6, -86.8, 20.55, -86.73, 20.3, -86.95, 20.35],
            [-86.6, 16.3, -86.25, 16.45, -86.25, 16.4, -86.55, 16.27],
            [-64.4, 11.0, -64.2, 11.1, -63.85, 11.15, -63.8, 10.95, -64.0, 10.9, -64.4, 10.9],
            // Virgin Islands.
            [-65.03, 18.37, -64.85, 18.37, -64.83, 18.31, -65.0, 18.31],
            [-64.8, 18.36, -64.68, 18.36, -64.68, 18.31, -64.78, 18.31],
            [-64.7, 18.45, -64.55, 18.47, -64.55, 18.42, -64.68, 18.4],
            [-64.45, 18.52, -64.35, 18.52, -64.4, 18.45, -64.45, 18.45],
            [-64.42, 18.75, -64.27, 18.77, -64.27, 18.72, -64.4, 18.72],
            [-64.9, 17.75, -64.57, 17.78, -64.57, 17.74, -64.75, 17.68, -64.88, 17.68],
            // Anguilla, St Martin, St Barthélemy, Saba, St Eustatius.
            [-63.17, 18.17, -63.0, 18.27, -62.97, 18.25, -63.12, 18.16],
            [-63.15, 18.07, -63.0, 18.12, -62.98, 18.03, -63.1, 18.02],
            [-62.88, 17.92, -62.79, 17.92, -62.8, 17.87, -62.88, 17.88],
            [-63.26, 17.65, -63.22, 17.65, -63.22, 17.61, -63.26, 17.61],
            [-63.0, 17.51, -62.95, 17.51, -62.95, 17.47, -63.0, 17.47],
            // St Kitts, Nevis, Antigua, Barbuda, Montserrat.
            [-62.87, 17.38, -62.8, 17.42, -62.69, 17.3, -62.6, 17.2, -62.65, 17.19, -62.78, 17.29],
            [-62.64, 17.2, -62.55, 17.19, -62.55, 17.1, -62.63, 17.1],
            [-61.9, 17.15, -61.75, 17.17, -61.67, 17.1, -61.7, 17.02, -61.88, 17.0],
            [-61.88, 17.7, -61.75, 17.72, -61.73, 17.55, -61.85, 17.58],
            [-62.24, 16.81, -62.15, 16.81, -62.14, 16.68, -62.22, 16.69],
            // Guadeloupe and Marie-Galante.
            [-61.8, 16.33, -61.72, 16.37, -61.55, 16.3, -61.5, 16.52, -61.4, 16.47, -61.2, 16.26,
             -61.4, 16.2, -61.55, 16.22, -61.57, 16.0, -61.7, 15.95, -61.8, 16.1],
            [-61.33, 15.99, -61.2, 16.0, -61.2, 15.88, -61.3, 15.87],
            // Dominica, Martinique, St Lucia, St Vincent, Barbados, Grenada, Carriacou.
            [-61.48, 15.62, -61.33, 15.64, -61.25, 15.45, -61.25, 15.25, -61.37, 15.2, -61.45, 15.35],
            [-61.23, 14.8, -61.17, 14.88, -60.95, 14.77, -60.87, 14.7, -60.82, 14.45, -60.88, 14.39,
             -61.05, 14.45, -61.08, 14.55, -61.2, 14.6],
            [-60.95, 14.11, -60.88, 13.95, -60.9, 13.75, -60.95, 13.71, -61.08, 13.85, -61.03, 14.05],
            [-61.2, 13.38, -61.12, 13.35, -61.12, 13.17, -61.2, 13.13, -61.28, 13.2, -61.26, 13.33],
            [-59.65, 13.32, -59.6, 13.34, -59.43, 13.17, -59.52, 13.05, -59.62, 13.07],
            [-61.8, 12.08, -61.7, 12.23, -61.6, 12.22, -61.6, 12.05, -61.75, 11.99],
            [-61.48, 12.5, -61.43, 12.53, -61.42, 12.45, -61.47, 12.45],
            // Trinidad and Tobago.
            [-61.9, 10.72, -61.65, 10.72, -61.2, 10.8, -60.92, 10.83, -61.0, 10.5, -60.98, 10.15,
             -61.4, 10.05, -61.92, 10.05, -61.6, 10.15, -61.47, 10.3, -61.45, 10.5, -61.55, 10.65],
            [-60.85, 11.15, -60.75, 11.15, -60.5, 11.3, -60.52, 11.35, -60.8, 11.25],
            // Aruba, Curaçao, Bonaire.
            [-70.07, 12.6, -70.02, 12.63, -69.87, 12.45, -69.9, 12.41, -70.05, 12.52],
            [-69.16, 12.38, -69.08, 12.38, -68.85, 12.18, -68.74, 12.05, -68.8, 12.04, -69.0, 12.2,
             -69.15, 12.3],
            [-68.42, 12.25, -68.35, 12.31, -68.2, 12.2, -68.25, 12.1, -68.28, 12.03, -68.3, 12.15,
             -68.38, 12.2],
        ]

        /// Bermuda's main island chain (drawn in the inset).
        static let bermuda: [Double] = [
            -64.675, 32.39, -64.645, 32.37, -64.665, 32.345, -64.70, 32.325, -64.74, 32.30,
            -64.78, 32.272, -64.82, 32.25, -64.85, 32.242, -64.875, 32.252, -64.888, 32.27,
            -64.872, 32.292, -64.85, 32.315, -64.835, 32.33, -64.842, 32.312, -64.86, 32.29,
            -64.858, 32.272, -64.84, 32.262, -64.82, 32.268, -64.80, 32.282, -64.79, 32.292,
            -64.812, 32.308, -64.78, 32.305, -64.75, 32.318, -64.725, 32.335, -64.705, 32.355,
            -64.69, 32.375,
        ]
    }
}
