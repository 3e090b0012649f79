/// Reads the visible text of an HTML page: a forgiving scan, not a parser, because uploaded
/// pages are often malformed and all the index needs is words and line breaks.
enum HTMLText {
    /// Elements whose content is never shown as text.
    private static let hidden: Set<String> = ["script", "style", "noscript", "template", "svg", "math", "iframe", "object"]
    /// Elements set apart by a blank line (the `<title>` is one, so it leads the text).
    private static let paragraphs: Set<String> = [
        "address", "article", "aside", "blockquote", "dl", "fieldset", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "title", "ul",
    ]
    /// Elements that start a new line.
    private static let lines: Set<String> = [
        "body", "caption", "dd", "details", "dialog", "div", "dt", "figcaption", "head", "html", "li", "summary", "tr",
    ]
    private static let cells: Set<String> = ["td", "th"]

    static func text(of html: String) -> String {
        let bytes = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 2)
        var pendingSpace = false
        var preformatted = 0
        var index = 0

        func breakLine() {
            while output.last == UInt8(ascii: " ") { output.removeLast() }
            output.append(UInt8(ascii: "\n"))
            pendingSpace = false
        }
        /// Ends the current line with `count` line breaks, counting those already there.
        func endLine(with count: Int) {
            while output.last == UInt8(ascii: " ") { output.removeLast() }
            let present = output.reversed().prefix { $0 == UInt8(ascii: "\n") }.count
            if present < count { output.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: count - present)) }
            pendingSpace = false
        }
        func emit(_ scalar: Unicode.Scalar) {
            if pendingSpace, let last = output.last, last != UInt8(ascii: "\n") { output.append(UInt8(ascii: " ")) }
            pendingSpace = false
            output.append(contentsOf: Array(String(scalar).utf8))
        }

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "<"):
                guard let tag = Tag.scan(bytes, at: index) else {
                    emit("<")
                    index += 1
                    continue
                }
                index = tag.end
                guard let name = tag.name else { continue }
                if !tag.isClosing, !tag.isSelfClosing, hidden.contains(name) {
                    index = Tag.endOfElement(named: name, in: bytes, from: index)
                    continue
                }
                if name == "pre" { preformatted = max(0, preformatted + (tag.isClosing ? -1 : 1)) }
                if name == "br" {
                    breakLine()
                } else if paragraphs.contains(name) {
                    endLine(with: 2)
                } else if lines.contains(name) {
                    endLine(with: 1)
                } else if cells.contains(name), !tag.isClosing, let last = output.last, last != UInt8(ascii: "\n") {
                    while output.last == UInt8(ascii: " ") { output.removeLast() }
                    output.append(UInt8(ascii: "\t"))
                    pendingSpace = false
                }
            case UInt8(ascii: "&"):
                if let (scalars, end) = HTMLEntities.decode(bytes, from: index + 1) {
                    // A non-breaking space is a space to anyone searching.
                    for scalar in scalars {
                        if scalar == "\u{A0}" { pendingSpace = true } else { emit(scalar) }
                    }
                    index = end
                } else {
                    emit("&")
                    index += 1
                }
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0C:
                if preformatted > 0 {
                    if byte == UInt8(ascii: "\n") { breakLine() } else if byte != UInt8(ascii: "\r") { output.append(byte) }
                } else {
                    pendingSpace = true
                }
                index += 1
            default:
                if pendingSpace, let last = output.last, last != UInt8(ascii: "\n") { output.append(UInt8(ascii: " ")) }
                pendingSpace = false
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// One piece of markup starting with `<`: a tag, comment, doctype or processing instruction.
private struct Tag {
    /// Lowercased element name; `nil` for comments, doctypes and the like.
    var name: String?
    var isClosing = false
    var isSelfClosing = false
    /// Index just past the markup.
    var end: Int

    /// `nil` when the `<` does not start markup (as in "a < b"), so it is text.
    static func scan(_ bytes: [UInt8], at start: Int) -> Tag? {
        var index = start + 1
        guard index < bytes.count else { return nil }
        if bytes[index...].starts(with: Array("!--".utf8)) {
            return Tag(name: nil, end: find(Array("-->".utf8), in: bytes, from: index + 3).map { $0 + 3 } ?? bytes.count)
        }
        if bytes[index] == UInt8(ascii: "!") || bytes[index] == UInt8(ascii: "?") {
            return Tag(name: nil, end: find([UInt8(ascii: ">")], in: bytes, from: index).map { $0 + 1 } ?? bytes.count)
        }
        var tag = Tag(name: nil, end: bytes.count)
        if bytes[index] == UInt8(ascii: "/") {
            tag.isClosing = true
            index += 1
        }
        let nameStart = index
        while index < bytes.count, isNameByte(bytes[index], first: index == nameStart) { index += 1 }
        guard index > nameStart else { return nil }
        tag.name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
        // Attributes: skip to the `>` that is not inside a quoted value.
        var quote: UInt8?
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                tag.isSelfClosing = index > nameStart && bytes[index - 1] == UInt8(ascii: "/")
                tag.end = index + 1
                return tag
            }
            index += 1
        }
        return tag
    }

    /// The index just past `</name…>`, or the end of the text if it is never closed.
    static func endOfElement(named name: String, in bytes: [UInt8], from start: Int) -> Int {
        let closing = Array("</\(name)".utf8)
        var index = start
        while let found = find(closing, in: bytes, from: index, caseInsensitive: true) {
            let after = found + closing.count
            if after >= bytes.count || !isNameByte(bytes[after], first: false) {
                return find([UInt8(ascii: ">")], in: bytes, from: after).map { $0 + 1 } ?? bytes.count
            }
            index = after
        }
        return bytes.count
    }

    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "_"): !first
        default: false
        }
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int, caseInsensitive: Bool = false) -> Int? {
        guard let first = needle.first, needle.count <= bytes.count else { return nil }
        var index = start
        let last = bytes.count - needle.count
        while index <= last {
            if matches(bytes[index], first, caseInsensitive) {
                var offset = 1
                while offset < needle.count, matches(bytes[index + offset], needle[offset], caseInsensitive) { offset += 1 }
                if offset == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    private static func matches(_ a: UInt8, _ b: UInt8, _ caseInsensitive: Bool) -> Bool {
        caseInsensitive ? lower(a) == lower(b) : a == b
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
