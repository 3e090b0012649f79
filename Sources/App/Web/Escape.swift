import Foundation
import Plot

/// The one escaping helper for attribute values. Plot escapes text nodes but writes attribute
/// values as given, so every attribute that can hold anything not written in this source goes
/// through `Escape.attribute` (usually by way of `Node.attr`).
public enum Escape {
    public static func attribute(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}

extension Node {
    /// An attribute whose value is escaped: the way views set attributes.
    static func attr(_ name: String, _ value: String) -> Node {
        // Kept when empty: `value=""` on an option is a value, not an absent attribute.
        .attribute(Attribute(name: name, value: Escape.attribute(value), ignoreIfValueIsEmpty: false))
    }

    /// A boolean attribute such as `required` or `selected`, present only when `on`.
    static func flag(_ name: String, _ on: Bool = true) -> Node {
        on ? .attribute(named: name) : .empty
    }

    /// Any element by name, for the few that Plot's typed contexts make awkward.
    static func el(_ name: String, _ nodes: Node...) -> Node {
        .element(named: name, nodes: nodes)
    }

    static func link(_ url: SiteURL, _ nodes: Node...) -> Node {
        .element(named: "a", nodes: [.attr("href", url.path)] + nodes)
    }
}

extension Node where Context == HTML.FormContext {
    /// Where a form is sent: a typed address, escaped like every attribute.
    static func action(_ url: SiteURL) -> Node {
        .attr("action", url.path)
    }
}

/// schema.org data for a `<script type="application/ld+json">`: sorted keys, and `<`, `>`, `&`
/// escaped so that no value can close the script element.
enum JSONLD {
    static func encode(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e").replacingOccurrences(of: "&", with: "\\u0026")
    }
}

/// A URL name from a title: folded to lower-case ASCII where possible, words joined by "-",
/// at most eight words and 60 characters; `fallback` when nothing is left.
enum Slug {
    static func from(_ title: String, fallback: String) -> String {
        let folded = title.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        let words = folded.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).prefix(8).joined(separator: "-")
        return String((words.isEmpty ? fallback : words).prefix(60))
    }
}
