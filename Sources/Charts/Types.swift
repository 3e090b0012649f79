import Foundation

/// One line of a line chart. `points` should be sorted by `x` (they are sorted
/// if not); a `nil` `y` is a gap in the line. Non-finite values are ignored.
public struct ChartSeries: Sendable {
    /// Stable identifier (not rendered; useful for callers and tests).
    public var id: String
    /// Shown in the legend and in each point's tooltip.
    public var label: String
    /// `x` is usually a year; `y == nil` means "no value" and breaks the line.
    public var points: [(x: Double, y: Double?)]

    public init(id: String, label: String, points: [(x: Double, y: Double?)]) {
        self.id = id
        self.label = label
        self.points = points
    }
}

/// One row of a (stacked) horizontal bar chart.
public struct BarItem: Sendable {
    public var label: String
    /// Value of a plain bar; `nil` renders "No data". For stacked bars an explicit
    /// value is shown as the total (otherwise the sum of the segments is).
    public var value: Double?
    /// Stacked parts, keyed by the series id given to `Charts.stackedBars`.
    public var segments: [(series: String, value: Double)]

    public init(label: String, value: Double? = nil, segments: [(series: String, value: Double)] = []) {
        self.label = label
        self.value = value
        self.segments = segments
    }
}

/// Texts of a chart. All of them are XML-escaped on output.
public struct ChartText: Sendable {
    public var title: String
    public var subtitle: String?
    /// Label under the x axis (line charts only); usually unnecessary for years.
    public var xLabel: String?
    /// Name of the measure; rendered as "yLabel (unit)" above the plot.
    public var yLabel: String
    /// Appended to values in tooltips ("17.9 %") and to the y label.
    public var unit: String
    /// Rendered verbatim under the chart: pass it localised, e.g. "Source: World Bank".
    public var source: String
    /// Accessible summary (the `<desc>`); falls back to the title when empty.
    public var description: String

    public init(title: String, subtitle: String? = nil, xLabel: String? = nil, yLabel: String = "",
                unit: String = "", source: String = "", description: String = "") {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.unit = unit
        self.source = source
        self.description = description
    }
}

/// Layout and locale settings. `width`/`height` are viewBox units (≈ CSS px at
/// 100 % scale); the SVG has no fixed size and scales to its container.
public struct ChartStyle: Sendable {
    public var width: Double = 720
    /// Target height. Line charts grow when the legend needs room; bar charts
    /// size themselves by the number of rows (between ~22 and ~36 units per row).
    public var height: Double = 400
    /// Maximum fraction digits of values in labels and tooltips.
    public var decimals: Int = 1
    public var locale: Locale = Locale(identifier: "en")
    /// Prefix of the element ids (`{idPrefix}-title`, `{idPrefix}-desc`); must be
    /// unique on a page. Characters not allowed in an XML id are replaced by "-".
    public var idPrefix: String = "chart"
    /// Draw title and subtitle inside the SVG. Set to false when the page shows them as HTML.
    public var showTitle: Bool = true
    /// Text shown for an empty chart or a bar without a value (localise it).
    public var noDataText: String = "No data"
    /// Embed `Charts.stylesheet` in a `<style>` element, for stand-alone .svg files
    /// (downloads). Leave false for inline SVG under a strict CSP.
    public var embedStylesheet: Bool = false
    /// Give every line-chart point a `<title>` tooltip ("Jamaica, 2019: 17.9 %").
    /// Tooltips cost ~40–50 bytes per point; turn them off for very dense charts
    /// (the points keep their `data-x`/`data-y`).
    public var pointTitles: Bool = true

    public init(width: Double = 720, height: Double = 400, decimals: Int = 1,
                locale: Locale = Locale(identifier: "en"), idPrefix: String = "chart",
                showTitle: Bool = true, noDataText: String = "No data", embedStylesheet: Bool = false,
                pointTitles: Bool = true) {
        self.width = width
        self.height = height
        self.decimals = decimals
        self.locale = locale
        self.idPrefix = idPrefix
        self.showTitle = showTitle
        self.noDataText = noDataText
        self.embedStylesheet = embedStylesheet
        self.pointTitles = pointTitles
    }
}
