import Foundation

/// Server-side SVG charts: no scripts, no inline styles, classes for CSS
/// (see `Charts.stylesheet`), `<title>`/`<desc>` for assistive technology.
public enum Charts {
    /// Line chart for time series: one line per series (up to ~10; colours repeat
    /// after 10), gaps for nil, visible markers when every series has fewer than
    /// 40 points and there are at most 150 in all (invisible hover targets
    /// otherwise), 1-2-5 y ticks (from 0 unless the data
    /// are far from it), year ticks thinned to avoid overlap, a wrapping legend
    /// below the plot, "yLabel (unit)" above it and the source line under it.
    /// Every point is a `<circle data-x data-y>` with a `<title>` "Label, x: value unit".
    public static func line(_ series: [ChartSeries], text: ChartText, style: ChartStyle = .init()) -> String {
        LineChart.render(series, text: text, style: style)
    }

    /// Horizontal bar chart, rows in the given order, value labels at the bar
    /// ends; negative values extend left of the zero line. `nil` values show
    /// `style.noDataText`.
    public static func bars(_ items: [BarItem], text: ChartText, style: ChartStyle = .init()) -> String {
        BarChart.bars(items, text: text, style: style)
    }

    /// Horizontal stacked bars: one segment per `segments` entry, coloured by the
    /// position of its series in `seriesLabels` (unknown ids are appended), a
    /// legend above the bars, values inside segments where they fit, and the
    /// total (`item.value` if given, else the sum) at the end of each bar.
    public static func stackedBars(_ items: [BarItem], seriesLabels: [(id: String, label: String)],
                                   text: ChartText, style: ChartStyle = .init()) -> String {
        BarChart.stacked(items, seriesLabels: seriesLabels, text: text, style: style)
    }

    /// A small trend line for tables and profiles: fixed size, no axes, last point
    /// marked, `role="img"` with `aria-label` = `label` (no `<title>`, so screen
    /// readers do not announce the label twice). Fixed `width`/`height` attributes.
    public static func sparkline(_ points: [(x: Double, y: Double?)], label: String,
                                 width: Double = 120, height: Double = 28) -> String {
        Sparkline.render(points, label: label, width: width, height: height)
    }

    /// Formats a number for labels and tables: locale grouping and decimal
    /// separators, at most `decimals` fraction digits, never "-0". With `compact`,
    /// values from 1,000 up use the locale's short scale ("1.2 M", "1.5 B" in
    /// English, "1,5 Mrd." in German). Non-finite values give "–".
    public static func format(_ value: Double, decimals: Int, locale: Locale, compact: Bool = false) -> String {
        Fmt.number(value, decimals: decimals, locale: locale, compact: compact)
    }
}
