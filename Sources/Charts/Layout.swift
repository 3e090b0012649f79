import Foundation

/// Text width estimates. There are no font metrics on the server, so widths are
/// approximated from typical sans-serif advances (Arial/Helvetica/Roboto class),
/// rounded up a little so labels rather get too much room than too little.
enum TextMetrics {
    static func width(_ s: String, size: Double, bold: Bool = false) -> Double {
        var em = 0.0
        for u in s.unicodeScalars { em += advance(u) }
        return em * size * (bold ? 1.15 : 1.08)
    }

    static func advance(_ u: Unicode.Scalar) -> Double {
        switch u {
        case " ", "\u{A0}", "\u{202F}": return 0.28
        case "i", "j", "l", "I", "!", "|", ".", ",", ":", ";", "'": return 0.26
        case "f", "t", "r", "(", ")", "[", "]", "-", "/", "\"": return 0.36
        case "0"..."9", "$", "€", "£", "#", "?", "_": return 0.56
        case "m", "w": return 0.84
        case "M", "W", "%", "@": return 0.9
        case "A"..."Z": return 0.69
        case "a"..."z": return 0.54
        case "–", "—", "…": return 0.75
        default:
            let v = u.value
            if (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) { return 0 } // combining, zero-width
            if v >= 0x2E80 { return 1.0 } // CJK and friends: full width
            return 0.62
        }
    }

    /// Greedy word wrap into lines no wider than `maxWidth`; at most `maxLines`
    /// (the last one is shortened with an ellipsis). Words longer than a line are cut.
    static func wrap(_ s: String, size: Double, maxWidth: Double, maxLines: Int, bold: Bool = false) -> [String] {
        let words = s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { return [] }
        var lines: [String] = []
        var current = ""
        for word in words {
            let candidate = current.isEmpty ? word : current + " " + word
            if width(candidate, size: size, bold: bold) <= maxWidth || current.isEmpty {
                current = candidate
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty { lines.append(current) }
        if lines.count > maxLines {
            let kept = Array(lines.prefix(maxLines))
            let rest = lines[(maxLines - 1)...].joined(separator: " ")
            lines = Array(kept.dropLast()) + [truncate(rest + "…", size: size, maxWidth: maxWidth, bold: bold)]
        }
        return lines.map { width($0, size: size, bold: bold) > maxWidth ? truncate($0, size: size, maxWidth: maxWidth, bold: bold) : $0 }
    }

    /// Shortens `s` with "…" until it fits.
    static func truncate(_ s: String, size: Double, maxWidth: Double, bold: Bool = false) -> String {
        if width(s, size: size, bold: bold) <= maxWidth { return s }
        var chars = Array(s.hasSuffix("…") ? String(s.dropLast()) : s)
        while !chars.isEmpty {
            chars.removeLast()
            let t = String(chars).trimmingCharacters(in: .whitespaces) + "…"
            if width(t, size: size, bold: bold) <= maxWidth { return t }
        }
        return "…"
    }
}

/// Axis tick computation.
enum Ticks {
    struct Set: Equatable {
        var values: [Double]
        /// Step = mantissa × 10^exponent with mantissa 1, 2 or 5.
        var mantissa: Int
        var exponent: Int
        var step: Double { Double(mantissa) * pow(10.0, Double(exponent)) }
        var lo: Double { values.first ?? 0 }
        var hi: Double { values.last ?? 1 }
    }

    /// An exact-as-possible k × 10^e (so 3 × 10^-1 prints as 0.3, not 0.30000000000000004).
    static func value(_ k: Double, _ e: Int) -> Double {
        e >= 0 ? k * pow(10.0, Double(e)) : k / pow(10.0, Double(-e))
    }

    /// "Nice" ticks (1-2-5 steps) covering [lo, hi] with at most `maxCount` ticks.
    static func nice(lo: Double, hi: Double, maxCount: Int) -> Set {
        var lo = lo, hi = hi
        if !(lo.isFinite && hi.isFinite) { lo = 0; hi = 1 }
        if lo > hi { swap(&lo, &hi) }
        // Keep the arithmetic finite: no infinite spans, no denormal steps.
        lo = max(lo, -1e300)
        hi = min(hi, 1e300)
        if max(abs(lo), abs(hi)) < 1e-200 { lo = 0; hi = 0 }
        if hi - lo <= max(abs(hi), abs(lo)) * 1e-12 {
            // Degenerate range: show 0 … value (or value … 0), or 0 … 1 for zero.
            if hi > 0 { lo = 0 } else if lo < 0 { hi = 0 } else { hi = 1 }
        }
        let count = max(maxCount, 2)
        var e = Int(floor(log10((hi - lo) / Double(count)))) - 1
        while true {
            for m in [1, 2, 5] {
                let step = value(Double(m), e)
                let kLo = floor(lo / step + 1e-9)
                let kHi = ceil(hi / step - 1e-9)
                if kHi - kLo <= Double(count - 1) {
                    let values = stride(from: kLo, through: kHi, by: 1).map { value($0 * Double(m), e) }
                    return Set(values: values.map { $0 == 0 ? 0 : $0 }, mantissa: m, exponent: e)
                }
            }
            e += 1
        }
    }

    /// Domain of a value axis: includes 0 when all values are on one side of it,
    /// unless the data are far from 0 (closest value more than half the largest away).
    static func valueDomain(_ values: [Double]) -> (lo: Double, hi: Double) {
        guard let mn = values.min(), let mx = values.max() else { return (0, 1) }
        if mn >= 0 {
            return (mn <= mx / 2 || mn == mx ? 0 : mn, mx)
        }
        if mx <= 0 {
            return (mn, mx >= mn / 2 || mn == mx ? 0 : mx)
        }
        return (mn, mx)
    }

    /// Integer x ticks (years) at multiples of a step from 1, 2, 5, 10, 20, 25, 50, …
    /// chosen so labels keep `minGap` units apart.
    static func years(lo: Double, hi: Double, pixelsPerUnit: Double, minGap: Double) -> [Double] {
        guard hi > lo else { return [lo] }
        let bases: [Double] = [1, 2, 5, 10, 20, 25, 50]
        var factor = 1.0
        while factor < 1e12 {
            for b in bases where b * factor >= 1 {
                let step = b * factor
                if step * pixelsPerUnit >= minGap {
                    let first = ceil(lo / step - 1e-9) * step
                    let values = stride(from: first, through: hi + 1e-9, by: step).map { $0 }
                    if values.isEmpty { return [lo, hi] }
                    return values
                }
            }
            factor *= 100
        }
        return [lo, hi]
    }
}
