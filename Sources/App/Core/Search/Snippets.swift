import Foundation

/// Cuts the passage around the first match out of a text and marks the matched words, in
/// Swift: asking FTS5 for `snippet()` costs a match evaluation per hit, which with a word family
/// (`migr*`) was most of a results page's time.
enum Snippets {
    static let words = 26

    /// The passage, with matches between `SearchMarkers`; nil when no word of the query is found.
    static func passage(in text: String, query: SearchQuery) -> String? {
        let matchers = Matcher.all(for: query)
        guard !matchers.isEmpty else { return nil }
        let tokens = Self.tokens(text)
        // Folding is costly; only words that start like a query word are folded and compared.
        let initials = Set(matchers.compactMap(\.prefix.first).flatMap { [$0, Character($0.uppercased())] })
        func matches(_ token: Token) -> Bool {
            guard let initial = text[token.range].first, !initial.isASCII || initials.contains(initial) else { return false }
            let folded = fold(text[token.range])
            return matchers.contains { $0.matches(folded) }
        }
        guard let first = tokens.firstIndex(where: matches) else { return nil }
        let start = max(0, first - 8)
        let end = min(tokens.count, start + words)
        var out = start > 0 ? "… " : ""
        var cursor = tokens[start].range.lowerBound
        for token in tokens[start..<end] {
            out += text[cursor..<token.range.lowerBound]
            if matches(token) {
                out += String(SearchMarkers.open) + text[token.range] + String(SearchMarkers.close)
            } else {
                out += text[token.range]
            }
            cursor = token.range.upperBound
        }
        if end < tokens.count { out += " …" }
        return out.replacingOccurrences(of: "\n", with: " ")
    }

    /// The opening words of a text, unmarked.
    static func opening(_ text: String) -> String {
        let tokens = Self.tokens(text)
        guard let last = tokens.prefix(words).last else { return "" }
        return String(text[text.startIndex..<last.range.upperBound]).replacingOccurrences(of: "\n", with: " ")
            + (tokens.count > words ? " …" : "")
    }

    struct Token {
        var range: Range<String.Index>
    }

    static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var start: String.Index? = nil
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isLetter || character.isNumber {
                if start == nil { start = index }
            } else if let s = start {
                tokens.append(Token(range: s..<index))
                start = nil
            }
            index = text.index(after: index)
        }
        if let s = start { tokens.append(Token(range: s..<text.endIndex)) }
        return tokens
    }

    static func fold<S: StringProtocol>(_ word: S) -> String {
        String(word).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// How a query word recognises the words of a text: the same word, its word family, or
    /// (roughly, as the stemmers do) its inflections.
    struct Matcher {
        let prefix: String
        let exact: String

        func matches(_ folded: String) -> Bool { folded == exact || folded.hasPrefix(prefix) }

        static func all(for query: SearchQuery) -> [Matcher] {
            query.groups.flatMap { $0 }.flatMap { term -> [Matcher] in
                switch term {
                case .prefix(let word): [Matcher(prefix: fold(word), exact: fold(word))]
                case .word(let word): [matcher(word)]
                case .phrase(let words): words.map(matcher)
                }
            }
        }

        static func matcher(_ word: String) -> Matcher {
            let folded = fold(word)
            if let root = WordFamily.root(of: folded) { return Matcher(prefix: root, exact: folded) }
            // Inflections: "policies" → "polic", "managing" → "manag".
            var stem = folded
            for suffix in ["ies", "ing", "es", "ed", "s", "y", "e"] where stem.count - suffix.count >= 3 && stem.hasSuffix(suffix) {
                stem = String(stem.dropLast(suffix.count))
                break
            }
            return Matcher(prefix: stem.count >= 3 ? stem : folded, exact: folded)
        }
    }
}
