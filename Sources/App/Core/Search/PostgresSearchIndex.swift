import Fluent
import FluentSQL
import Foundation

/// The search index on PostgreSQL: one table with a small weighted `head` vector (title A,
/// authors B, abstract C) for ranking, the body's vector for matching, the tags as a text array,
/// each with a GIN index, and the `cpmg` text search configuration (English stemming with
/// accents removed). Ids grow with each (re)indexing, as on SQLite.
struct PostgresSearchIndex: SearchIndex {
    /// Body text beyond this is not indexed (a tsvector holds at most 1 MB).
    static let maxBody = 600_000

    func upsert(_ entry: SearchEntry, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await remove(section: entry.section, itemID: entry.itemID, on: db)
        let tags = entry.indexTags.map(\.text)
        let body = String(entry.body.prefix(Self.maxBody))
        try await sql.raw("""
            INSERT INTO search_entries (section, item_id, title, title_sort, url, summary, date_key, tags, abstract, body, head_tsv, body_tsv)
            VALUES (\(bind: entry.section), \(bind: entry.itemID), \(bind: entry.title), \(bind: SQLiteSearchIndex.sortKey(entry.title)),
                    \(bind: entry.url), \(bind: entry.summary), \(bind: entry.dateKey), \(bind: tags), \(bind: entry.abstract), \(bind: body),
                    setweight(to_tsvector('cpmg', \(bind: entry.title)), 'A') || setweight(to_tsvector('cpmg', \(bind: entry.authors)), 'B')
                        || setweight(to_tsvector('cpmg', \(bind: entry.abstract)), 'C'),
                    to_tsvector('cpmg', \(bind: body)))
            """).run()
    }

    func remove(section: String, itemID: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DELETE FROM search_entries WHERE section = \(bind: section) AND item_id = \(bind: itemID)").run()
    }

    func removeAll(section: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DELETE FROM search_entries WHERE section = \(bind: section)").run()
    }

    // MARK: - Query text

    /// A `to_tsquery` operand: letters and digits only, so it cannot be syntax.
    static func operand(_ word: String, weight: String = "", prefix: Bool = false) -> String {
        let clean = word.filter { $0.isLetter || $0.isNumber }
        let suffix = prefix ? ":*" + weight : (weight.isEmpty ? "" : ":" + weight)
        return "'" + clean + "'" + suffix
    }

    static func render(_ term: SearchQuery.Term, weight: String, expand: Bool) -> String {
        switch term {
        case .word(let word):
            if expand, let root = WordFamily.root(of: word) {
                return "(" + operand(word, weight: weight) + " | " + operand(root, weight: weight, prefix: true) + ")"
            }
            return operand(word, weight: weight)
        case .prefix(let word):
            return operand(word, weight: weight, prefix: true)
        case .phrase(let words):
            return "(" + words.map { operand($0, weight: weight) }.joined(separator: " <-> ") + ")"
        }
    }

    /// The query for `to_tsquery('cpmg', …)`; `weight` limits the head vector to title (A),
    /// authors (B) or abstract (C).
    static func tsquery(_ query: SearchQuery, weight: String = "") -> String {
        query.groups.map { group in
            "(" + group.map { render($0, weight: weight, expand: true) }.joined(separator: " | ") + ")"
        }.joined(separator: " & ")
    }

    /// Any excluded term; a document with one in its head or its body is left out.
    static func excludedTSQuery(_ query: SearchQuery) -> String? {
        query.excluded.isEmpty ? nil : query.excluded.map { render($0, weight: "", expand: false) }.joined(separator: " | ")
    }

    /// The WHERE clause: text (head or body), tags for section, access and filters.
    static func condition(_ request: SearchRequest, viewer: Viewer, excluding facet: String? = nil) -> SQLQueryString {
        var clause: SQLQueryString = "section = ANY(\(bind: request.sections))"
        if let visible = SearchIndexes.visibleTags(for: viewer) {
            clause = clause + " AND tags && \(bind: visible)::text[]"
        }
        for group in request.filterGroups where group.facet != facet {
            clause = clause + " AND tags && \(bind: group.values.map { "\(group.facet):\($0)" })::text[]"
        }
        if !request.query.isEmpty {
            let q = tsquery(request.query)
            clause = clause + " AND (head_tsv @@ to_tsquery('cpmg', \(bind: q)) OR body_tsv @@ to_tsquery('cpmg', \(bind: q)))"
            if let excluded = excludedTSQuery(request.query) {
                clause = clause + " AND NOT (head_tsv @@ to_tsquery('cpmg', \(bind: excluded)) OR body_tsv @@ to_tsquery('cpmg', \(bind: excluded)))"
            }
        }
        return clause
    }

    // MARK: - Searching

