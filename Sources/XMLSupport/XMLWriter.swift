/// A minimal streaming XML writer: every text node and attribute value is escaped here, and
/// characters XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF) are dropped, so a stray control
/// character in a document's metadata can never make a harvester or a feed reader reject the whole
/// document. Shared by the OAI-PMH and syndication libraries.
public struct XMLWriter: Sendable {
    public private(set) var output: String

    public init(declaration: Bool = true) {
        output = declaration ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : ""
    }

    /// Writes `<name …>`, the content, and `</name>`. Attributes whose value is nil are left out.
    public mutating func element(_ name: String, _ attributes: [(String, String?)] = [], content: (inout XMLWriter) -> Void) {
        open(name, attributes)
        output += ">"
        content(&self)
        output += "</\(name)>"
    }

    /// Writes an element holding only text; an empty text gives `<name/>`.
    public mutating func element(_ name: String, _ attributes: [(String, String?)] = [], text: String) {
        open(name, attributes)
        if text.isEmpty {
            output += "/>"
        } else {
            output += ">" + XMLEscaping.text(text) + "</\(name)>"
        }
    }

    /// Writes each value as its own element, for repeatable fields.
    public mutating func elements(_ name: String, _ values: [String]) {
        for value in values { element(name, text: value) }
    }

    private mutating func open(_ name: String, _ attributes: [(String, String?)]) {
        output += "<" + name
        for case let (attribute, value?) in attributes {
            output += " \(attribute)=\"" + XMLEscaping.attribute(value) + "\""
        }
    }
}

public enum XMLEscaping {
    public static func text(_ value: String) -> String {
        escape(value, quotes: false)
    }

    /// Also escapes quotes, and tab/newline/return as character references so that attribute-value
    /// normalisation does not turn them into spaces.
    public static func attribute(_ value: String) -> String {
        escape(value, quotes: true)
    }

    /// XML 1.0 `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    private static func escape(_ value: String, quotes: Bool) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(value.unicodeScalars.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\r": result += "&#13;"
            case "\"" where quotes: result += "&quot;"
            case "'" where quotes: result += "&apos;"
            case "\t" where quotes: result += "&#9;"
            case "\n" where quotes: result += "&#10;"
            default:
                if isAllowed(scalar) { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }
}
