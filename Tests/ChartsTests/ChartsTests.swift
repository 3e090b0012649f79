import Foundation
import XCTest
@testable import Charts

// MARK: - Fixtures and helpers

private let en = Locale(identifier: "en")

/// Deterministic made-up series.
private func series(_ id: String, _ label: String, years: ClosedRange<Int>, base: Double, gapAt: Set<Int> = []) -> ChartSeries {
    ChartSeries(id: id, label: label, points: years.map { year in
        let t = Double(year - years.lowerBound)
        let y: Double? = gapAt.contains(year) ? nil : ((base + t * 0.4 + sin(t) * 1.3) * 10).rounded() / 10
        return (x: Double(year), y: y)
    })
}

private let threeCountries = [
    series("JAM", "Jamaica", years: 2000...2024, base: 13),
    series("HTI", "Haiti", years: 2000...2024, base: 15, gapAt: [2010]),
    series("HND", "Honduras", years: 2000...2024, base: 9, gapAt: [2000, 2001]),
]

private let basicText = ChartText(title: "Remittances", subtitle: "Made-up values", yLabel: "Remittances",
                                  unit: "%", source: "Source: test", description: "Test chart")

private func viewBox(_ root: XNode) -> (w: Double, h: Double) {
    let parts = (root["viewBox"] ?? "").split(separator: " ").compactMap { Double($0) }
    return parts.count == 4 ? (parts[2], parts[3]) : (0, 0)
}

/// Numbers in a tick label ("1,500", "1.5 B") back to a Double (English locale).
private func tickValue(_ label: String) -> Double? {
    var s = label.replacingOccurrences(of: ",", with: "")
    var factor = 1.0
    for (suffix, f) in [("\u{A0}K", 1e3), ("\u{A0}M", 1e6), ("\u{A0}B", 1e9), ("\u{A0}T", 1e12)] where s.hasSuffix(suffix) {
        s = String(s.dropLast(suffix.count))
        factor = f
    }
    return Double(s).map { $0 * factor }
}

/// y tick labels of a line chart (the tick group anchored at the end).
private func yTickLabels(_ root: XNode) -> [String] {
    root.elements("g").first { $0.classes.contains("tick") && $0["text-anchor"] == "end" }?
        .elements("text").map(\.textContent) ?? []
}

/// Every numeric token of the geometry attributes.
private let geometryAttributes = ["x", "y", "cx", "cy", "r", "width", "height", "d", "viewBox", "font-size"]

final class ChartsTests: XCTestCase {

    // MARK: Structure and accessibility

    func testLineChartRootAttributesAndAccessibleNames() throws {
        let svg = Charts.line(threeCountries, text: basicText, style: ChartStyle(idPrefix: "rem"))
        let root = try parseXML(svg)
        XCTAssertEqual(root.name, "svg")
        XCTAssertEqual(root["xmlns"], "http://www.w3.org/2000/svg")
        XCTAssertEqual(root["role"], "img")
        XCTAssertEqual(root["aria-labelledby"], "rem-title rem-desc")
        XCTAssertEqual(root["class"], "chart chart-line")
        XCTAssertTrue(root["viewBox"]?.hasPrefix("0 0 720 ") ?? false)
        XCTAssertNil(root["width"], "main charts scale with their container")
        let title = root.children.first { $0.name == "title" }
        let desc = root.children.first { $0.name == "desc" }
        XCTAssertEqual(title?["id"], "rem-title")
        XCTAssertEqual(title?.text, "Remittances")
        XCTAssertEqual(desc?["id"], "rem-desc")
        XCTAssertEqual(desc?.text, "Test chart")
        // Unit in the y label, source under the chart, legend with all series.
        XCTAssertTrue(root.elements("text").contains { $0.textContent == "Remittances (%)" })
        let source = root.elements("text").first { $0.classes.contains("source") }
        XCTAssertEqual(source?.textContent, "Source: test")
        let legend = root.elements("g").first { $0.classes.contains("legend") }
        XCTAssertEqual(legend?.elements("text").map(\.textContent), ["Jamaica", "Haiti", "Honduras"])
        let sourceY = Double(source?["y"] ?? "") ?? 0
        let maxPointY = root.elements("circle").compactMap { Double($0["cy"] ?? "") }.max() ?? .infinity
        XCTAssertGreaterThan(sourceY, maxPointY)
    }

    func testClassesForStyling() throws {
        let root = try parseXML(Charts.line(threeCountries, text: basicText))
        let classes = Set(root.all.flatMap(\.classes))
        for c in ["axis", "grid", "tick", "series", "s0", "s1", "s2", "legend", "source", "title", "subtitle", "key"] {
            XCTAssertTrue(classes.contains(c), "missing class \(c)")
        }
        let bars = try parseXML(Charts.bars([BarItem(label: "A", value: 1), BarItem(label: "B", value: -2)], text: basicText))
        let barClasses = Set(bars.all.flatMap(\.classes))
        for c in ["bar", "value", "zero", "source"] { XCTAssertTrue(barClasses.contains(c), "missing class \(c)") }
    }

    func testNoInlineStylesScriptsOrExternalReferences() {
        let outputs = [
            Charts.line(threeCountries, text: basicText),
            Charts.bars([BarItem(label: "A", value: 3)], text: basicText),
            Charts.stackedBars([BarItem(label: "A", segments: [("f", 1), ("m", 2)])],
                               seriesLabels: [("f", "Female"), ("m", "Male")], text: basicText),
            Charts.sparkline([(x: 1, y: 2), (x: 2, y: 3)], label: "Trend"),
            Charts.line([], text: basicText),
        ]
        for svg in outputs {
            for bad in ["style=", "<style", "<script", "href", "url(", "javascript:", "<image", "<foreignObject", "fill=\"#", "stroke=\""] {
                XCTAssertFalse(svg.contains(bad), "found \(bad)")
            }
        }
    }

