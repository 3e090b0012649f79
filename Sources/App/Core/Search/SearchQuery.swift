import Foundation

/// A query in web-search syntax — words, "quoted phrases", OR between alternatives, -word to
/// exclude, word* for a prefix — parsed into a small tree that each database's index renders
/// into its own syntax. Anything else the user types (brackets, NEAR(, stars in the middle,
/// control characters) is treated as plain text, so no input can reach the engines as syntax.
public struct SearchQuery: Sendable, Equatable {
    public enum Term: Sendable, Equatable, Hashable {
        case word(String)
        case prefix(String)
        case phrase([String])

        /// The words, for highlighting and the "did you mean" of later.
        var words: [String] {
            switch self {
            case .word(let w), .prefix(let w): [w]
            case .phrase(let ws): ws
            }
        }
    }

    /// Every group must match; a group matches when any of its terms does.
    public var groups: [[Term]]
    public var excluded: [Term]

    public var isEmpty: Bool { groups.isEmpty }

    /// Longest query we look at; the rest is ignored.
    public static let maxLength = 500
    public static let maxTerms = 32

    public init(groups: [[Term]] = [], excluded: [Term] = []) {
        self.groups = groups
        self.excluded = excluded
    }

    public static func parse(_ raw: String) -> SearchQuery {
        let text = String(raw.unicodeScalars.prefix(maxLength).map { $0.properties.generalCategory == .control ? " " : Character($0) })
        var tokens: [(text: String, quoted: Bool, negated: Bool)] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isWhitespace { index = text.index(after: index); continue }
            var negated = false
            var start = index
            if character == "-" || character == "−" {
                let next = text.index(after: index)
                if next < text.endIndex, !text[next].isWhitespace { negated = true; start = next }
            }
            if start < text.endIndex, text[start] == "\"" || text[start] == "“" || text[start] == "”" {
                let open = text.index(after: start)
                let close = text[open...].firstIndex(where: { $0 == "\"" || $0 == "“" || $0 == "”" }) ?? text.endIndex
                tokens.append((String(text[open..<close]), true, negated))
                index = close < text.endIndex ? text.index(after: close) : close
            } else {
                let end = text[start...].firstIndex(where: { $0.isWhitespace }) ?? text.endIndex
                tokens.append((String(text[start..<end]), false, negated))
                index = end
            }
        }

        var groups: [[Term]] = []
        var excluded: [Term] = []
        var joinWithPrevious = false
        var count = 0
        for token in tokens {
            if !token.quoted && !token.negated && token.text == "OR" {
                joinWithPrevious = !groups.isEmpty
                continue
            }
            guard count < maxTerms, let term = term(from: token.text, quoted: token.quoted) else { continue }
            count += 1
            if token.negated {
                excluded.append(term)
            } else if joinWithPrevious, !groups.isEmpty {
                groups[groups.count - 1].append(term)
            } else {
                groups.append([term])
            }
            joinWithPrevious = false
        }
        return SearchQuery(groups: groups, excluded: groups.isEmpty ? [] : excluded)
    }

    /// Lower-cased words made of letters and digits; a trailing star on a lone word asks for a
    /// prefix; AND/NOT alone are words like any other.
    static func words(in text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init).filter { !$0.isEmpty }
    }

    static func term(from text: String, quoted: Bool) -> Term? {
        let words = words(in: text)
        if words.isEmpty { return nil }
        if quoted { return words.count == 1 ? .word(words[0]) : .phrase(words) }
        if words.count == 1 {
            let star = text.hasSuffix("*") && words[0].count >= 2
            return star ? .prefix(words[0]) : .word(words[0])
        }
        // "covid-19" or "e-mail": the pieces belong together.
        return .phrase(words)
    }

    /// Every word the query looks for, for highlighting.
    public var highlightWords: [String] { groups.flatMap { $0.flatMap(\.words) } }

    /// The query written back in web-search syntax (for the search box and URLs).
    public var text: String {
        func render(_ term: Term) -> String {
            switch term {
            case .word(let w): w
            case .prefix(let w): w + "*"
            case .phrase(let ws): "\"" + ws.joined(separator: " ") + "\""
            }
        }
        let positive = groups.map { $0.map(render).joined(separator: " OR ") }
        return (positive + excluded.map { "-" + render($0) }).joined(separator: " ")
    }
}
