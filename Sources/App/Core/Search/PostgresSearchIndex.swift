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

    /// The condition with every filter except `chosen`, and all but at most one of those: the
    /// rows that count for the chosen facets (each counted without its own filter).
    static func condition(_ request: SearchRequest, viewer: Viewer, loosening chosen: [String]) -> SQLQueryString {
        guard chosen.count > 1 else { return condition(request, viewer: viewer, excluding: chosen.first) }
        var base = request
        base.filters = request.filters.filter { !chosen.contains($0.key) }
        let groups = request.filterGroups.filter { chosen.contains($0.facet) }
        let either: [SQLQueryString] = groups.indices.map { skipped in
            let all: [SQLQueryString] = groups.indices.filter { $0 != skipped }.map { index in
                "tags && \(bind: groups[index].values.map { "\(groups[index].facet):\($0)" })::text[]"
            }
            return "(" + all.joined(separator: " AND ") + ")"
        }
        return condition(base, viewer: viewer) + " AND (" + either.joined(separator: " OR ") + ")"
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
        let chosen = request.facets.filter { !shared.contains($0) }
        if !chosen.isEmpty {
            let looseBound = max(100, bound / 4)
            // One pass over the matches that miss at most one chosen filter, a quarter of the
            // bound: these rows are read only to be counted.
            let loose = try await Self.newest(Self.condition(request, viewer: viewer, loosening: chosen), limit: looseBound + 1, tiers: nil, sql: sql)
            facetsSampled = facetsSampled || loose.count > looseBound
            facets.merge(SearchAssembly.chosenFacetCounts(Array(loose.prefix(looseBound)), request: request, chosen: chosen)) { $1 }
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
        // One row comes back, the candidates joined into one text: decoding thousands of rows
        // one by one costs more than the search itself.
        let row = try await sql.raw("""
            SELECT string_agg(id || chr(31) || date_key || chr(31) || array_to_string(tags, ' ') || chr(31) || title_sort || chr(31) || tier, chr(30)) AS rows
            FROM (SELECT id, tags, date_key, replace(replace(title_sort, chr(30), ''), chr(31), '') AS title_sort, \(tier) AS tier
                  FROM search_entries WHERE \(condition) ORDER BY id DESC LIMIT \(bind: limit)) c
            """).first()
        guard let text = try row?.decode(column: "rows", as: String?.self) else { return [] }
        return SearchAssembly.candidates(fromJoined: text, facets: nil).sorted { $0.id > $1.id }
    }

    /// The hits, with the passage where the words matched cut in Swift (`Snippets`), as on
    /// SQLite: `ts_headline` parses each hit's whole body again, most of a page's time.
    private func hits(for ids: [Int], request: SearchRequest, sql: any SQLDatabase) async throws -> [SearchHit] {
        guard !ids.isEmpty else { return [] }
        let withText = !request.query.isEmpty
        let rows = try await sql.raw("""
            SELECT id, section, item_id, title, url, summary, date_key,
                   CASE WHEN \(bind: withText) THEN abstract ELSE '' END AS abstract,
                   CASE WHEN \(bind: withText) THEN left(body, \(unsafeRaw: String(SQLiteSearchIndex.snippetScanLimit))) ELSE '' END AS body
            FROM search_entries WHERE id = ANY(\(bind: ids))
            """).all()
        var byID: [Int: SearchHit] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: Int.self)
            var snippet = ""
            if withText {
                let abstract = try row.decode(column: "abstract", as: String.self)
                let body = try row.decode(column: "body", as: String.self)
                snippet = Snippets.passage(in: body, query: request.query) ?? Snippets.passage(in: abstract, query: request.query)
                    ?? Snippets.opening(abstract.isEmpty ? body : abstract)
            }
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
