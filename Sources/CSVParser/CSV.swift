/// Reads RFC 4180 CSV (UTF-8): quoted fields, doubled quotes, commas and line breaks inside quotes,
/// CRLF or LF line ends. Every row remembers the line it started on so callers can name it in errors.
public enum CSV {
    /// Parses `text` whose first record is the header.
    public static func parse(_ text: String) throws(CSVError) -> CSVTable {
        let records = try records(in: text)
        guard let header = records.first else { throw CSVError(line: 1, message: "the file is empty") }
        let names = header.fields.map { String(String.UnicodeScalarView($0.unicodeScalars.filter { $0 != " " && $0 != "\u{FEFF}" })) }
        var rows: [CSVRow] = []
        for record in records.dropFirst() {
            if record.fields == [""] { continue }
            guard record.fields.count == names.count else {
                throw CSVError(
                    line: record.line,
                    message: "expected \(names.count) fields, found \(record.fields.count)"
                )
            }
            rows.append(CSVRow(line: record.line, header: names, fields: record.fields))
        }
        return CSVTable(header: names, rows: rows)
    }

    /// Splits `text` into records without interpreting a header.
    public static func records(in text: String) throws(CSVError) -> [(line: Int, fields: [String])] {
        var result: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var recordLine = 1
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil

        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            result.append((recordLine, fields))
            fields = []
            field = ""
            fieldWasQuoted = false
        }

        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = following }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty, !fieldWasQuoted else {
                    throw CSVError(line: line, column: fields.count + 1, message: "a quote inside an unquoted field")
                }
                inQuotes = true
                fieldWasQuoted = true
            case ",":
                fields.append(field)
                field = ""
                fieldWasQuoted = false
            case "\r":
                if let following = next(), following != "\n" { pending = following }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                if fieldWasQuoted {
                    throw CSVError(line: line, column: fields.count + 1, message: "text after a closing quote")
                }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw CSVError(line: recordLine, message: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }
        return result
    }
}

public struct CSVTable: Sendable {
    public let header: [String]
    public let rows: [CSVRow]
}

public struct CSVRow: Sendable {
    /// The line of the file on which this record starts (1-based, the header is line 1).
    public let line: Int
    public let header: [String]
    public let fields: [String]

    /// The value in the named column, or nil when the table has no such column.
    public subscript(column: String) -> String? {
        guard let index = header.firstIndex(of: column) else { return nil }
        return fields[index]
    }
}

public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int?
    public let message: String

    public init(line: Int, column: Int? = nil, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let column { return "line \(line), column \(column): \(message)" }
        return "line \(line): \(message)"
    }
}
