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
        let counted = try await sql.raw("""
            SELECT count(*) AS n FROM (SELECT 1 FROM search_entries WHERE \(condition) LIMIT \(unsafeRaw: String(SearchLimits.countCap + 1))) s
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        guard counted > 0 else { return .empty }
        let cut = counted > request.candidates ? try await Self.cutoff(condition, candidates: request.candidates, sql: sql) : 0

        let ids: [Int]
        switch (request.sort, request.query.isEmpty) {
        case (.relevance, false):
            ids = try await ranked(request, condition: condition, cut: cut, sql: sql)
        case (.title, _):
            ids = try await sql.raw("""
                SELECT id FROM search_entries WHERE \(condition) ORDER BY title_sort, id DESC
                LIMIT \(bind: request.limit) OFFSET \(bind: request.offset)
                """).all().map { try $0.decode(column: "id", as: Int.self) }
        default:
            ids = try await sql.raw("""
                SELECT id FROM search_entries WHERE \(condition) ORDER BY date_key DESC, id DESC
                LIMIT \(bind: request.limit) OFFSET \(bind: request.offset)
                """).all().map { try $0.decode(column: "id", as: Int.self) }
        }
        let hits = try await hits(for: ids, request: request, sql: sql)

        var facets: [String: [(value: String, count: Int)]] = [:]
        for facet in request.facets {
            let own = request.filters[facet].map { !$0.isEmpty } ?? false
            let facetCondition = own ? Self.condition(request, viewer: viewer, excluding: facet) : condition
            let facetCut = own ? try await Self.cutoff(facetCondition, candidates: request.candidates, sql: sql) : cut
            let rows = try await sql.raw("""
                SELECT substr(tag, \(bind: facet.count + 2)::int) AS value, count(*) AS n
                FROM (SELECT unnest(tags) AS tag FROM search_entries WHERE \(facetCondition) AND id >= \(bind: facetCut)) t
                WHERE tag LIKE \(bind: facet + ":%") GROUP BY tag
                """).all()
            facets[facet] = try rows.map { (try $0.decode(column: "value", as: String.self), try $0.decode(column: "n", as: Int.self)) }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        }
        return SearchResult(
            hits: hits, total: min(counted, SearchLimits.countCap), totalIsLowerBound: counted > SearchLimits.countCap,
            facets: facets, facetsSampled: cut > 0, sampleSize: request.candidates
        )
    }

    static func cutoff(_ condition: SQLQueryString, candidates: Int, sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("""
            SELECT id FROM search_entries WHERE \(condition) ORDER BY id DESC LIMIT 1 OFFSET \(bind: candidates - 1)
            """).first()?.decode(column: "id", as: Int.self) ?? 0
    }

    /// Among the candidates: title matches, then authors, then abstract (ranked by the small head
    /// vector), then body-only matches by recency — the body's vector is never ranked.
    private func ranked(_ request: SearchRequest, condition: SQLQueryString, cut: Int, sql: any SQLDatabase) async throws -> [Int] {
        let q = Self.tsquery(request.query)
        let rows = try await sql.raw("""
            SELECT id,
                   CASE WHEN head_tsv @@ to_tsquery('cpmg', \(bind: Self.tsquery(request.query, weight: "A"))) THEN 0
                        WHEN head_tsv @@ to_tsquery('cpmg', \(bind: Self.tsquery(request.query, weight: "B"))) THEN 1
                        WHEN head_tsv @@ to_tsquery('cpmg', \(bind: Self.tsquery(request.query, weight: "C"))) THEN 2
                        ELSE 3 END AS tier,
                   ts_rank(head_tsv, to_tsquery('cpmg', \(bind: q))) AS score
            FROM search_entries WHERE \(condition) AND id >= \(bind: cut)
            ORDER BY tier, score DESC, id DESC
            LIMIT \(bind: request.limit) OFFSET \(bind: request.offset)
            """).all()
        return try rows.map { try $0.decode(column: "id", as: Int.self) }
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