    func testEmbeddedStylesheetOption() throws {
        let svg = Charts.line(threeCountries, text: basicText, style: ChartStyle(embedStylesheet: true))
        let root = try parseXML(svg)
        let style = root.elements("style").first
        XCTAssertNotNil(style)
        XCTAssertTrue(style?.text.contains(".chart .s0") ?? false)
    }

    // MARK: Line chart points

    func testPointMarkersCarryDataAndTooltips() throws {
        let root = try parseXML(Charts.line(threeCountries, text: basicText))
        let circles = root.elements("circle").filter { $0["data-x"] != nil }
        let expected = threeCountries.reduce(0) { $0 + $1.points.filter { $0.y != nil }.count }
        XCTAssertEqual(circles.count, expected)
        XCTAssertEqual(expected, 25 + 24 + 23)

        // Every (series, x, y) of the input appears exactly once.
        var seen: [String: Int] = [:]
        for c in circles {
            let group = try XCTUnwrap(c.ancestor(withClass: "series"))
            let index = try XCTUnwrap(group.classes.first { $0.hasPrefix("s") && Int($0.dropFirst()) != nil })
            seen["\(index)|\(c["data-x"]!)|\(c["data-y"]!)", default: 0] += 1
        }
        for (i, s) in threeCountries.enumerated() {
            for p in s.points {
                guard let y = p.y else { continue }
                XCTAssertEqual(seen["s\(i)|\(Int(p.x))|\(Fmt.raw(y))"], 1, "\(s.label) \(p.x)")
            }
        }

        // Tooltip text: "Jamaica, 2019: 17.9 %".
        let jamaica2019 = threeCountries[0].points.first { $0.x == 2019 }!.y!
        let tip = circles.first { $0.ancestor(withClass: "s0") != nil && $0["data-x"] == "2019" }?.titleText
        XCTAssertEqual(tip, "Jamaica, 2019: \(Charts.format(jamaica2019, decimals: 1, locale: en)) %")
        XCTAssertEqual(Charts.line([ChartSeries(id: "j", label: "Jamaica", points: [(x: 2019, y: 17.9), (x: 2020, y: 18)])],
                                   text: basicText).contains("<title>Jamaica, 2019: 17.9 %</title>"), true)
    }

    func testMarkerPositionsFollowScales() throws {
        let root = try parseXML(Charts.line(threeCountries, text: basicText))
        let circles = root.elements("circle").filter { $0["data-x"] != nil }
        // cx increases with x and cy decreases with y, linearly.
        let pts = circles.map { (x: Double($0["data-x"]!)!, y: Double($0["data-y"]!)!, cx: Double($0["cx"]!)!, cy: Double($0["cy"]!)!) }
        let a = pts.min { $0.x < $1.x }!, b = pts.max { $0.x < $1.x }!
        for p in pts {
            let expectedX = a.cx + (p.x - a.x) / (b.x - a.x) * (b.cx - a.cx)
            XCTAssertEqual(p.cx, expectedX, accuracy: 0.11)
        }
        let lo = pts.min { $0.y < $1.y }!, hi = pts.max { $0.y < $1.y }!
        XCTAssertGreaterThan(lo.cy, hi.cy)
        for p in pts {
            let expectedY = lo.cy + (p.y - lo.y) / (hi.y - lo.y) * (hi.cy - lo.cy)
            XCTAssertEqual(p.cy, expectedY, accuracy: 0.15)
        }
    }

    func testGapsSplitTheLine() throws {
        let root = try parseXML(Charts.line([threeCountries[1]], text: basicText))
        let d = try XCTUnwrap(root.elements("path").first { $0.parent?.classes.contains("series") ?? false }?["d"])
        XCTAssertEqual(d.filter { $0 == "M" }.count, 2, "one gap → two sub-paths")
    }

    func testManyPointsUseInvisibleHoverTargetsAndIsolatedPointsStayVisible() throws {
        var pts: [(x: Double, y: Double?)] = (1950...2024).map { (x: Double($0), y: Double($0 - 1940)) }
        pts[10].y = nil
        pts[12].y = nil  // 1961 is now alone between two gaps
        let root = try parseXML(Charts.line([ChartSeries(id: "a", label: "A", points: pts)], text: basicText))
        let group = try XCTUnwrap(root.elements("g").first { $0.classes.contains("series") })
        XCTAssertTrue(group.classes.contains("hits"))
        let circles = group.elements("circle")
        XCTAssertEqual(circles.count, 73)
        XCTAssertEqual(circles.filter { $0.classes.contains("dot") }.map { $0["data-x"] }, ["1961"])
        XCTAssertTrue(circles.allSatisfy { $0.titleText != nil })
    }

    func testFewPointsGetVisibleMarkers() throws {
        let root = try parseXML(Charts.line(threeCountries, text: basicText))
        XCTAssertFalse(root.elements("g").contains { $0.classes.contains("hits") })
    }

    func testPointTitlesCanBeTurnedOff() throws {
        let root = try parseXML(Charts.line(threeCountries, text: basicText, style: ChartStyle(pointTitles: false)))
        let circles = root.elements("circle")
        XCTAssertEqual(circles.count, 72)
        XCTAssertTrue(circles.allSatisfy { $0.titleText == nil && $0["data-y"] != nil })
    }

