import Foundation
import XMLSupport

/// A reference in an APA-like style (7th edition), as styled runs so that a view can italicise
/// titles and link the DOI without this library producing any markup.
public struct FormattedReference: Sendable, Hashable {
    public struct Part: Sendable, Hashable {
        public enum Style: Sendable, Hashable {
            case plain
            case italic
            /// The DOI or URL; `text` is the address.
            case link
        }

        public var text: String
        public var style: Style

        public init(_ text: String, _ style: Style = .plain) {
            self.text = text
            self.style = style
        }
    }

    public var parts: [Part]

    /// The reference as plain text.
    public var text: String { parts.map(\.text).joined() }
}

extension CitationRecord {
    /// e.g. "López, M., & Pérez, A. (2018). *Labour migration*. IOM. https://doi.org/10.1234/abc"
    /// (the asterisks standing for the italic part).
    ///
    /// Up to 20 authors are listed, beyond that the first 19, an ellipsis and the last. A work
    /// without authors starts with its title. Standalone works (reports, books, theses…) have an
    /// italic title; articles and chapters have an italic journal or book. The publisher is left
    /// out when it is also the (corporate) author. The DOI is preferred to the URL.
    public var reference: FormattedReference {
        var segments: [[FormattedReference.Part]] = []
        let titleSegment = referenceTitle
        if let authors = apaAuthors {
            segments.append([.init(authors)])
            segments.append([.init(apaDate)])
            segments.append(titleSegment)
        } else {
            segments.append(titleSegment)
            segments.append([.init(apaDate)])
        }
        if let source = referenceSource { segments.append(source) }
        if let publisher = referencePublisher { segments.append([.init(Self.sentence(publisher))]) }
        if let doi = bareDOI {
            segments.append([.init("https://doi.org/" + doi, .link)])
        } else if let url, !url.isEmpty {
            if let accessed {
                segments.append([.init("Retrieved \(Self.longDate(accessed)), from "), .init(url, .link)])
            } else {
                segments.append([.init(url, .link)])
            }
        }

        // Segments are joined by spaces, and neighbouring runs of one style become one part.
        var parts: [FormattedReference.Part] = []
        for (index, segment) in segments.enumerated() {
            for part in (index > 0 ? [.init(" ")] : []) + segment {
                if let last = parts.last, last.style == part.style {
                    parts[parts.count - 1].text += part.text
                } else {
                    parts.append(part)
                }
            }
        }
        return FormattedReference(parts: parts)
    }

    // MARK: - Pieces

    private var hasItalicTitle: Bool {
        switch kind {
        case .article, .chapter, .conferencePaper: false
        case .report, .book, .thesis, .legislation, .dataset, .webpage, .misc: true
        }
    }

    /// "López, M., & Pérez, A." or nil when there are no authors.
    private var apaAuthors: String? {
        let names = authors.map(Self.apaName).filter { !$0.isEmpty }
        guard let last = names.last else { return nil }
        let list: String
        switch names.count {
        case 1: list = last
        case 2...20: list = names.dropLast().joined(separator: ", ") + ", & " + last
        default: list = names.prefix(19).joined(separator: ", ") + ", . . . " + last
        }
        return list.hasSuffix(".") ? list : list + "."
    }

    /// "Family, G. G., Suffix", or the organisation's name.
    private static func apaName(_ author: Author) -> String {
        let family = CitationText.oneLine(author.family)
        guard !author.isCorporate, let given = author.given else { return family }
        var name = family + ", " + initials(given)
        if let suffix = author.suffix { name += ", " + suffix }
        return name
    }

    /// "María José" → "M. J.", "Jean-Paul" → "J.-P.", "M.J." → "M. J.".
    static func initials(_ given: String) -> String {
        given.split(separator: " ").flatMap { word -> [String] in
            if word.contains(".") {
                return word.split(separator: ".").compactMap { $0.first.map { "\($0.uppercased())." } }
            }
            return [word.split(separator: "-").compactMap { $0.first.map { "\($0.uppercased())." } }.joined(separator: "-")]
        }.joined(separator: " ")
    }

    private var apaDate: String {
        "(" + (year.map(String.init) ?? "n.d.") + ")."
    }

    /// The title, with a description in brackets for theses and data sets.
    private var referenceTitle: [FormattedReference.Part] {
        let title = CitationText.oneLine(self.title)
        let bracket: String? = switch kind {
        case .thesis: "[Thesis" + (publisher.map { ", " + CitationText.oneLine($0) } ?? "") + "]"
        case .dataset: "[Data set]"
        default: nil
        }
        let style: FormattedReference.Part.Style = hasItalicTitle ? .italic : .plain
        if let bracket { return [.init(title, style), .init(" " + bracket + ".")] }
        return [.init(title, style), .init(Self.endsSentence(title) ? "" : ".")].filter { !$0.text.isEmpty }
    }

    /// "*Journal*, *12*(3), 45–67." or "In *Book* (pp. 45–67)."
    private var referenceSource: [FormattedReference.Part]? {
        guard let container = containerTitle.map(CitationText.oneLine), !container.isEmpty else { return nil }
        let pages = pageRange.map { $0.first + ($0.last.map { "–" + $0 } ?? "") }
        switch kind {
        case .article:
            var parts: [FormattedReference.Part] = [.init(container, .italic)]
            if let volume { parts += [.init(", "), .init(volume, .italic)] }
            if let issue { parts.append(.init((volume == nil ? ", " : "") + "(\(issue))")) }
            if let pages { parts.append(.init(", " + pages)) }
            parts.append(.init("."))
            return parts
        case .chapter, .conferencePaper:
            return [.init("In "), .init(container, .italic), .init((pages.map { " (pp. \($0))" } ?? "") + ".")]
        default:
            return nil
        }
    }

    /// Not repeated when the author is the publisher, nor for theses (it is in the brackets).
    private var referencePublisher: String? {
        guard kind != .thesis, kind != .article, let publisher = publisher.map(CitationText.oneLine), !publisher.isEmpty,
              !authors.contains(where: { $0.isCorporate && CitationText.oneLine($0.name) == publisher })
        else { return nil }
        return publisher
    }

    private static func sentence(_ text: String) -> String {
        endsSentence(text) ? text : text + "."
    }

    private static func endsSentence(_ text: String) -> Bool {
        text.hasSuffix(".") || text.hasSuffix("?") || text.hasSuffix("!")
    }

    /// "March 5, 2024" (UTC).
    private static func longDate(_ date: Date) -> String {
        let parts = UTCDate.split(date)
        return "\(CitationText.monthNames[parts.month - 1]) \(parts.day), \(parts.year)"
    }
}