    func search(_ request: SearchRequest, viewer: Viewer, on db: any Database) async throws -> SearchResult {
        let sql = db as! any SQLDatabase
        let condition = Self.condition(request, viewer: viewer)
        let bound = request.candidates
        let rank = request.sort == .relevance && !request.query.isEmpty
        let fetched = try await Self.newest(condition, limit: bound + 1, tiers: rank ? request.query : nil, sql: sql)
        guard !fetched.isEmpty else { return .empty }
        let sampled = fetched.count > bound
        let pool = Array(fetched.prefix(bound))
        let total = sampled ? try await SearchAssembly.SectionSpan.read(request.sections, sql: sql).estimate(sample: pool.count, lowest: pool.last?.id ?? 0) : pool.count

        let ids: [Int]
        if sampled && !rank {
            // Newest or by title over every match: the candidates are the most recently
            // indexed, not the most recently published.
            ids = try await sql.raw("""
                SELECT id FROM search_entries WHERE \(condition)
                ORDER BY \(unsafeRaw: request.sort == .title ? "title_sort, id DESC" : "date_key DESC, id DESC")
                LIMIT \(bind: request.limit) OFFSET \(bind: request.offset)
                """).all().map { try $0.decode(column: "id", as: Int.self) }
        } else {
            ids = SearchAssembly.page(pool, sort: rank ? .relevance : (request.sort == .title ? .title : .newest),
                                      offset: request.offset, limit: request.limit)
        }
        let hits = try await hits(for: ids, request: request, sql: sql)

        var facetsSampled = sampled
        let shared = request.facets.filter { request.filters[$0]?.isEmpty ?? true }
        var facets = SearchAssembly.facetCounts(pool, facets: shared)
        for facet in request.facets where !shared.contains(facet) {
            let own = try await Self.newest(Self.condition(request, viewer: viewer, excluding: facet), limit: bound + 1, tiers: nil, sql: sql)
            facetsSampled = facetsSampled || own.count > bound
            facets.merge(SearchAssembly.facetCounts(Array(own.prefix(bound)), facets: [facet])) { $1 }
        }
        return SearchResult(
            hits: hits, total: total, totalIsEstimate: sampled, pageable: sampled ? pool.count : total,
            facets: facets, facetsSampled: facetsSampled, sampleSize: bound
        )
    }

    /// The newest matches (by index order) with their tags, date and sort key; with a query, also
    /// their relevance tier from the small head vector: every word in the title or authors (A, B)
    /// 0, in the head 1, else 2. The body's vector is matched but never ranked.
    static func newest(_ condition: SQLQueryString, limit: Int, tiers query: SearchQuery?, sql: any SQLDatabase) async throws -> [SearchCandidate] {
        var tier: SQLQueryString = "2"
        if let query {
            tier = """
                CASE WHEN head_tsv @@ to_tsquery('cpmg', \(bind: tsquery(query, weight: "AB"))) THEN 0
                     WHEN head_tsv @@ to_tsquery('cpmg', \(bind: tsquery(query))) THEN 1 ELSE 2 END
                """
        }
        return try await sql.raw("""
            SELECT id, tags, date_key, title_sort, \(tier) AS tier FROM search_entries WHERE \(condition)
            ORDER BY id DESC LIMIT \(bind: limit)
            """).all().map { row in
            SearchCandidate(
                id: try row.decode(column: "id", as: Int.self), tags: try row.decode(column: "tags", as: [String].self),
                dateKey: try row.decode(column: "date_key", as: Int.self), titleSort: try row.decode(column: "title_sort", as: String.self),
                tier: try row.decode(column: "tier", as: Int.self)
            )
        }
    }

    private func hits(for ids: [Int], request: SearchRequest, sql: any SQLDatabase) async throws -> [SearchHit] {
        guard !ids.isEmpty else { return [] }
        let options = "StartSel=\(SearchMarkers.open), StopSel=\(SearchMarkers.close), MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""
        let q = request.query.isEmpty ? "" : Self.tsquery(request.query)
        let rows = try await sql.raw("""
            SELECT id, section, item_id, title, url, summary, date_key,
                   CASE WHEN \(bind: q) = '' THEN '' ELSE ts_headline('cpmg', abstract, to_tsquery('cpmg', \(bind: q)), \(bind: options)) END AS a,
                   CASE WHEN \(bind: q) = '' THEN '' ELSE ts_headline('cpmg', body, to_tsquery('cpmg', \(bind: q)), \(bind: options)) END AS b
            FROM search_entries WHERE id = ANY(\(bind: ids))
            """).all()
        var byID: [Int: SearchHit] = [:]
        let marker = Character(SearchMarkers.open)
        for row in rows {
            let id = try row.decode(column: "id", as: Int.self)
            let abstract = try row.decode(column: "a", as: String.self)
            let body = try row.decode(column: "b", as: String.self)
            let snippet = body.contains(marker) ? body : abstract.contains(marker) ? abstract : ""
            byID[id] = SearchHit(
                section: try row.decode(column: "section", as: String.self), itemID: try row.decode(column: "item_id", as: String.self),
                title: try row.decode(column: "title", as: String.self), url: try row.decode(column: "url", as: String.self),
                summary: try row.decode(column: "summary", as: String.self), dateKey: try row.decode(column: "date_key", as: Int.self),
                snippet: SnippetPiece.pieces(fromMarked: snippet)
            )
        }
        return ids.compactMap { byID[$0] }
    }
}