    // MARK: Ticks

    func testNiceTicksAreOneTwoFiveStepsCoveringTheData() {
        var seed: UInt64 = 42
        func random() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for _ in 0..<2000 {
            let magnitude = pow(10, (random() * 16).rounded() - 6)
            var a = (random() * 2 - 0.6) * magnitude, b = (random() * 2 - 0.6) * magnitude
            if random() < 0.1 { b = a }
            if a > b { swap(&a, &b) }
            let maxCount = 3 + Int(random() * 6)
            let t = Ticks.nice(lo: a, hi: b, maxCount: maxCount)
            XCTAssertTrue([1, 2, 5].contains(t.mantissa))
            XCTAssertGreaterThanOrEqual(t.values.count, 2)
            XCTAssertLessThanOrEqual(t.values.count, maxCount)
            let tol = t.step * 1e-6
            XCTAssertLessThanOrEqual(t.lo, a + tol, "\(a)…\(b)")
            XCTAssertGreaterThanOrEqual(t.hi, b - tol, "\(a)…\(b)")
            for (u, v) in zip(t.values, t.values.dropFirst()) {
                XCTAssertEqual(v - u, t.step, accuracy: tol)
            }
            // Ticks are exact multiples of the step and print without float noise.
            for v in t.values {
                XCTAssertEqual((v / t.step).rounded() * t.step, v, accuracy: tol)
                XCTAssertLessThanOrEqual("\(v)".count, 24, "\(v)")
            }
        }
    }

    func testValueDomainStartsAtZeroUnlessFarFromIt() {
        XCTAssertEqual(Ticks.valueDomain([9, 26]).lo, 0)
        XCTAssertEqual(Ticks.valueDomain([95, 105]).lo, 95)
        XCTAssertEqual(Ticks.valueDomain([-26, -9]).hi, 0)
        XCTAssertEqual(Ticks.valueDomain([-105, -95]).hi, -95)
        XCTAssertEqual(Ticks.valueDomain([-3, 5]).lo, -3)
        XCTAssertEqual(Ticks.valueDomain([7, 7]).lo, 0)
    }

    func testRenderedYTicksAreNiceAndCoverTheData() throws {
        let cases: [[ChartSeries]] = [
            threeCountries,
            [ChartSeries(id: "a", label: "A", points: [(x: 2000, y: 95.3), (x: 2001, y: 101.2), (x: 2002, y: 104.9)])],
            [ChartSeries(id: "a", label: "A", points: [(x: 2000, y: -4.2), (x: 2001, y: 2.5), (x: 2002, y: -0.3)])],
            [ChartSeries(id: "a", label: "A", points: [(x: 2000, y: 0.012), (x: 2001, y: 0.034)])],
            [ChartSeries(id: "a", label: "A", points: [(x: 2000, y: 1.2e9), (x: 2001, y: 1.43e10)])],
        ]
        for input in cases {
            let values = input.flatMap { $0.points.compactMap(\.y) }
            let root = try parseXML(Charts.line(input, text: basicText))
            let labels = yTickLabels(root)
            let ticks = labels.compactMap(tickValue)
            XCTAssertEqual(ticks.count, labels.count, "unparsable tick in \(labels)")
            XCTAssertGreaterThanOrEqual(ticks.count, 3, "\(labels)")
            XCTAssertLessThanOrEqual(ticks.first!, values.min()!, "\(labels)")
            XCTAssertGreaterThanOrEqual(ticks.last!, values.max()!, "\(labels)")
            let step = ticks[1] - ticks[0]
            let mantissa = step / pow(10, floor(log10(step)))
            XCTAssertTrue([1.0, 2.0, 5.0].contains { abs($0 - mantissa) < 1e-6 }, "step \(step) in \(labels)")
            // Same number of decimals on every tick (zero aside).
            let decimals = Set(labels.filter { $0 != "0" }.map { $0.split(separator: ".").dropFirst().first?.filter(\.isNumber).count ?? 0 })
            XCTAssertLessThanOrEqual(decimals.count, 1, "\(labels)")
        }
    }

    func testYearTicksAreIntegersAndDoNotOverlap() throws {
        for width in [360.0, 400, 720, 1000] {
            for range in [2000...2024, 1950...2024, 1800...2024, 2019...2021] {
                let s = ChartSeries(id: "a", label: "A", points: range.map { (x: Double($0), y: Double($0 % 7)) })
                let root = try parseXML(Charts.line([s], text: basicText, style: ChartStyle(width: width)))
                let group = try XCTUnwrap(root.elements("g").first { $0.classes.contains("tick") && $0["text-anchor"] == "middle" })
                let labels = group.elements("text")
                XCTAssertGreaterThanOrEqual(labels.count, 2)
                let xs = labels.map { Double($0["x"]!)! }
                for l in labels {
                    XCTAssertNotNil(Int(l.textContent), "year label \(l.textContent)")
                    XCTAssertFalse(l.textContent.contains(","))
                }
                let w = TextMetrics.width("2000", size: FontSize.tick)
                for (a, b) in zip(xs, xs.dropFirst()) {
                    XCTAssertGreaterThan(b - a, w + 4, "width \(width) range \(range)")
                }
            }
        }
    }

