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
