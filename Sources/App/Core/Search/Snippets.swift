import Foundation

/// Cuts the passage around the first match out of a text and marks the matched words, in
/// Swift: asking FTS5 for `snippet()` costs a match evaluation per hit, which with a word family
/// (`migr*`) was most of a results page's time.
enum Snippets {
    static let words = 26
    static let wordsBefore = 8

    /// The passage, with matches between `SearchMarkers`; nil when no word of the query is found.
    /// The text is scanned as UTF-8 bytes (Unicode scalars decoded only outside ASCII), and
    /// only up to the end of the passage.
    static func passage(in text: String, query: SearchQuery) -> String? {
        let matchers = Matcher.all(for: query)
        guard !matchers.isEmpty else { return nil }
        // Folding is costly; only words that start like a query word are folded and compared.
        let initials = Set(matchers.compactMap(\.prefix.utf8.first))
        var text = text
        return text.withUTF8 { bytes -> String? in
            func matches(_ range: Range<Int>) -> Bool {
                let first = bytes[range.lowerBound]
                if first < 0x80 {
                    let lower = first >= 0x41 && first <= 0x5A ? first + 0x20 : first
                    guard initials.contains(lower) else { return false }
                }
                let folded = fold(string(bytes, range))
                return matchers.contains { $0.matches(folded) }
            }
            var before: [Range<Int>] = []
            var window: [Range<Int>] = []
            var cutBefore = false
            var cutAfter = false
            var tokens = Tokens(bytes: bytes)
            while let range = tokens.next() {
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
                out += string(bytes, cursor..<range.lowerBound)
                out += matches(range) ? String(SearchMarkers.open) + string(bytes, range) + String(SearchMarkers.close) : string(bytes, range)
                cursor = range.upperBound
            }
            if cutAfter { out += " …" }
            return out.replacingOccurrences(of: "\n", with: " ")
        }
    }

    /// The opening words of a text, unmarked.
    static func opening(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var tokens = Tokens(bytes: bytes)
            var last: Range<Int>? = nil
            var count = 0
            var more = false
            while let range = tokens.next() {
                if count == words { more = true; break }
                last = range
                count += 1
            }
            guard let last else { return "" }
            return string(bytes, 0..<last.upperBound).replacingOccurrences(of: "\n", with: " ") + (more ? " …" : "")
        }
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The words (runs of letters and digits) of UTF-8 text, as byte ranges.
    struct Tokens {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func next() -> Range<Int>? {
            while index < bytes.count {
                let (isWord, length) = Self.scalar(bytes, at: index)
                if isWord { break }
                index += length
            }
            guard index < bytes.count else { return nil }
            let start = index
            while index < bytes.count {
                let (isWord, length) = Self.scalar(bytes, at: index)
                guard isWord else { break }
                index += length
            }
            return start..<index
        }

        /// Whether the scalar at `offset` belongs to a word, and its length in bytes.
        static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (Bool, Int) {
            let lead = bytes[offset]
            if lead < 0x80 {
                return ((lead >= 0x30 && lead <= 0x39) || (lead >= 0x41 && lead <= 0x5A) || (lead >= 0x61 && lead <= 0x7A), 1)
            }
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            guard length > 1, offset + length <= bytes.count else { return (false, 1) }
            var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for next in 1..<length { value = value << 6 | (UInt32(bytes[offset + next]) & 0x3F) }
            guard let scalar = Unicode.Scalar(value) else { return (false, length) }
            return (isWordScalar(scalar), length)
        }

        static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark
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