    func testHugeValuesGetCompactTicks() throws {
        let s = ChartSeries(id: "a", label: "Inflows", points: [(x: 2000, y: 2.5e8), (x: 2010, y: 1.5e9), (x: 2020, y: 1.38e10)])
        let root = try parseXML(Charts.line([s], text: basicText))
        let labels = yTickLabels(root)
        XCTAssertTrue(labels.contains { $0.hasSuffix("\u{A0}B") }, "\(labels)")
        XCTAssertTrue(labels.allSatisfy { $0.count <= 6 }, "\(labels)")
        let small = try parseXML(Charts.line([ChartSeries(id: "a", label: "A", points: [(x: 1, y: 0.5), (x: 2, y: 1.5), (x: 3, y: 2.7)])], text: basicText))
        XCTAssertEqual(yTickLabels(small).first, "0")
        XCTAssertTrue(yTickLabels(small).contains("1.0") || yTickLabels(small).contains("1"))
    }

    // MARK: Escaping and robustness

    func testTextIsEscaped() throws {
        let nasty = "<script>alert(\"x\")</script> & 'quoted' ]]> \u{0}\u{7}"
        let text = ChartText(title: nasty, subtitle: nasty, xLabel: nasty, yLabel: nasty, unit: "<%>",
                             source: nasty, description: nasty)
        let outputs = [
            Charts.line([ChartSeries(id: "a", label: nasty, points: [(x: 1, y: 1), (x: 2, y: 2)]),
                         ChartSeries(id: "b", label: "B", points: [(x: 1, y: 3)])], text: text),
            Charts.bars([BarItem(label: nasty, value: 1)], text: text),
            Charts.stackedBars([BarItem(label: nasty, segments: [("a", 1)])], seriesLabels: [("a", nasty)], text: text),
            Charts.sparkline([(x: 1, y: 1), (x: 2, y: 2)], label: nasty),
            Charts.line([], text: text, style: ChartStyle(idPrefix: "\"><script>", noDataText: nasty)),
        ]
        let clean = "<script>alert(\"x\")</script> & 'quoted' ]]> "
        for svg in outputs {
            XCTAssertFalse(svg.contains("<script"))
            XCTAssertFalse(svg.contains("\u{0}"))
            let root = try parseXML(svg)
            XCTAssertFalse(root.all.contains { $0.name == "script" })
            let texts = root.all.map(\.text) + root.all.compactMap { $0["aria-label"] }
            XCTAssertTrue(texts.contains { $0.contains(clean) || $0.contains("<script>alert") }, "escaped text lost")
        }
        let root = try parseXML(outputs[0])
        XCTAssertEqual(root.children.first { $0.name == "title" }?.text, clean)
        XCTAssertEqual(root.children.first { $0.name == "desc" }?.text, clean)
        XCTAssertTrue(root.elements("circle").compactMap(\.titleText).contains { $0.hasPrefix(clean + ", 1: 1 <%>") })
    }

