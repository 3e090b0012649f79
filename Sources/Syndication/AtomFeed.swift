import Foundation
import XMLSupport

/// An Atom 1.0 feed (RFC 4287). The writer does not enforce the RFC's cross-field rules; callers
/// should give the feed an author unless every entry has one, a `self` link, and each entry an
/// `alternate` link or content.
public struct AtomFeed: Sendable, Hashable {
    /// A permanent IRI, e.g. `tag:cpmg.example.org,2018:feeds/documents` (see `AtomID`).
    public var id: String
    public var title: String
    public var subtitle: String?
    public var updated: Date
    public var links: [AtomLink]
    public var authors: [AtomPerson]
    /// An `xml:lang` value such as `en`.
    public var language: String?
    public var entries: [AtomEntry]

    public init(
        id: String, title: String, subtitle: String? = nil, updated: Date, links: [AtomLink] = [],
        authors: [AtomPerson] = [], language: String? = nil, entries: [AtomEntry] = []
    ) {
        self.id = id
        self.title = title
        self.subtitle = subtitle
        self.updated = updated
        self.links = links
        self.authors = authors
        self.language = language
        self.entries = entries
    }

    /// The whole document, UTF-8 with the XML declaration.
    public var xml: String {
        var w = XMLWriter()
        w.element("feed", [("xmlns", "http://www.w3.org/2005/Atom"), ("xml:lang", language)]) { w in
            w.element("id", text: id)
            w.element("title", [("type", "text")], text: title)
            if let subtitle { w.element("subtitle", [("type", "text")], text: subtitle) }
            w.element("updated", text: UTCDate.dateTime(updated))
            for link in links { link.write(to: &w) }
            for author in authors { author.write(to: &w) }
            for entry in entries { entry.write(to: &w) }
        }
        return w.output
    }
}

public struct AtomEntry: Sendable, Hashable {
    /// A permanent IRI that never changes when the entry is edited (see `AtomID`).
    public var id: String
    public var title: String
    public var updated: Date
    public var published: Date?
    public var authors: [AtomPerson]
    public var summary: String?
    public var content: AtomContent?
    public var links: [AtomLink]
    public var categories: [AtomCategory]

    public init(
        id: String, title: String, updated: Date, published: Date? = nil, authors: [AtomPerson] = [],
        summary: String? = nil, content: AtomContent? = nil, links: [AtomLink] = [], categories: [AtomCategory] = []
    ) {
        self.id = id
        self.title = title
        self.updated = updated
        self.published = published
        self.authors = authors
        self.summary = summary
        self.content = content
        self.links = links
        self.categories = categories
    }

    func write(to w: inout XMLWriter) {
        w.element("entry") { w in
            w.element("id", text: id)
            w.element("title", [("type", "text")], text: title)
            w.element("updated", text: UTCDate.dateTime(updated))
            if let published { w.element("published", text: UTCDate.dateTime(published)) }
            for author in authors { author.write(to: &w) }
            for link in links { link.write(to: &w) }
            for category in categories {
                w.element("category", [("term", category.term), ("scheme", category.scheme), ("label", category.label)], text: "")
            }
            if let summary { w.element("summary", [("type", "text")], text: summary) }
            switch content {
            case let .text(text)?: w.element("content", [("type", "text")], text: text)
            case let .html(html)?: w.element("content", [("type", "html")], text: html)
            case nil: break
            }
        }
    }
}

/// Entry content. HTML is carried escaped (`type="html"`), so it must be HTML the site trusts,
/// such as rendered Markdown; it cannot break the feed's XML whatever it holds.
public enum AtomContent: Sendable, Hashable {
    case text(String)
    case html(String)
}

public struct AtomLink: Sendable, Hashable {
    public var href: String
    /// `alternate`, `self`, `enclosure`, `related`…; nil means alternate.
    public var rel: String?
    /// A MIME type, e.g. `text/html`, `application/pdf`.
    public var type: String?
    /// The size in bytes, for enclosures.
    public var length: Int?
    public var title: String?

    public init(href: String, rel: String? = nil, type: String? = nil, length: Int? = nil, title: String? = nil) {
        self.href = href
        self.rel = rel
        self.type = type
        self.length = length
        self.title = title
    }

    public static func alternate(_ href: String, type: String = "text/html") -> AtomLink {
        AtomLink(href: href, rel: "alternate", type: type)
    }

    public static func `self`(_ href: String) -> AtomLink {
        AtomLink(href: href, rel: "self", type: "application/atom+xml")
    }

    /// A downloadable file, e.g. the document's PDF.
    public static func enclosure(_ href: String, type: String, length: Int?, title: String? = nil) -> AtomLink {
        AtomLink(href: href, rel: "enclosure", type: type, length: length, title: title)
    }

    func write(to w: inout XMLWriter) {
        w.element("link", [
            ("rel", rel), ("type", type), ("href", href), ("length", length.map(String.init)), ("title", title),
        ], text: "")
    }
}

public struct AtomPerson: Sendable, Hashable {
    public var name: String
    public var uri: String?
    public var email: String?

    public init(name: String, uri: String? = nil, email: String? = nil) {
        self.name = name
        self.uri = uri
        self.email = email
    }

    func write(to w: inout XMLWriter) {
        w.element("author") { w in
            w.element("name", text: name)
            if let uri { w.element("uri", text: uri) }
            if let email { w.element("email", text: email) }
        }
    }
}

public struct AtomCategory: Sendable, Hashable {
    /// A machine value, e.g. `jm` or `border-management`.
    public var term: String
    /// A human-readable name, e.g. `Jamaica`.
    public var label: String?
    /// An IRI naming the vocabulary, e.g. `https://cpmg.example.org/countries`.
    public var scheme: String?

    public init(term: String, label: String? = nil, scheme: String? = nil) {
        self.term = term
        self.label = label
        self.scheme = scheme
    }
}

/// Permanent identifiers for feeds and entries.
public enum AtomID {
    /// A `tag:` URI (RFC 4151), e.g. `tag:cpmg.example.org,2018-03-05:documents/42`. `date` is a
    /// day on which the site owned `authority`, so the URI stays unique forever.
    public static func tag(authority: String, date: String, specific: String) -> String {
        "tag:\(authority.lowercased()),\(date):\(specific)"
    }

    /// A `urn:uuid:` URI (RFC 4122), lowercase as the RFC asks.
    public static func uuid(_ uuid: UUID) -> String {
        "urn:uuid:" + uuid.uuidString.lowercased()
    }
}
