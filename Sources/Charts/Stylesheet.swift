extension Charts {
    /// Suggested CSS for the charts (put it in the site's stylesheet; the SVG has
    /// no inline styles). Font sizes are set on the SVG elements because the
    /// layout depends on them; do not override them here.
    public static let stylesheet = """
    /* Label widths are estimated on the server for Arial-like fonts: keep this stack. */
    .chart,.sparkline{font-family:"Helvetica Neue",Helvetica,Arial,"Liberation Sans",Roboto,sans-serif}
    .chart{display:block;width:100%;height:auto;overflow:visible;color:#1a1a1a}
    .chart text{fill:currentColor}
    .chart .title{font-weight:700}
    .chart .subtitle,.chart .tick text,.chart .source{fill:#555}
    /* Series colours: Okabe-Ito based, all at least 3:1 against white;
       --t is the text colour used on top of the colour. */
    .chart .s0{--c:#0072b2;--t:#fff}
    .chart .s1{--c:#d55e00;--t:#000}
    .chart .s2{--c:#009e73;--t:#000}
    .chart .s3{--c:#cc79a7;--t:#000}
    .chart .s4{--c:#332288;--t:#fff}
    .chart .s5{--c:#8e370b;--t:#fff}
    .chart .s6{--c:#666;--t:#fff}
    .chart .s7{--c:#c2418b;--t:#fff}
    .chart .s8{--c:#1f4151;--t:#fff}
    .chart .s9{--c:#000;--t:#fff}
    .chart .grid{fill:none;stroke:currentColor;stroke-opacity:.14}
    .chart .axis{fill:none;stroke:currentColor;stroke-opacity:.5}
    .chart .zero{fill:none;stroke:currentColor;stroke-opacity:.85}
    .chart .frame{fill:none;stroke:currentColor;stroke-opacity:.3;stroke-dasharray:4 3}
    .chart .nodata,.chart .value .na{fill:#555;font-style:italic}
    .chart .series path{fill:none;stroke:var(--c);stroke-width:2.25;stroke-linejoin:round;stroke-linecap:round}
    .chart .series circle{fill:var(--c);stroke:#fff;stroke-width:1}
    .chart .hits circle{fill:transparent;stroke:none;r:4px}
    .chart .hits circle.dot,.chart .series circle:hover{fill:var(--c);stroke:#fff}
    .chart .series circle:hover{r:5px}
    .chart .key{fill:none;stroke:var(--c);stroke-width:3;stroke-linecap:round}
    .chart .bar{fill:#0072b2}
    .chart .seg{fill:var(--c);stroke:#fff;stroke-width:.75}
    .chart .bar:hover,.chart .seg:hover{opacity:.8}
    .chart .seg-value text{fill:var(--t)}
    .chart .total{font-weight:600}
    .sparkline{vertical-align:middle;color:#0072b2}
    .sparkline path{fill:none;stroke:currentColor;stroke-width:1.5;stroke-linejoin:round;stroke-linecap:round}
    .sparkline circle{fill:currentColor}
    /* Optional: a wide (720) and a narrow (400) rendering of the same chart, one shown. */
    .chart-narrow{display:none}
    @media (max-width:520px){.chart-wide{display:none}.chart-narrow{display:block}}
    @media print{
    .chart-wide{display:block}.chart-narrow{display:none}
    .chart,.sparkline{color:#000}
    .chart text,.chart .subtitle,.chart .tick text,.chart .source,.chart .nodata{fill:#000}
    .chart .seg-value text{fill:var(--t)}
    .chart .grid{stroke-opacity:.3}
    .chart .hits circle:not(.dot){fill:transparent}
    }

    """
}