    func testNonFiniteValuesAreIgnored() throws {
        let bad: [Double] = [.nan, .infinity, -.infinity]
        let s = ChartSeries(id: "a", label: "A", points: [(x: 2000, y: 1), (x: 2001, y: .nan), (x: .nan, y: 3),
                                                          (x: 2002, y: .infinity), (x: 2003, y: 2), (x: .infinity, y: 1)])
        let outputs = [
            Charts.line([s], text: basicText),
            Charts.line([s], text: basicText, style: ChartStyle(width: .nan, height: .infinity, decimals: Int.max)),
            Charts.bars(bad.map { BarItem(label: "X", value: $0) } + [BarItem(label: "Y", value: 2)], text: basicText),
            Charts.stackedBars([BarItem(label: "A", value: .nan, segments: [("a", .nan), ("b", 2), ("a", .infinity)])],
                               seriesLabels: [("a", "A"), ("b", "B")], text: basicText),
            Charts.sparkline([(x: 1, y: .nan), (x: 2, y: 1), (x: .infinity, y: 2), (x: 3, y: 2)], label: "s",
                             width: .nan, height: -.infinity),
            Charts.bars(bad.map { BarItem(label: "X", value: $0) }, text: basicText),
            Charts.format(.nan, decimals: 1, locale: en),
        ]
        for svg in outputs {
            let lower = svg.lowercased()
            XCTAssertNil(lower.range(of: #"\b(nan|inf|infinity)\b"#, options: .regularExpression), svg)
        }
        for svg in outputs.dropLast() { _ = try parseXML(svg) }
        let root = try parseXML(outputs[0])
        XCTAssertEqual(root.elements("circle").map { $0["data-x"]! }, ["2000", "2003"])
        XCTAssertTrue(outputs[5].contains("No data"))
    }

    func testExtremeMagnitudesDoNotCrash() throws {
        let tiny = Double.leastNonzeroMagnitude
        let cases: [[Double]] = [[tiny * 2000, tiny * 4000], [1e308, -1e308], [tiny], [1e300, 1e300], [-1e-250, 1e-250],
                                 [0, 0], [1e15, 1e15 + 1], [123_456_789_012, 123_456_789_013]]
        for values in cases {
            let s = ChartSeries(id: "a", label: "A", points: values.enumerated().map { (x: Double(2000 + $0), y: $1) })
            let outputs = [
                Charts.line([s], text: basicText),
                Charts.bars(values.map { BarItem(label: "v", value: $0) }, text: basicText),
                Charts.stackedBars([BarItem(label: "v", segments: values.map { ("a", $0) })], seriesLabels: [], text: basicText),
                Charts.sparkline(s.points, label: "s"),
            ]
            for svg in outputs {
                _ = try parseXML(svg)
                XCTAssertNil(svg.lowercased().range(of: #"\b(nan|inf)\b"#, options: .regularExpression), "\(values)")
            }
        }
    }

    func testCoordinatesHaveAtMostOneDecimalAndNoNegativeZero() throws {
        let locales = ["en", "de", "fr", "ar", "hi"].map { Locale(identifier: $0) }
        let neg = ChartSeries(id: "n", label: "N", points: [(x: 2000, y: -0.04), (x: 2001, y: -3.33333), (x: 2002, y: 2.123456)])
        for loc in locales {
            let style = ChartStyle(width: 701.37, height: 333.33, decimals: 3, locale: loc)
            let outputs = [
                Charts.line(threeCountries + [neg], text: basicText, style: style),
                Charts.bars([BarItem(label: "a", value: -0.00001), BarItem(label: "b", value: 1 / 3)], text: basicText, style: style),
                Charts.stackedBars([BarItem(label: "a", segments: [("x", 1 / 3), ("y", 2 / 3), ("z", -1 / 7)])],
                                   seriesLabels: [], text: basicText, style: style),
                Charts.sparkline(neg.points, label: "n", width: 100.33, height: 20.77),
            ]
            for svg in outputs {
                let root = try parseXML(svg)
                for node in root.all {
                    for attr in geometryAttributes {
                        guard let value = node[attr] else { continue }
                        XCTAssertNil(value.range(of: #"[^0-9.\- MmLlHhVvZz]"#, options: .regularExpression), "\(attr)=\(value)")
                        let numbers = value.split(whereSeparator: { !"0123456789.-".contains($0) })
                            .flatMap { $0.split(separator: "-", omittingEmptySubsequences: true).map { "-" + $0 } }
                        for n in numbers {
                            XCTAssertNotNil(Double(n), "\(attr)=\(value)")
                            if let dot = n.firstIndex(of: ".") {
                                XCTAssertEqual(n[n.index(after: dot)...].count, 1, "\(attr)=\(value)")
                            }
                        }
                        XCTAssertNil(value.range(of: #"(^|[^0-9.])-0(\.0)?($|[^0-9.])"#, options: .regularExpression), "-0 in \(attr)=\(value)")
                    }
                }
            }
        }
    }

    func testLocaleAffectsLabelsButNotCoordinates() throws {
        let s = ChartSeries(id: "a", label: "A", points: [(x: 2000, y: 1234.5), (x: 2001, y: 2345.6)])
        let svg = Charts.line([s], text: basicText, style: ChartStyle(locale: Locale(identifier: "de")))
        XCTAssertTrue(svg.contains("<title>A, 2000: 1.234,5 %</title>"))
        let root = try parseXML(svg)
        XCTAssertTrue(root.elements("circle").allSatisfy { !($0["cx"]!.contains(",")) })
    }

    // MARK: Formatting

    func testFormat() {
        XCTAssertEqual(Charts.format(1_234_567.891, decimals: 1, locale: en), "1,234,567.9")
        XCTAssertEqual(Charts.format(1_234_567.891, decimals: 0, locale: en), "1,234,568")
        XCTAssertEqual(Charts.format(17.0, decimals: 1, locale: en), "17")
        XCTAssertEqual(Charts.format(17.94, decimals: 1, locale: en), "17.9")
        XCTAssertEqual(Charts.format(-0.04, decimals: 1, locale: en), "0")
        XCTAssertEqual(Charts.format(-1234.5, decimals: 1, locale: en), "-1,234.5")
        XCTAssertEqual(Charts.format(1_234_567.891, decimals: 1, locale: Locale(identifier: "de")), "1.234.567,9")
        XCTAssertEqual(Charts.format(1.5e9, decimals: 1, locale: en, compact: true), "1.5\u{A0}B")
        XCTAssertEqual(Charts.format(1.23e6, decimals: 1, locale: en, compact: true), "1.2\u{A0}M")
        XCTAssertEqual(Charts.format(999_960, decimals: 1, locale: en, compact: true), "1\u{A0}M")
        XCTAssertEqual(Charts.format(-2.5e12, decimals: 1, locale: en, compact: true), "-2.5\u{A0}T")
        XCTAssertEqual(Charts.format(950, decimals: 1, locale: en, compact: true), "950")
        XCTAssertEqual(Charts.format(1.5e9, decimals: 1, locale: Locale(identifier: "de"), compact: true), "1,5\u{A0}Mrd.")
        XCTAssertEqual(Charts.format(.infinity, decimals: 1, locale: en), "–")
        XCTAssertEqual(Charts.format(3.14159, decimals: -2, locale: en), "3")
    }

    func testCoordinateFormatter() {
        XCTAssertEqual(Fmt.coord(0), "0")
        XCTAssertEqual(Fmt.coord(-0.04), "0")
        XCTAssertEqual(Fmt.coord(-0.05), "-0.1")
        XCTAssertEqual(Fmt.coord(12.34), "12.3")
        XCTAssertEqual(Fmt.coord(12.96), "13")
        XCTAssertEqual(Fmt.coord(-3.5), "-3.5")
        XCTAssertEqual(Fmt.coord(.nan), "0")
        XCTAssertEqual(SVGWriter.pathData([[(x: 0, y: 0), (x: 1.26, y: -2), (x: 1.26, y: 3)]]), "M0 0l1.3-2 0 5")
    }

    // MARK: Edge cases

    func testEmptyDataRendersNoDataFrame() throws {
        let allNil = ChartSeries(id: "a", label: "A", points: [(x: 2000, y: nil), (x: 2001, y: .nan)])
        let outputs = [
            Charts.line([], text: basicText),
            Charts.line([allNil, ChartSeries(id: "b", label: "B", points: [])], text: basicText),
            Charts.bars([], text: basicText),
            Charts.bars([BarItem(label: "a", value: nil)], text: basicText),
            Charts.stackedBars([BarItem(label: "a")], seriesLabels: [("f", "Female")], text: basicText),
        ]
        for svg in outputs {
            let root = try parseXML(svg)
            XCTAssertTrue(root.elements("text").contains { $0.textContent == "No data" && $0.classes.contains("nodata") })
            XCTAssertEqual(root.elements("rect").filter { $0.classes.contains("frame") }.count, 1)
            XCTAssertTrue(root.elements("circle").isEmpty)
            XCTAssertNotNil(root.children.first { $0.name == "title" })
        }
        let localized = Charts.line([], text: basicText, style: ChartStyle(noDataText: "Sin datos"))
        XCTAssertTrue(localized.contains(">Sin datos<"))
    }

    func testSinglePoint() throws {
        let root = try parseXML(Charts.line([ChartSeries(id: "a", label: "Jamaica", points: [(x: 2019, y: 17.9)])], text: basicText))
        let circles = root.elements("circle")
        XCTAssertEqual(circles.count, 1)
        XCTAssertEqual(circles.first?.titleText, "Jamaica, 2019: 17.9 %")
        let ticks = yTickLabels(root).compactMap(tickValue)
        XCTAssertEqual(ticks.first, 0)
        XCTAssertGreaterThanOrEqual(ticks.last ?? 0, 17.9)
        let xLabels = root.elements("g").first { $0.classes.contains("tick") && $0["text-anchor"] == "middle" }?.elements("text").map(\.textContent)
        XCTAssertEqual(xLabels, ["2019"])
    }

    func testAllEqualValues() throws {
        for v in [5.0, 0.0, -3.0, 1e9] {
            let s = ChartSeries(id: "a", label: "A", points: (2010...2020).map { (x: Double($0), y: v) })
            let root = try parseXML(Charts.line([s], text: basicText))
            let ticks = yTickLabels(root).compactMap(tickValue)
            XCTAssertGreaterThanOrEqual(ticks.count, 2)
            XCTAssertLessThanOrEqual(ticks.first!, v)
            XCTAssertGreaterThanOrEqual(ticks.last!, v)
            XCTAssertLessThan(ticks.first!, ticks.last!)
            XCTAssertEqual(Set(root.elements("circle").map { $0["cy"]! }).count, 1)
        }
    }

    func testNegativeValuesDrawZeroLine() throws {
        let s = ChartSeries(id: "a", label: "A", points: [(x: 2000, y: -4.2), (x: 2001, y: 2.5), (x: 2002, y: -7.9)])
        let root = try parseXML(Charts.line([s], text: basicText))
        let zero = try XCTUnwrap(root.elements("path").first { $0.classes.contains("zero") })
        let zeroY = Double(zero["d"]!.split(separator: " ")[1].split(separator: "H")[0])!
        for c in root.elements("circle") {
            let y = Double(c["data-y"]!)!, cy = Double(c["cy"]!)!
            XCTAssertEqual(y < 0, cy > zeroY)
        }
        XCTAssertLessThanOrEqual(yTickLabels(root).compactMap(tickValue).first!, -7.9)
    }

    // MARK: Bars

    func testBars() throws {
        let items = [BarItem(label: "Tonga", value: 41.2), BarItem(label: "Nepal", value: -3.3),
                     BarItem(label: "El Salvador", value: nil), BarItem(label: "Haiti", value: 17.9)]
        let root = try parseXML(Charts.bars(items, text: basicText, style: ChartStyle(idPrefix: "b")))
        XCTAssertEqual(root["class"], "chart chart-bars")
        let rects = root.elements("rect").filter { $0.classes.contains("bar") }
        XCTAssertEqual(rects.map { $0["data-value"]! }, ["41.2", "-3.3", "17.9"])
        XCTAssertEqual(rects.map { $0.titleText! }, ["Tonga: 41.2 %", "Nepal: -3.3 %", "Haiti: 17.9 %"])
        let zero = try XCTUnwrap(root.elements("path").first { $0.classes.contains("zero") })
        let zx = Double(zero["d"]!.dropFirst().split(separator: " ")[0])!
        // Rows keep the given order, top to bottom.
        let ys = rects.map { Double($0["y"]!)! }
        XCTAssertEqual(ys, ys.sorted())
        // Positive bars start at zero, the negative one ends there.
        XCTAssertEqual(Double(rects[0]["x"]!)!, zx, accuracy: 0.1)
        XCTAssertEqual(Double(rects[1]["x"]!)! + Double(rects[1]["width"]!)!, zx, accuracy: 0.15)
        XCTAssertTrue(rects[1].classes.contains("neg"))
        // Lengths are proportional to the values.
        let w0 = Double(rects[0]["width"]!)!, w2 = Double(rects[2]["width"]!)!
        XCTAssertEqual(w0 / w2, 41.2 / 17.9, accuracy: 0.02)
        // Value labels: right of positive bars, left of negative ones; "No data" for nil.
        let values = try XCTUnwrap(root.elements("g").first { $0.classes.contains("value") }).elements("text")
        XCTAssertEqual(values.map(\.textContent), ["41.2", "-3.3", "No data", "17.9"])
        XCTAssertEqual(values[1]["text-anchor"], "end")
        XCTAssertLessThan(Double(values[1]["x"]!)!, Double(rects[1]["x"]!)!)
        XCTAssertGreaterThan(Double(values[0]["x"]!)!, Double(rects[0]["x"]!)! + w0)
        let labels = try XCTUnwrap(root.elements("g").first { $0.classes.contains("label") }).elements("text")
        XCTAssertEqual(labels.map(\.textContent), ["Tonga", "Nepal", "El Salvador", "Haiti"])
    }

    func testLongBarLabelsAreTruncatedWithFullTitle() throws {
        let long = "The Very Long Official Name of a Country or Territory That Goes On"
        let root = try parseXML(Charts.bars([BarItem(label: long, value: 1), BarItem(label: "B", value: 2)], text: basicText))
        let label = try XCTUnwrap(root.elements("g").first { $0.classes.contains("label") }?.elements("text").first)
        XCTAssertTrue(label.textContent.hasSuffix("…"))
        XCTAssertEqual(label.titleText, long)
    }

    func testBarHeightGrowsWithRows() throws {
        let few = try parseXML(Charts.bars((1...3).map { BarItem(label: "C\($0)", value: Double($0)) }, text: basicText))
        let many = try parseXML(Charts.bars((1...40).map { BarItem(label: "C\($0)", value: Double($0)) }, text: basicText))
        XCTAssertLessThan(viewBox(few).h, 400)
        XCTAssertGreaterThan(viewBox(many).h, 40 * 24)
        let heights = many.elements("rect").map { Double($0["height"]!)! }
        XCTAssertTrue(heights.allSatisfy { $0 >= 14 })
    }

    func testStackedBars() throws {
        let items = [BarItem(label: "United States", segments: [("f", 26_310), ("m", 24_322)]),
                     BarItem(label: "Saudi Arabia", segments: [("f", 3_962), ("m", 9_493)]),
                     BarItem(label: "Unknown split", value: 1_000, segments: [("m", 400), ("x", 300)])]
        let svg = Charts.stackedBars(items, seriesLabels: [("f", "Female"), ("m", "Male")], text: basicText,
                                     style: ChartStyle(decimals: 0))
        let root = try parseXML(svg)
        XCTAssertEqual(root["class"], "chart chart-stacked")
        let segs = root.elements("rect").filter { $0.classes.contains("seg") && $0.titleText != nil }
        XCTAssertEqual(segs.count, 6)
        XCTAssertEqual(segs.map { $0.classes.first { $0.hasPrefix("s") && $0 != "seg" }! }, ["s0", "s1", "s0", "s1", "s1", "s2"])
        XCTAssertEqual(segs[0].titleText, "United States, Female: 26,310 % (52 %)")
        // Segments are contiguous.
        let x0 = Double(segs[0]["x"]!)!, w0 = Double(segs[0]["width"]!)!
        XCTAssertEqual(Double(segs[1]["x"]!)!, x0 + w0, accuracy: 0.15)
        XCTAssertEqual(w0 / Double(segs[1]["width"]!)!, 26_310 / 24_322, accuracy: 0.01)
        // Totals: sum of segments, or the explicit value.
        let totals = try XCTUnwrap(root.elements("g").first { $0.classes.contains("total") }).elements("text").map(\.textContent)
        XCTAssertEqual(totals, ["50,632", "13,455", "1,000"])
        // Legend lists the known series plus the unknown id.
        let legend = try XCTUnwrap(root.elements("g").first { $0.classes.contains("legend") }).elements("text").map(\.textContent)
        XCTAssertEqual(legend, ["Female", "Male", "x"])
        // Values inside segments only where they fit.
        let inside = root.elements("g").first { $0.classes.contains("seg-value") }?.elements("text").map(\.textContent) ?? []
        XCTAssertTrue(inside.contains("26,310"))
    }

    // MARK: Sparkline

    func testSparkline() throws {
        let pts: [(x: Double, y: Double?)] = [(x: 2000, y: 1), (x: 2001, y: 3), (x: 2002, y: nil), (x: 2003, y: 2), (x: 2004, y: 5)]
        let svg = Charts.sparkline(pts, label: "Jamaica & co: <trend>")
        let root = try parseXML(svg)
        XCTAssertEqual(root["role"], "img")
        XCTAssertEqual(root["aria-label"], "Jamaica & co: <trend>")
        XCTAssertEqual(root["viewBox"], "0 0 120 28")
        XCTAssertEqual(root["width"], "120")
        XCTAssertEqual(root["height"], "28")
        XCTAssertEqual(root["class"], "sparkline")
        XCTAssertTrue(root.elements("text").isEmpty, "no axes or labels")
        let path = try XCTUnwrap(root.elements("path").first?["d"])
        XCTAssertEqual(path.filter { $0 == "M" }.count, 2)
        let last = try XCTUnwrap(root.elements("circle").first)
        XCTAssertEqual(root.elements("circle").count, 1)
        XCTAssertEqual(last["cx"], "117")  // right edge minus the marker margin
        XCTAssertEqual(last["cy"], "3")    // maximum → top margin
        XCTAssertLessThan(svg.utf8.count, 700)

        let empty = try parseXML(Charts.sparkline([], label: "none"))
        XCTAssertTrue(empty.elements("path").isEmpty && empty.elements("circle").isEmpty)
        let flat = try parseXML(Charts.sparkline([(x: 1, y: 4), (x: 2, y: 4)], label: "flat", width: 60, height: 20))
        XCTAssertEqual(flat["viewBox"], "0 0 60 20")
        XCTAssertEqual(flat.elements("circle").first?["cy"], "10")
    }

    // MARK: Layout quality

    /// Every text element stays inside the viewBox, by the library's own width estimate.
    func testTextStaysInsideTheViewBox() throws {
        let long = ChartText(title: "A rather long title that has to wrap onto a second line when the chart is narrow, 2000–2024",
                             subtitle: "Subtitle with a few words", xLabel: "Year", yLabel: "Personal remittances received",
                             unit: "% of GDP", source: "Source: World Bank, World Development Indicators; national statistical offices; own calculations based on several surveys and registers",
                             description: "d")
        let ten = (0..<10).map { series("c\($0)", "Country number \($0)", years: 1990...2024, base: Double($0) * 2) }
        for width in [320.0, 400, 720, 960] {
            let style = ChartStyle(width: width)
            let outputs = [
                Charts.line(ten, text: long, style: style),
                Charts.line([ChartSeries(id: "a", label: "A", points: [(x: 2000, y: 2.5e10), (x: 2001, y: -1.2e9)])], text: long, style: style),
                Charts.bars([BarItem(label: "Kyrgyz Republic", value: -12_345.6), BarItem(label: "Saint Vincent and the Grenadines", value: 98_765.4)],
                            text: long, style: style),
                Charts.stackedBars([BarItem(label: "United Kingdom", segments: [("f", 4_908_000), ("m", 4_451_000)])],
                                   seriesLabels: [("f", "Female"), ("m", "Male")], text: long, style: style),
            ]
            for svg in outputs {
                let root = try parseXML(svg)
                let (w, _) = viewBox(root)
                for t in root.elements("text") {
                    let size = Double(t.inherited("font-size") ?? "12.5")!
                    let bold = t.classes.contains("title") || t.ancestor(withClass: "total") != nil
                    let tw = TextMetrics.width(t.textContent, size: size, bold: bold)
                    let x = Double(t["x"]!)!
                    let anchor = t.inherited("text-anchor") ?? "start"
                    let left = anchor == "end" ? x - tw : anchor == "middle" ? x - tw / 2 : x
                    XCTAssertGreaterThanOrEqual(left, -0.5, "\(t.textContent) at width \(width)")
                    XCTAssertLessThanOrEqual(left + tw, w + 0.5, "\(t.textContent) at width \(width)")
                }
            }
        }
    }

    func testLegendWrapsOnNarrowCharts() throws {
        let ten = (0..<10).map { series("c\($0)", "Country \($0)", years: 2000...2010, base: Double($0)) }
        let root = try parseXML(Charts.line(ten, text: basicText, style: ChartStyle(width: 400)))
        let legend = try XCTUnwrap(root.elements("g").first { $0.classes.contains("legend") })
        XCTAssertEqual(legend.elements("text").count, 10)
        XCTAssertGreaterThan(Set(legend.elements("text").map { $0["y"]! }).count, 1)
        XCTAssertEqual(legend.elements("path").map { $0.classes.first { $0.hasPrefix("s") }! }, (0..<10).map { "s\($0)" })
    }

    // MARK: Size, determinism, concurrency

    func testOutputSizes() {
        let ten = (0..<10).map { series("c\($0)", ["Jamaica", "Haiti", "Honduras", "El Salvador", "Guatemala", "Nepal", "Tonga", "Samoa", "Lebanon", "Tajikistan"][$0], years: 1990...2024, base: Double($0) * 2) }
        let full = Charts.line(ten, text: basicText)
        let lean = Charts.line(ten, text: basicText, style: ChartStyle(pointTitles: false))
        XCTAssertEqual(ten.reduce(0) { $0 + $1.points.count }, 350)
        XCTAssertLessThan(full.utf8.count, 42_000, "10 × 35 with per-point tooltips")
        XCTAssertLessThan(lean.utf8.count, 25_000, "10 × 35 without per-point tooltips")
        XCTAssertLessThan(Charts.line(threeCountries, text: basicText).utf8.count, 12_000)
        XCTAssertLessThan(Charts.bars((1...10).map { BarItem(label: "Country \($0)", value: Double($0)) }, text: basicText).utf8.count, 4_000)
    }

    func testDeterministicAndIdsFromPrefix() throws {
        let a = Charts.line(threeCountries, text: basicText, style: ChartStyle(idPrefix: "my chart#1"))
        XCTAssertEqual(a, Charts.line(threeCountries, text: basicText, style: ChartStyle(idPrefix: "my chart#1")))
        let root = try parseXML(a)
        XCTAssertEqual(root["aria-labelledby"], "my-chart-1-title my-chart-1-desc")
        let ids = root.all.compactMap { $0["id"] }
        XCTAssertEqual(ids, ["my-chart-1-title", "my-chart-1-desc"])
        XCTAssertEqual(try parseXML(Charts.line([], text: basicText, style: ChartStyle(idPrefix: "9")))["aria-labelledby"], "c9-title c9-desc")
    }

    func testConcurrentRenderingMatchesSerial() async {
        let styles = (0..<8).map { ChartStyle(width: 400 + Double($0) * 50, idPrefix: "c\($0)") }
        let serial = styles.map { Charts.line(threeCountries, text: basicText, style: $0) }
        let parallel = await withTaskGroup(of: (Int, String).self) { group in
            for (i, style) in styles.enumerated() {
                group.addTask { (i, Charts.line(threeCountries, text: basicText, style: style)) }
            }
            var out = [String](repeating: "", count: styles.count)
            for await (i, svg) in group { out[i] = svg }
            return out
        }
        XCTAssertEqual(serial, parallel)
    }
}
