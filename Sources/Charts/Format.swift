import Foundation

/// Number and text formatting helpers (internal).
enum Fmt {
    // MARK: Locale-aware numbers

    /// Rounds to `decimals` fraction digits; turns -0 into 0.
    static func rounded(_ value: Double, _ decimals: Int) -> Double {
        let p = pow(10.0, Double(decimals))
        let r = (value * p).rounded() / p
        // Huge values overflow the multiplication; they have no fraction digits anyway.
        let v = r.isFinite ? r : value
        return v == 0 ? 0 : v
    }

    /// Locale formatting with `minDecimals...maxDecimals` fraction digits.
    static func plain(_ value: Double, minDecimals: Int = 0, maxDecimals: Int, locale: Locale,
                      grouping: Bool = true) -> String {
        let hi = min(max(maxDecimals, 0), 12)
        let lo = min(max(minDecimals, 0), hi)
        let v = rounded(value, hi)
        let style = FloatingPointFormatStyle<Double>.number
            .locale(locale)
            .precision(.fractionLength(lo...hi))
            .grouping(grouping ? .automatic : .never)
        return v.formatted(style)
    }

    /// A compact unit: `scale` is a power of ten (`exponent`), `suffix` the locale's
    /// abbreviation including any leading space ("\u{A0}M", " Mio.", "万").
    struct CompactUnit: Equatable {
        var exponent: Int
        var scale: Double
        var suffix: String
    }

    /// Compact units the locale abbreviates as "1<suffix>" (derived from ICU's
    /// compact-name notation, so they are localised: M/B in English, Mio./Mrd. in
    /// German, 万/億 in Japanese). Sorted by scale.
    static func compactUnits(_ locale: Locale) -> [CompactUnit] {
        let one = (1.0).formatted(FloatingPointFormatStyle<Double>.number.locale(locale))
        var units: [CompactUnit] = []
        for e in 3...15 {
            let scale = pow(10.0, Double(e))
            let s = scale.formatted(FloatingPointFormatStyle<Double>.number.locale(locale).notation(.compactName))
            guard s.hasPrefix(one) else { continue }
            var suffix = String(s.dropFirst(one.count))
            guard let first = suffix.first, !first.isNumber, !suffix.contains(where: { $0.isNumber }) else { continue }
            if units.contains(where: { $0.suffix == suffix }) { continue }
            if first.isASCII && first.isLetter { suffix = "\u{A0}" + suffix } // "1.5 B" rather than "1.5B"
            units.append(CompactUnit(exponent: e, scale: scale, suffix: suffix))
        }
        return units
    }

    /// The largest compact unit not above `magnitude`, if any.
    static func compactUnit(for magnitude: Double, locale: Locale, minimum: Double) -> CompactUnit? {
        guard magnitude >= minimum, magnitude.isFinite else { return nil }
        return compactUnits(locale).last(where: { $0.scale <= magnitude })
    }

    /// Public `Charts.format` implementation.
    static func number(_ value: Double, decimals: Int, locale: Locale, compact: Bool) -> String {
        guard value.isFinite else { return "–" }
        let d = min(max(decimals, 0), 12)
        if compact {
            let units = compactUnits(locale)
            // Choose the unit from the rounded magnitude so 999,960 becomes "1 M", not "1,000 K".
            if var i = units.lastIndex(where: { $0.scale <= abs(value) }), abs(value) >= 1000 {
                if i + 1 < units.count, abs(rounded(value / units[i].scale, d)) * units[i].scale >= units[i + 1].scale {
                    i += 1
                }
                let u = units[i]
                return plain(value / u.scale, maxDecimals: d, locale: locale) + u.suffix
            }
        }
        return plain(value, maxDecimals: d, locale: locale)
    }

    /// Axis tick labels: one shared compact unit (when the largest tick is at least a
    /// million) and the same number of fraction digits on every tick; zero is "0".
    static func tickLabels(_ ticks: [Double], stepExponent: Int, locale: Locale) -> [String] {
        let maxAbs = ticks.map { abs($0) }.max() ?? 0
        let unit = compactUnit(for: maxAbs, locale: locale, minimum: 1_000_000)
        let shift = unit?.exponent ?? 0
        let decimals = min(max(shift - stepExponent, 0), 6)
        return ticks.map { t in
            if t == 0 { return plain(0, maxDecimals: 0, locale: locale) }
            guard let u = unit else { return plain(t, minDecimals: decimals, maxDecimals: decimals, locale: locale) }
            return plain(t / u.scale, minDecimals: decimals, maxDecimals: decimals, locale: locale) + u.suffix
        }
    }

    /// x values (years): integers without grouping ("2019"), otherwise up to 2 decimals.
    static func xValue(_ x: Double, locale: Locale) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return plain(x, maxDecimals: 2, locale: locale, grouping: false)
    }

    /// "17.9 %" / "1,234 people" / "17.9" — a value with its unit.
    static func withUnit(_ s: String, _ unit: String) -> String {
        unit.isEmpty ? s : s + " " + unit
    }

    // MARK: Machine-readable numbers

    /// Coordinate: at most one decimal, "." separator, never "-0".
    static func coord(_ v: Double) -> String {
        tenths(tenthsOf(v))
    }

    /// A coordinate as an integer number of tenths (clamped to a sane range).
    static func tenthsOf(_ v: Double) -> Int {
        guard v.isFinite else { return 0 }
        let t = (min(max(v, -1e7), 1e7) * 10).rounded()
        return Int(t)
    }

    /// Writes an integer count of tenths as "12", "12.5", "-0.5".
    static func tenths(_ t: Int) -> String {
        if t == 0 { return "0" }
        let a = t.magnitude
        var s = t < 0 ? "-" : ""
        s += String(a / 10)
        let f = a % 10
        if f != 0 { s += "." + String(f) }
        return s
    }

    /// Data attribute value: shortest round-trip form, integers without ".0".
    static func raw(_ v: Double) -> String {
        if v == 0 { return "0" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    // MARK: XML

    /// Escapes the five XML special characters, turns line breaks and tabs into
    /// spaces and drops characters XML 1.0 does not allow.
    static func xml(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&apos;".unicodeScalars)
            case "\t", "\n", "\r": out.append(" ")
            default:
                let v = u.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.append(u)
            }
        }
        return String(out)
    }

    /// Makes a string usable as (the start of) an XML id.
    static func idSafe(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            let ok = (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9")
                || ch == "-" || ch == "_" || ch == "."
            out.unicodeScalars.append(ok ? ch : "-")
        }
        if out.isEmpty { return "chart" }
        if let f = out.unicodeScalars.first, !((f >= "a" && f <= "z") || (f >= "A" && f <= "Z") || f == "_") {
            out = "c" + out
        }
        return out
    }
}
