/// Writes CSV cells (RFC 4180, UTF-8) that spreadsheet programs open safely. Every CSV the
/// platform writes goes through here; the statistics export builds its database-written lines from
/// the same character sets, so that both paths write the same bytes.
public enum CSVCell {
    /// First characters that make a spreadsheet read a text cell as a formula (= + - @), or that
    /// hide one in front of it (TAB, CR). Such a text cell is written with `formulaGuard` before it.
    public static let formulaStarters: [Unicode.Scalar] = ["=", "+", "-", "@", "\t", "\r"]
    /// Spreadsheets show a cell starting with an apostrophe as the text after it.
    public static let formulaGuard = "'"
    /// Characters that make a cell quoted (its quotes doubled).
    public static let quoteTriggers: [Unicode.Scalar] = [",", "\"", "\n", "\r"]

    /// A text cell: guarded when it starts like a formula, quoted when it holds a delimiter, a quote
    /// or a line end. Looks at Unicode scalars, not characters: "\r\n" is one `Character` in Swift,
    /// and a combining mark after "=" would hide the "=" from a `Character` comparison.
    public static func text(_ value: String) -> String {
        if isWrittenAsIs(value) { return value }
        var text = value
        if let first = value.unicodeScalars.first, formulaStarters.contains(first) { text = formulaGuard + value }
        guard text.unicodeScalars.contains(where: { quoteTriggers.contains($0) }) else { return text }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }

    /// Whether `text` leaves `value` as it is: it neither starts like a formula nor needs quotes.
    public static func isWrittenAsIs(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first else { return true }
        return !formulaStarters.contains(first) && !value.unicodeScalars.contains { quoteTriggers.contains($0) }
    }

    /// A number cell, never guarded (a negative number stays a number): whole values without a
    /// decimal point, others in Swift's shortest form that reads back to the same value.
    public static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    public static func number(_ value: Int) -> String { String(value) }

    /// One record: cells already written by `text` or `number`, joined by commas.
    public static func record(_ cells: [String]) -> String { cells.joined(separator: ",") }
}
