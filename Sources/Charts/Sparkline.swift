import Foundation

/// Sparkline renderer (see `Charts.sparkline`).
enum Sparkline {
    static func render(_ input: [(x: Double, y: Double?)], label: String, width: Double, height: Double) -> String {
        let w = min(max(width.isFinite ? width : 120, 10), 2000)
        let h = min(max(height.isFinite ? height : 28, 6), 1000)
        let name = Fmt.xml(label)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Fmt.coord(w)) \(Fmt.coord(h))\""
        s += " width=\"\(Fmt.coord(w))\" height=\"\(Fmt.coord(h))\" role=\"img\" aria-label=\"\(name)\" class=\"sparkline\">"
        let pts = input.filter { $0.x.isFinite }
            .map { p -> (x: Double, y: Double?) in (x: p.x, y: p.y.flatMap { $0.isFinite ? $0 : nil }) }
            .enumerated().sorted { $0.element.x != $1.element.x ? $0.element.x < $1.element.x : $0.offset < $1.offset }
            .map(\.element)
        let valued = pts.compactMap { p in p.y.map { (x: p.x, y: $0) } }
        guard let last = valued.last, let xMin = valued.map(\.x).min(), let xMax = valued.map(\.x).max(),
              let yMin = valued.map(\.y).min(), let yMax = valued.map(\.y).max() else {
            return s + "</svg>"
        }
        let m = 3.0  // room for the end marker
        func sx(_ x: Double) -> Double { xMax > xMin ? m + (x - xMin) / (xMax - xMin) * (w - 2 * m) : w / 2 }
        func sy(_ y: Double) -> Double { yMax > yMin ? h - m - (y - yMin) / (yMax - yMin) * (h - 2 * m) : h / 2 }
        var runs: [[(x: Double, y: Double)]] = [[]]
        for p in pts {
            if let v = p.y { runs[runs.count - 1].append((x: sx(p.x), y: sy(v))) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        let d = SVGWriter.pathData(runs.filter { $0.count > 1 })
        if !d.isEmpty { s += "<path d=\"\(d)\"/>" }
        s += "<circle cx=\"\(Fmt.coord(sx(last.x)))\" cy=\"\(Fmt.coord(sy(last.y)))\" r=\"2\"/>"
        return s + "</svg>"
    }
}
