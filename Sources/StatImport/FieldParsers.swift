import Foundation

// Small, allocation-light parsers for individual cell values.

extension String {
    /// The string without leading/trailing whitespace (including NBSP and line breaks).
    /// Returns `self` unchanged (no copy) in the common case.
    var trimmedCell: String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        if first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F { return self }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }

    /// At most `excerptLength` characters of a cell, for a message (with an ellipsis when cut), control
    /// characters written as their code: whatever a file holds, its problems stay short and printable.
    var excerpt: String {
        let short = utf8.count <= Self.excerptLength || prefix(Self.excerptLength + 1).count <= Self.excerptLength
            ? self : String(prefix(Self.excerptLength)) + "…"
        guard short.firstControlCharacter != nil else { return short }
        var out = ""
        for scalar in short.unicodeScalars {
            if scalar.isControlCharacter { out += scalar.codeNotation } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    static let excerptLength = 100

    /// The first C0 or C1 control character other than TAB, LF and CR (which CSV cells may hold).
    var firstControlCharacter: Unicode.Scalar? {
        // Most cells are plain ASCII text: one pass over the bytes finds nothing.
        guard utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }) else { return nil }
        return unicodeScalars.first { $0.isControlCharacter }
    }

    /// For SDMX-CSV exports with labels ("FR: France"), the code part before the colon.
    var sdmxCodePart: String {
        guard let colon = firstIndex(of: ":") else { return self }
        return String(self[..<colon]).trimmedCell
    }
}

/// A parsed reference period.
struct Period: Sendable {
    var canonical: String
    var year: Int
}

enum FieldParsers {
    /// Parses `yyyy`, `yyyy-Qn` (also `yyyyQn`, `yyyy-qn`) and `yyyy-mm` (also `yyyy-m`, `yyyy-Mmm`).
    static func period(_ text: String) -> Period? {
        let u = Array(text.utf8)
        guard u.count >= 4, u.count <= 8 else { return nil }
        var year = 0
        for k in 0..<4 {
            let d = u[k] &- 0x30
            guard d <= 9 else { return nil }
            year = year * 10 + Int(d)
        }
        let yearText = String(decoding: u[0..<4], as: UTF8.self)
        if u.count == 4 { return Period(canonical: yearText, year: year) }
        var i = 4
        if u[i] == 0x2D { i += 1 }              // '-'
        guard i < u.count else { return nil }
        let hadDash = i == 5
        if u[i] == 0x51 || u[i] == 0x71 {       // Q / q
            guard u.count == i + 2 else { return nil }
            let quarter = u[i + 1] &- 0x30
            guard quarter >= 1 && quarter <= 4 else { return nil }
            return Period(canonical: "\(yearText)-Q\(quarter)", year: year)
        }
        guard hadDash else { return nil }
        if u[i] == 0x4D || u[i] == 0x6D { i += 1 }  // SDMX style 2020-M03
        let digits = u.count - i
        guard digits == 1 || digits == 2 else { return nil }
        var month = 0
        for k in i..<u.count {
            let d = u[k] &- 0x30
            guard d <= 9 else { return nil }
            month = month * 10 + Int(d)
        }
        guard month >= 1 && month <= 12 else { return nil }
        return Period(canonical: month < 10 ? "\(yearText)-0\(month)" : "\(yearText)-\(month)", year: year)
    }

