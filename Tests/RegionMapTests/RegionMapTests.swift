import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import RegionMap

final class RegionMapTests: XCTestCase {
    let map = RegionMap()

    private func render(_ markers: [MapMarker], legend: [MapLegendEntry] = [], labels: Bool = true,
                        prefix: String = "map") -> String {
        map.svg(markers: markers, title: "Caribbean", description: "Capitals of the Caribbean",
                legendTitle: legend.isEmpty ? nil : "Population", legend: legend,
                labels: labels, idPrefix: prefix)
    }

    private func assertParses(_ svg: String, file: StaticString = #filePath, line: UInt = #line) {
        let parser = XMLParser(data: Data(svg.utf8))
        let ok = parser.parse()
        XCTAssertTrue(ok, "XML parse error: \(String(describing: parser.parserError))", file: file, line: line)
    }

    private func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }

    func testProjectionIsMonotonic() {
        for lat in stride(from: 5.0, through: 27.0, by: 2.0) {
            var lastX = -Double.infinity
            for lon in stride(from: -89.0, through: -52.0, by: 1.5) {
                let x = map.project(latitude: lat, longitude: lon).x
                XCTAssertGreaterThan(x, lastX, "west must give smaller x (lat \(lat), lon \(lon))")
                lastX = x
            }
        }
        for lon in stride(from: -89.0, through: -52.0, by: 3.0) {
            var lastY = -Double.infinity
            for lat in stride(from: 27.5, through: 4.5, by: -1.0) {
                let y = map.project(latitude: lat, longitude: lon).y
                XCTAssertGreaterThan(y, lastY, "north must give smaller y (lat \(lat), lon \(lon))")
                lastY = y
            }
        }
        // Height follows from the projection: about 647 for width 1000.
        XCTAssertEqual(map.height, 647, accuracy: 2)
        XCTAssertEqual(RegionMap(width: 500).height, map.height / 2, accuracy: 0.01)
    }

    func testBermudaLandsInInset() {
        let p = map.project(latitude: 32.29, longitude: -64.78)
        let f = map.insetFrame
        XCTAssertTrue(f.contains(p.x, p.y), "Bermuda \(p) should be inside inset \(f)")
        XCTAssertGreaterThan(f.x0, map.width * 0.75, "inset should be at the right")
        XCTAssertLessThan(f.y1, map.height * 0.25, "inset should be at the top")
        let svg = render([MapMarker(id: "bm", label: "Bermuda", latitude: 32.29, longitude: -64.78)])
        XCTAssertTrue(svg.contains("class=\"inset\""))
        XCTAssertTrue(svg.contains("id=\"map-bm\""))
        XCTAssertFalse(svg.contains("class=\"marker-label\""), "inset caption already names Bermuda")
        // No main-map land point falls inside the inset frame.
        for lat in stride(from: 4.0, through: 28.0, by: 0.5) {
            for lon in stride(from: -90.0, through: -51.0, by: 0.5) {
                let q = map.project(latitude: lat, longitude: lon)
                if f.contains(q.x, q.y) { XCTAssertGreaterThan(lon, -60, "land-free corner only") }
            }
        }
    }

    func testAllCapitalsInsideViewBox() {
        XCTAssertEqual(capitals.count, 33)
        for c in capitals {
            let p = map.project(latitude: c.2, longitude: c.3)
            XCTAssertTrue(p.x >= 6 && p.x <= map.width - 6 && p.y >= 6 && p.y <= map.height - 6,
                          "\(c.0) at \(p) outside viewBox")
        }
        let svg = render(capitalMarkers())
        XCTAssertEqual(matches("<circle class=\"marker", in: svg).count, 33)
        XCTAssertEqual(matches("<text class=\"marker-label\"", in: svg).count, 32) // Bermuda named by inset
        assertParses(svg)
    }

    func testEscaping() {
        let evil = "<script>alert('x')</script>&\"'"
        let m = MapMarker(id: "x\"><script>", label: evil, latitude: 18, longitude: -77,
                          href: "/c?a=1&b=\"2\"<'", title: evil)
        let svg = map.svg(markers: [m], title: evil, description: evil,
                          legendTitle: evil, legend: [MapLegendEntry(label: evil)], idPrefix: "p\"<>")
        XCTAssertFalse(svg.contains("<script"))
        XCTAssertTrue(svg.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;&quot;&apos;"))
        XCTAssertTrue(svg.contains("href=\"/c?a=1&amp;b=&quot;2&quot;&lt;&apos;\""))
        XCTAssertEqual(RegionMap.escapeXML("a\u{0}b\u{1B}c\u{FFFF}"), "abc")
        XCTAssertEqual(RegionMap.sanitizeID("9 é\"x", fallback: "f"), "m9---x")
        assertParses(svg)
    }

    func testHrefWrapping() {
        let linked = MapMarker(id: "jm", label: "Jamaica", latitude: 18.02, longitude: -76.8,
                               href: "/countries/jm", title: "Jamaica — 2.8 million")
        let plain = MapMarker(id: "cu", label: "Cuba", latitude: 23.13, longitude: -82.38)
        let svg = render([linked, plain])
        XCTAssertTrue(svg.contains("<a href=\"/countries/jm\" aria-label=\"Jamaica\"><g id=\"map-jm\"><title>Jamaica — 2.8 million</title>"))
        XCTAssertEqual(matches("<a ", in: svg).count, 1)
        XCTAssertTrue(svg.contains("<g id=\"map-cu\"><title>Cuba</title>"), "title defaults to label")
        XCTAssertFalse(svg.contains("xlink"), "SVG2 href only")
        assertParses(svg)
    }

    func testLegendAndValueClasses() {
        let legend = ["low", "mid", "high"].map { MapLegendEntry(label: $0) }
        var markers = capitalMarkers(links: false)
        markers[0].valueClass = 2
        markers[1].valueClass = 0
        markers[2].valueClass = 99
        markers[3].valueClass = -1
        let svg = render(markers, legend: legend, labels: false)
        for n in 0..<3 { XCTAssertTrue(svg.contains("class=\"swatch v\(n)\""), "swatch v\(n)") }
        XCTAssertFalse(svg.contains("swatch v3"))
        XCTAssertTrue(svg.contains("<g class=\"legend\">"))
        XCTAssertTrue(svg.contains(">Population</text>"))
        XCTAssertEqual(matches("class=\"marker v2\"", in: svg).count, 1)
        XCTAssertEqual(matches("class=\"marker v0\"", in: svg).count, 1)
        XCTAssertFalse(svg.contains("v99") || svg.contains("v-1"))
        XCTAssertFalse(svg.contains("marker-label"), "labels: false")
        XCTAssertFalse(render(markers).contains("class=\"legend\""), "no legend without entries")
        assertParses(svg)
    }

    func testOutputSizeAndHygiene() {
        let linked = render(capitalMarkers())
        let stats = render(capitalMarkers(links: false, classes: true),
                           legend: (0..<7).map { MapLegendEntry(label: "class \($0)") })
        for svg in [linked, stats] {
            XCTAssertLessThan(svg.utf8.count, 25_000)
            XCTAssertFalse(svg.contains("style"), "no inline styles")
            XCTAssertFalse(svg.contains("<script"))
            XCTAssertEqual(matches("http", in: svg).count, 1, "only the xmlns URI")
            XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1000 647.1\" role=\"img\" aria-labelledby=\"map-title map-desc\" class=\"region-map\">"))
            XCTAssertTrue(svg.contains("<title id=\"map-title\">Caribbean</title><desc id=\"map-desc\">"))
            // Numbers: at most one decimal, no "-0", no comma decimals.
            XCTAssertTrue(matches("\\d\\.\\d\\d", in: svg).isEmpty)
            XCTAssertTrue(matches("-0(?![.\\d])|-\\.?0(?=[\\s\"a-z])", in: svg).isEmpty)
            assertParses(svg)
        }
        XCTAssertEqual(linked, render(capitalMarkers()), "deterministic")
    }

    func testNumberFormatting() {
        XCTAssertEqual(RegionMap.formatNumber(0), "0")
        XCTAssertEqual(RegionMap.formatNumber(-0.04), "0")
        XCTAssertEqual(RegionMap.formatNumber(-0.0), "0")
        XCTAssertEqual(RegionMap.formatNumber(-0.06), "-0.1")
        XCTAssertEqual(RegionMap.formatNumber(12.0), "12")
        XCTAssertEqual(RegionMap.formatNumber(12.34), "12.3")
        XCTAssertEqual(RegionMap.formatNumber(1234.56), "1234.6")
        XCTAssertEqual(RegionMap.formatNumber(.nan), "0")
        XCTAssertEqual(RegionMap.formatNumber(.infinity), "0")
        XCTAssertEqual(RegionMap.formatTenths(-5, dropLeadingZero: true), "-.5")
    }

    func testIDPrefixAndBadInput() {
        let svg = map.svg(markers: [MapMarker(id: "", label: "", latitude: .nan, longitude: 0),
                                    MapMarker(id: "far", label: "Far away", latitude: 50, longitude: 10),
                                    MapMarker(id: "jm", label: "Jamaica", latitude: 18, longitude: -76.8),
                                    MapMarker(id: "jm", label: "Jamaica again", latitude: 18, longitude: -76.8)],
                          title: "t", description: "d", idPrefix: "stats map")
        XCTAssertTrue(svg.contains("aria-labelledby=\"stats-map-title stats-map-desc\""))
        XCTAssertEqual(matches("<circle class=\"marker", in: svg).count, 2, "invalid/outside markers skipped")
        XCTAssertEqual(matches("id=\"stats-map-jm", in: svg).count, 2)
        XCTAssertEqual(Set(matches("id=\"([^\"]+)\"", in: svg).map { $0[1] }).count,
                       matches("id=\"([^\"]+)\"", in: svg).count, "ids unique")
        assertParses(svg)
        assertParses(RegionMap(width: .nan).svg(markers: [], title: "", description: ""))
    }

    /// Visible labels of the 33 capitals must not overlap each other or other markers much.
    func testLabelsDoNotOverlap() {
        let svg = render(capitalMarkers())
        let circles = matches("<circle class=\"marker[^\"]*\" cx=\"([-\\d.]+)\" cy=\"([-\\d.]+)\"", in: svg)
            .map { (Double($0[1]) ?? 0, Double($0[2]) ?? 0) }
        let texts = matches("<text class=\"marker-label\" x=\"([-\\d.]+)\" y=\"([-\\d.]+)\"( text-anchor=\"(\\w+)\")?>([^<]*)</text>", in: svg)
        XCTAssertEqual(texts.count, 32)
        let boxes: [RegionMap.MapBox] = texts.map { t in
            let x = Double(t[1]) ?? 0, y = Double(t[2]) ?? 0
            let text = t[5].replacingOccurrences(of: "&amp;", with: "&")
            let w = RegionMap.textWidth(text, fontSize: 11)
            let x0 = t[4] == "end" ? x - w : t[4] == "middle" ? x - w / 2 : x
            return RegionMap.MapBox(x0: x0, y0: y - 8.5, x1: x0 + w, y1: y + 2.5)
        }
        for i in boxes.indices {
            XCTAssertTrue(boxes[i].x0 >= 0 && boxes[i].x1 <= map.width, "label \(texts[i][5]) inside")
            for j in boxes.indices where j > i {
                XCTAssertLessThan(boxes[i].overlap(boxes[j]), 8, "\(texts[i][5]) vs \(texts[j][5])")
            }
            for c in circles {
                let cb = RegionMap.MapBox(x0: c.0 - 5, y0: c.1 - 5, x1: c.0 + 5, y1: c.1 + 5)
                XCTAssertLessThan(boxes[i].overlap(cb), 8, "\(texts[i][5]) covers a marker at \(c)")
            }
        }
    }
}
