import Foundation

/// What the citation formats need to know about a work. One record gives a formatted reference
/// (`reference`), BibTeX (`bibTeX`) and RIS (`ris`).
public struct CitationRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case report, article, book, chapter, thesis, conferencePaper, legislation, dataset, webpage, misc
    }

    public struct Author: Sendable, Hashable {
        /// A person as "Family, Given" (optionally "Family, Given, Suffix"), or an organisation's
        /// full name. A person's name without a comma is used as written.
        public var name: String
        public var isCorporate: Bool

        public init(_ name: String, isCorporate: Bool = false) {
            self.name = name
            self.isCorporate = isCorporate
        }

        public static func corporate(_ name: String) -> Author {
            Author(name, isCorporate: true)
        }

        var family: String { parts[0] }
        var given: String? { parts.count > 1 ? parts[1] : nil }
        var suffix: String? { parts.count > 2 ? parts[2...].joined(separator: ", ") : nil }

        private var parts: [String] {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if isCorporate { return [trimmed] }
            let pieces = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return pieces.isEmpty ? [trimmed] : pieces
        }
    }

    public var kind: Kind
    public var title: String
    public var authors: [Author]
    /// The publisher; the institution of a report, the university of a thesis.
    public var publisher: String?
    /// The journal of an article, the book of a chapter, the proceedings of a conference paper.
    public var containerTitle: String?
    public var volume: String?
    public var issue: String?
    /// e.g. `12-34`.
    public var pages: String?
    public var year: Int?
    public var month: Int?
    public var day: Int?
    /// Place of publication.
    public var place: String?
    public var url: String?
    /// A bare DOI (`10.1234/abc`) or a DOI URL.
    public var doi: String?
    public var isbn: String?
    /// An ISO 639 code, e.g. `en`.
    public var language: String?
    public var abstract: String?
    public var keywords: [String]
    /// When the online version was consulted.
    public var accessed: Date?

    public init(
        kind: Kind, title: String, authors: [Author] = [], publisher: String? = nil, containerTitle: String? = nil,
        volume: String? = nil, issue: String? = nil, pages: String? = nil,
        year: Int? = nil, month: Int? = nil, day: Int? = nil, place: String? = nil,
        url: String? = nil, doi: String? = nil, isbn: String? = nil, language: String? = nil,
        abstract: String? = nil, keywords: [String] = [], accessed: Date? = nil
    ) {
        self.kind = kind
        self.title = title
        self.authors = authors
        self.publisher = publisher
        self.containerTitle = containerTitle
        self.volume = volume
        self.issue = issue
        self.pages = pages
        self.year = year
        self.month = month
        self.day = day
        self.place = place
        self.url = url
        self.doi = doi
        self.isbn = isbn
        self.language = language
        self.abstract = abstract
        self.keywords = keywords
        self.accessed = accessed
    }

    /// The DOI without any `https://doi.org/` or `doi:` prefix, or nil.
    var bareDOI: String? {
        guard var value = doi?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"]
        where value.lowercased().hasPrefix(prefix) {
            value = String(value.dropFirst(prefix.count))
        }
        return value
    }

    /// The first and last page of a range such as `12-34` or `12–34`.
    var pageRange: (first: String, last: String?)? {
        guard let pages = pages?.trimmingCharacters(in: .whitespaces), !pages.isEmpty else { return nil }
        let ends = pages.split(whereSeparator: { "-–—".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = ends.first else { return nil }
        return (first, ends.count > 1 ? ends.last : nil)
    }
}

/// Text helpers shared by the citation formats.
enum CitationText {
    /// Collapses runs of whitespace (line breaks included) to single spaces and drops control
    /// characters: BibTeX and RIS fields are one line each.
    static func oneLine(_ text: String) -> String {
        text.unicodeScalars
            .filter { $0.properties.generalCategory != .control || $0.properties.isWhitespace }
            .split(whereSeparator: { $0.properties.isWhitespace })
            .map { String(String.UnicodeScalarView($0)) }
            .joined(separator: " ")
    }

    /// Lowercase ASCII letters and digits only, accents removed: "Núñez" → "nunez".
    static func asciiFolded(_ text: String) -> String {
        let special: [Unicode.Scalar: String] = [
            "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
            "ł": "l", "Ł": "l", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i",
        ]
        var result = ""
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if let replacement = special[scalar] {
                result += replacement
            } else if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                result.unicodeScalars.append(scalar)
            }
        }
        return result.lowercased()
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]
}
