import Foundation

/// Cuts the passage around the first match out of a text and marks the matched words, in
/// Swift: asking FTS5 for `snippet()` costs a match evaluation per hit, which with a word family
/// (`migr*`) was most of a results page's time.
enum Snippets {
    static let words = 26
    static let wordsBefore = 8

    /// The passage, with matches between `SearchMarkers`; nil when no word of the query is found.
    /// The text is scanned by Unicode scalars, and only up to the end of the passage.
    static func passage(in text: String, query: SearchQuery) -> String? {
        let matchers = Matcher.all(for: query)
        guard !matchers.isEmpty else { return nil }
        // Folding is costly; only words that start like a query word are folded and compared.
        let initials = Set(matchers.compactMap(\.prefix.unicodeScalars.first).flatMap { [$0] + String($0).uppercased().unicodeScalars })
        func matches(_ range: Range<String.Index>) -> Bool {
            guard let initial = text.unicodeScalars[range].first, !initial.isASCII || initials.contains(initial) else { return false }
            let folded = fold(text[range])
            return matchers.contains { $0.matches(folded) }
        }
        var before: [Range<String.Index>] = []
        var window: [Range<String.Index>] = []
        var cutBefore = false
        var cutAfter = false
        for range in TokenSequence(text: text) {
            if !window.isEmpty {
                if before.count + window.count >= words { cutAfter = true; break }
                window.append(range)
            } else if matches(range) {
                window.append(range)
            } else {
                before.append(range)
                if before.count > wordsBefore { before.removeFirst(); cutBefore = true }
            }
        }
        guard !window.isEmpty, let first = (before + window).first else { return nil }
        var out = cutBefore ? "… " : ""
        var cursor = first.lowerBound
        for range in before + window {
            out += text[cursor..<range.lowerBound]
            out += matches(range) ? String(SearchMarkers.open) + text[range] + String(SearchMarkers.close) : String(text[range])
            cursor = range.upperBound
        }
        if cutAfter { out += " …" }
        return out.replacingOccurrences(of: "\n", with: " ")
    }

    /// The opening words of a text, unmarked.
    static func opening(_ text: String) -> String {
        var last: Range<String.Index>? = nil
        var count = 0
        var more = false
        for range in TokenSequence(text: text) {
            if count == words { more = true; break }
            last = range
            count += 1
        }
        guard let last else { return "" }
        return String(text[text.startIndex..<last.upperBound]).replacingOccurrences(of: "\n", with: " ") + (more ? " …" : "")
    }

    /// The words (runs of letters and digits) of a text, lazily, by Unicode scalars.
    struct TokenSequence: Sequence, IteratorProtocol {
        let text: String
        var index: String.Index

        init(text: String) {
            self.text = text
            self.index = text.unicodeScalars.startIndex
        }

        mutating func next() -> Range<String.Index>? {
            let scalars = text.unicodeScalars
            while index < scalars.endIndex, !Self.isWordScalar(scalars[index]) { index = scalars.index(after: index) }
            guard index < scalars.endIndex else { return nil }
            let start = index
            while index < scalars.endIndex, Self.isWordScalar(scalars[index]) { index = scalars.index(after: index) }
            return start..<index
        }

        static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            if scalar.isASCII { return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) }
            return scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark
        }
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
