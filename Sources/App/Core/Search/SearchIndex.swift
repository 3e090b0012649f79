import Fluent
import FluentSQL
import Foundation

/// One thing the search finds: a document, a country profile, an event, a network …
/// Every section feeds the same index; each entry carries its visibility so that nothing
/// members-only can reach a visitor.
public struct SearchEntry: Sendable, Equatable {
    public var section: String
    public var itemID: String
    public var visibility: Visibility
    public var networkID: UUID?
    public var title: String
    public var authors: String
    public var abstract: String
    public var body: String
    /// The page the hit links to.
    public var url: String
    /// One line under the title: type, date, places.
    public var summary: String
    /// yyyymmdd for sorting by date (0 when unknown).
    public var dateKey: Int
    /// Facet values: ("type", "report"), ("country", "jm"), ("theme", "border-management"), …
    public var tags: [SearchTag]

    public init(section: String, itemID: String, visibility: Visibility, networkID: UUID? = nil, title: String, authors: String = "",
                abstract: String = "", body: String = "", url: String, summary: String = "", dateKey: Int = 0, tags: [SearchTag] = []) {
        self.section = section
        self.itemID = itemID
        self.visibility = visibility
        self.networkID = networkID
        self.title = title
        self.authors = authors
        self.abstract = abstract
        self.body = body
        self.url = url
        self.summary = summary
        self.dateKey = dateKey
        self.tags = tags
    }

    /// The tags the index stores: the facets plus section and access.
    var indexTags: [SearchTag] {
        var all = tags + [SearchTag("section", section), SearchTag("vis", visibility.rawValue)]
        if visibility == .network, let networkID { all.append(SearchTag("net", networkID.uuidString.lowercased())) }
        return all
    }
}

public struct SearchTag: Sendable, Hashable, Comparable {
    public var facet: String
    public var value: String
    public init(_ facet: String, _ value: String) {
        self.facet = facet
        self.value = value
    }
    public var text: String { "\(facet):\(value)" }
    public init?(text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        self.init(String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
    public static func < (a: SearchTag, b: SearchTag) -> Bool { a.text < b.text }
}

public enum SearchSort: String, Sendable, CaseIterable {
    case relevance, newest, title
}

/// What to look for, where, filtered how, which page.
public struct SearchRequest: Sendable {
    public var query: SearchQuery
    public var sections: [String]
    /// Facet → accepted values: any value within a facet, every facet.
    public var filters: [String: Set<String>]
    public var years: ClosedRange<Int>?
    public var sort: SearchSort
    public var offset: Int
    public var limit: Int
    /// Facets to count over the results.
    public var facets: [String]
    /// How many of the most recent matches relevance ranking and facet counts consider.
    public var candidates: Int = SearchLimits.candidates

    public init(query: SearchQuery, sections: [String], filters: [String: Set<String>] = [:], years: ClosedRange<Int>? = nil,
                sort: SearchSort = .relevance, offset: Int = 0, limit: Int = 20, facets: [String] = []) {
        self.query = query
        self.sections = sections
        self.filters = filters
        self.years = years
        self.sort = sort
        self.offset = offset
        self.limit = limit
        self.facets = facets
    }

    /// The filter tags that every hit must carry one of, per facet (years included).
    var filterGroups: [(facet: String, values: [String])] {
        var groups = filters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { ($0.key, $0.value.sorted()) }
        if let years { groups.append(("year", years.map(String.init))) }
        return groups
    }
}

public struct SearchHit: Sendable, Equatable {
    public var section: String
    public var itemID: String
    public var title: String
    public var url: String
    public var summary: String
    public var dateKey: Int
    /// The passage where the words matched, as plain text with the matches marked.
    public var snippet: [SnippetPiece]
}

public struct SnippetPiece: Sendable, Equatable {
    public var text: String
    public var highlighted: Bool

    /// Splits text whose matches are wrapped in U+E000 … U+E001, the markers both engines are asked
    /// to use: private-use characters that cannot occur in user text after extraction.
    static func pieces(fromMarked marked: String) -> [SnippetPiece] {
        var pieces: [SnippetPiece] = []
        var current = ""
        var highlighted = false
        for scalar in marked.unicodeScalars {
            if scalar == SearchMarkers.open || scalar == SearchMarkers.close {
                if !current.isEmpty { pieces.append(SnippetPiece(text: current, highlighted: highlighted)) }
                current = ""
                highlighted = scalar == SearchMarkers.open
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        if !current.isEmpty { pieces.append(SnippetPiece(text: current, highlighted: highlighted)) }
        return pieces
    }
}

enum SearchMarkers {
    static let open: Unicode.Scalar = "\u{E000}"
    static let close: Unicode.Scalar = "\u{E001}"
}

public struct SearchResult: Sendable {
    public var hits: [SearchHit]
    public var total: Int
    /// More matches than the candidate bound: `total` is an estimate ("about 81,000").
    public var totalIsEstimate: Bool
    /// How many hits the pages reach: all of them, or the candidate bound when estimated.
    public var pageable: Int
    /// Facet → (value, count), most frequent first.
    public var facets: [String: [(value: String, count: Int)]]
    /// The counts come from the most recent matches only, not all of them.
    public var facetsSampled: Bool
    public var sampleSize: Int

    public static let empty = SearchResult(hits: [], total: 0, totalIsEstimate: false, pageable: 0, facets: [:], facetsSampled: false, sampleSize: 0)
}

/// The shared full-text index: FTS5 on SQLite, tsvector on PostgreSQL, one behaviour.
public protocol SearchIndex: Sendable {
    func upsert(_ entry: SearchEntry, on db: any Database) async throws
    func remove(section: String, itemID: String, on db: any Database) async throws
    func removeAll(section: String, on db: any Database) async throws
    func search(_ request: SearchRequest, viewer: Viewer, on db: any Database) async throws -> SearchResult
}

/// Tuning shared by both engines; see docs/search.md for what the bound costs.
public enum SearchLimits {
    /// Each search fetches the most recent matches up to this many: relevance ranking, facet
    /// counts and paging work on them, and a larger total is estimated from their density
    /// (`CPMG_SEARCH_CANDIDATES` changes it; the benchmark compares it with no bound).
    public static let candidates = 2_000
}

public enum SearchIndexes {
    /// The index for the database the application uses.
    public static func make(for db: any Database) -> any SearchIndex {
        if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" { return PostgresSearchIndex() }
        return SQLiteSearchIndex()
    }

    /// The tags a viewer may see (nil: no restriction): the viewer's audience in `Access`.
    static func visibleTags(for viewer: Viewer) -> [String]? {
        Access.audience(viewer).searchTags
    }
}

/// English word families beyond what the stemmers join: "migration", "migrant" and "migrants"
/// share the root "migr". A query word with such a suffix also matches words starting with its root.
enum WordFamily {
    static let suffixes = ["ations", "itions", "ation", "ition", "ments", "ment", "ances", "ences", "ance", "ence",
                           "ants", "ions", "ion", "ant", "ory", "ive", "ity"]

    static func root(of word: String) -> String? {
        guard word.count >= 7, word.allSatisfy({ $0.isLetter }) else { return nil }
        for suffix in suffixes where word.hasSuffix(suffix) {
            let root = String(word.dropLast(suffix.count))
            return root.count >= 4 ? root : nil
        }
        return nil
    }
}