    /// True when a header cell *looks* like it was meant to be a period (starts with four digits).
    static func looksLikePeriod(_ text: String) -> Bool {
        let u = text.utf8
        guard u.count >= 4 else { return false }
        return u.prefix(4).allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Sex code: 0 = T, 1 = F, 2 = M, nil = invalid. Empty means total.
    static func sex(_ trimmed: String) -> UInt8? {
        switch trimmed.uppercased() {
        case "", "T", "_T", "TOTAL", "BOTH", "BOTH SEXES", "ALL": return 0
        case "F", "FEMALE", "FEMALES", "W", "WOMEN": return 1
        case "M", "MALE", "MALES", "MEN": return 2
        default: return nil
        }
    }

    static let sexCodes = ["T", "F", "M"]

    /// Observation flag: "", "E", "P", "B", "D"; nil = invalid. SDMX status "A" (normal value) means no flag.
    static func flag(_ trimmed: String, sdmx: Bool) -> String? {
        switch trimmed.uppercased() {
        case "": return ""
        case "A" where sdmx: return ""
        case "E", "ESTIMATE", "ESTIMATED": return "E"
        case "P", "PROVISIONAL": return "P"
        case "B", "BREAK": return "B"
        case "D", "DERIVED": return "D"
        default: return nil
        }
    }

    /// Unit normalised for comparison: case-insensitive, "%" == "percent".
    static func normalizedUnit(_ text: String) -> String {
        let lower = text.trimmedCell.lowercased()
        switch lower {
        case "%", "percent", "per cent", "percentage": return "percent"
        default: return lower
        }
    }

    /// Unit multiplier (power of ten): 0, 3, 6 or 9; empty = 0; nil = invalid.
    static func unitMultiplier(_ trimmed: String) -> Int? {
        switch trimmed {
        case "", "0": return 0
        case "3": return 3
        case "6": return 6
        case "9": return 9
        default: return nil
        }
    }

    /// Cell contents that mean "no value".
    static func isMissingMarker(_ trimmed: String) -> Bool {
        if trimmed.isEmpty { return true }
        guard let first = trimmed.utf8.first, !(first >= 0x30 && first <= 0x39), trimmed.utf8.count <= 5 else {
            return false
        }
        switch trimmed.lowercased() {
        case "-", "\u{2013}", "\u{2014}", "..", "...", "\u{2026}", ":", "n/a", "na", "n.a.", "nan":
            return true
        default:
            return false
        }
    }

    enum Number {
        case value(Double, grouped: Bool)
        case invalid(hint: String)
    }

    /// Parses a trimmed, non-missing numeric cell.
    ///
    /// Accepted: optional sign, digits, optional thousands grouping (`,` or `.` depending on
    /// `decimalComma`, or spaces/NBSP) in groups of three, optional decimal part, optional exponent
    /// (only without grouping). The value is scaled by 10^`multiplier` exactly (via the exponent).
    static func number(_ text: String, decimalComma: Bool, multiplier: Int) -> Number {
        let decimalMark: UInt8 = decimalComma ? 0x2C : 0x2E
        let groupMark: UInt8 = decimalComma ? 0x2E : 0x2C
        enum Scan { case direct(grouped: Bool), built(String, grouped: Bool), invalid(String) }
        var bytes = text
        let scan = bytes.withUTF8 { u -> Scan in
            let n = u.count
            var i = 0
            var negative = false
            if i < n && (u[i] == 0x2B || u[i] == 0x2D) { negative = u[i] == 0x2D; i += 1 }
            let intStart = i
            var intDigits = 0
            var groupKind: UInt8 = 0      // 0 none, 1 mark, 2 space-like
            var groupLen = 0
            var groups = 0
            scan: while i < n {
                let b = u[i]
                if b >= 0x30 && b <= 0x39 { intDigits += 1; groupLen += 1; i += 1; continue }
                var kind: UInt8 = 0
                var width = 1
                if b == groupMark { kind = 1 }
                else if b == 0x20 { kind = 2 }
                else if b == 0xC2 && i + 1 < n && u[i + 1] == 0xA0 { kind = 2; width = 2 }            // NBSP
                else if b == 0xE2 && i + 2 < n && u[i + 1] == 0x80 && (u[i + 2] == 0xAF || u[i + 2] == 0x89) {
                    kind = 2; width = 3                                                              // narrow NBSP, thin space
                } else { break scan }
                if intDigits == 0 || (groupKind != 0 && groupKind != kind) { return .invalid(hint(decimalComma, u)) }
                if groups == 0 ? !(1...3).contains(groupLen) : groupLen != 3 { return .invalid(hint(decimalComma, u)) }
                groupKind = kind
                groups += 1
                groupLen = 0
                i += width
            }
            if groups > 0 && groupLen != 3 { return .invalid(hint(decimalComma, u)) }
            let intEnd = i
            var fracStart = i, fracEnd = i
            var hasDecimalMark = false
            if i < n && u[i] == decimalMark {
                hasDecimalMark = true
                i += 1
                fracStart = i
                while i < n && u[i] >= 0x30 && u[i] <= 0x39 { i += 1 }
                fracEnd = i
            }
            let fracDigits = fracEnd - fracStart
            guard intDigits + fracDigits > 0 else { return .invalid(hint(decimalComma, u)) }
            var exponent = 0
            var hasExponent = false
            if i < n && (u[i] == 0x65 || u[i] == 0x45) && groups == 0 {
                hasExponent = true
                i += 1
                var expNegative = false
                if i < n && (u[i] == 0x2B || u[i] == 0x2D) { expNegative = u[i] == 0x2D; i += 1 }
                let expStart = i
                while i < n && u[i] >= 0x30 && u[i] <= 0x39 {
                    if exponent < 100_000 { exponent = exponent * 10 + Int(u[i] - 0x30) }
                    i += 1
                }
                guard i > expStart else { return .invalid(hint(decimalComma, u)) }
                if expNegative { exponent = -exponent }
            }
            guard i == n else { return .invalid(hint(decimalComma, u)) }

            if groups == 0 && (!hasDecimalMark || decimalMark == 0x2E) && multiplier == 0 {
                return .direct(grouped: false)   // already in the form Double(_:) reads
            }
            var clean = ""
            clean.reserveCapacity(n + 6)
            if negative { clean.append("-") }
            for k in intStart..<intEnd where u[k] >= 0x30 && u[k] <= 0x39 {
                clean.unicodeScalars.append(Unicode.Scalar(u[k]))
            }
            if intDigits == 0 { clean.append("0") }
            if fracDigits > 0 {
                clean.append(".")
                for k in fracStart..<fracEnd { clean.unicodeScalars.append(Unicode.Scalar(u[k])) }
            }
            let e = (hasExponent ? exponent : 0) + multiplier
            if e != 0 { clean.append("e\(e)") }
            return .built(clean, grouped: groups > 0)
        }
        let parsed: Double?
        let grouped: Bool
        switch scan {
        case .invalid(let hint): return .invalid(hint: hint)
        case .direct(let g): parsed = Double(text); grouped = g
        case .built(let clean, let g): parsed = Double(clean); grouped = g
        }
        guard let value = parsed, value.isFinite else {
            return .invalid(hint: "it is outside the representable range")
        }
        return .value(value, grouped: grouped)
    }

    private static func hint(_ decimalComma: Bool, _ u: UnsafeBufferPointer<UInt8>) -> String {
        if !decimalComma && u.contains(0x2C) && !u.contains(0x2E) {
            return "if the file uses a decimal comma, enable the decimal-comma option"
        }
        if decimalComma && u.contains(0x2E) && !u.contains(0x2C) {
            return "the decimal-comma option is on, so '.' is only accepted as a thousands separator"
        }
        return "expected a plain number such as 1234.5"
    }
}

extension Unicode.Scalar {
    /// C0 and C1 controls except TAB, LF and CR.
    var isControlCharacter: Bool {
        (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || (0x7F...0x9F).contains(value)
    }

    /// "U+001B".
    var codeNotation: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
