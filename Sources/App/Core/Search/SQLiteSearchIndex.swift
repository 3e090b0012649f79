import Fluent
import FluentSQL
import Foundation

/// The search index on SQLite: an FTS5 table (porter stemming, accents removed) holding title,
/// authors, abstract, body and the entry's tags, beside a plain table with what a hit shows.
/// Both share the rowid; a re-indexed entry gets a new, higher rowid, so rowid order is
/// "most recently indexed first" — the cheap order the bounds below rely on.
struct SQLiteSearchIndex: SearchIndex {
    /// How much of a body is read to find the passage for a hit.
    static let snippetScanLimit = 200_000

    // MARK: - Writing

    func upsert(_ entry: SearchEntry, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await remove(section: entry.section, itemID: entry.itemID, on: db)
        let tags = entry.indexTags
        let row = try await sql.raw("""
            INSERT INTO search_entries (section, item_id, title, title_sort, url, summary, date_key, tags)
            VALUES (\(bind: entry.section), \(bind: entry.itemID), \(bind: entry.title), \(bind: Self.sortKey(entry.title)),
                    \(bind: entry.url), \(bind: entry.summary), \(bind: entry.dateKey), \(bind: tags.map(\.text).joined(separator: " ")))
            RETURNING id
            """).first()
        let id = try row!.decode(column: "id", as: Int.self)
        try await sql.raw("""
            INSERT INTO search_fts (rowid, title, authors, abstract, body, tags)
            VALUES (\(bind: id), \(bind: entry.title), \(bind: entry.authors), \(bind: entry.abstract), \(bind: entry.body),
                    \(bind: tags.map(Self.token).joined(separator: " ")))
            """).run()
        try await sql.raw("""
            INSERT INTO search_head (rowid, title, authors, abstract, tags)
            VALUES (\(bind: id), \(bind: entry.title), \(bind: entry.authors), \(bind: entry.abstract),
                    \(bind: tags.map(Self.token).joined(separator: " ")))
            """).run()
    }

    func remove(section: String, itemID: String, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entries WHERE section = \(bind: section) AND item_id = \(bind: itemID))
            """).run()
        try await sql.raw("""
            DELETE FROM search_head WHERE rowid IN (SELECT id FROM search_entries WHERE section = \(bind: section) AND item_id = \(bind: itemID))
            """).run()
        try await sql.raw("DELETE FROM search_entries WHERE section = \(bind: section) AND item_id = \(bind: itemID)").run()
    }

    func removeAll(section: String, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entries WHERE section = \(bind: section))").run()
        try await sql.raw("DELETE FROM search_head WHERE rowid IN (SELECT id FROM search_entries WHERE section = \(bind: section))").run()
        try await sql.raw("DELETE FROM search_entries WHERE section = \(bind: section)").run()
    }

    /// A tag as one FTS token: letters and digits only, so the tokenizer keeps it whole.
    static func token(_ tag: SearchTag) -> String {
        "x" + tag.facet.filter { $0.isLetter || $0.isNumber }.lowercased() + "x" + tag.value.filter { $0.isLetter || $0.isNumber }.lowercased()
    }

    static func sortKey(_ title: String) -> String {
        title.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .drop { !($0.isLetter || $0.isNumber) }.prefix(200).description
    }

    // MARK: - Query text

    static func quote(_ word: String) -> String { "\"" + word.replacingOccurrences(of: "\"", with: "") + "\"" }

    static func render(_ term: SearchQuery.Term, expand: Bool) -> String {
        switch term {
        case .word(let word):
            if expand, let root = WordFamily.root(of: word) { return "(\(quote(word)) OR \(quote(root))*)" }
            return quote(word)
        case .prefix(let word): return quote(word) + "*"
        case .phrase(let words): return quote(words.joined(separator: " "))
        }
    }

    /// The text part in FTS5 syntax, limited to `columns` (nil: any column); nil for an empty
    /// query. Tag tokens ("xcountryxjm") never occur in text, so neither the text nor the tags
    /// need a column filter on the full table — a filter makes FTS5 read every position list.
    static func textExpression(_ query: SearchQuery, columns: String? = nil) -> String? {
        guard !query.isEmpty else { return nil }
        let positive = query.groups.map { group in
            group.count == 1 ? render(group[0], expand: true) : "(" + group.map { render($0, expand: true) }.joined(separator: " OR ") + ")"
        }.joined(separator: " AND ")
        let negative = query.excluded.map { " NOT " + render($0, expand: false) }.joined()
        return (columns.map { "\($0) : " } ?? "") + "(\(positive)\(negative))"
    }

    /// Filters, and section and access when they belong in the FTS expression (see `Scope`).
    static func tagExpression(_ request: SearchRequest, viewer: Viewer, excluding facet: String? = nil, scope: Scope) -> String? {
        var parts: [String] = []
        for group in request.filterGroups where group.facet != facet {
            parts.append("(" + group.values.map { token(SearchTag(group.facet, $0)) }.joined(separator: " OR ") + ")")
        }
        let bare = parts.isEmpty && request.query.isEmpty
        if scope.sections || bare {
            parts.append("(" + request.sections.map { token(SearchTag("section", $0)) }.joined(separator: " OR ") + ")")
        }
        if bare, let visible = SearchIndexes.visibleTags(for: viewer) {
            parts.append("(" + visible.compactMap(SearchTag.init(text:)).map(token).joined(separator: " OR ") + ")")
        }
        return parts.isEmpty ? nil : "(" + parts.joined(separator: " AND ") + ")"
    }

    /// The query with every filter except `chosen`, and all but at most one of those: the rows
    /// that count for the chosen facets (each counted without its own filter).
    static func match(_ request: SearchRequest, viewer: Viewer, loosening chosen: [String], scope: Scope) -> String {
        guard chosen.count > 1 else { return match(request, viewer: viewer, excluding: chosen.first, scope: scope) }
        var base = request
        base.filters = request.filters.filter { !chosen.contains($0.key) }
        let groups = request.filterGroups.filter { chosen.contains($0.facet) }
        let either = groups.indices.map { skipped in
            "(" + groups.indices.filter { $0 != skipped }.map { index in
                "(" + groups[index].values.map { token(SearchTag(groups[index].facet, $0)) }.joined(separator: " OR ") + ")"
            }.joined(separator: " AND ") + ")"
        }.joined(separator: " OR ")
        // `base` may be bare (no words, no other filters) without being so: keep section and
        // access out unless the scope asks for the section.
        var parts = [textExpression(base.query)].compactMap { $0 }
        for group in base.filterGroups {
            parts.append("(" + group.values.map { token(SearchTag(group.facet, $0)) }.joined(separator: " OR ") + ")")
        }
        if scope.sections { parts.append("(" + request.sections.map { token(SearchTag("section", $0)) }.joined(separator: " OR ") + ")") }
        parts.append("(" + either + ")")
        return parts.joined(separator: " AND ")
    }

    static func match(_ request: SearchRequest, viewer: Viewer, excluding facet: String? = nil, columns: String? = nil, scope: Scope) -> String {
        [textExpression(request.query, columns: columns), tagExpression(request, viewer: viewer, excluding: facet, scope: scope)]
            .compactMap { $0 }.joined(separator: " AND ")
    }

    /// Where section and access are checked. Their tokens are in nearly every row, and FTS5
    /// intersecting them with a query reads their whole posting lists: so they are checked on
    /// the joined `search_entries` row instead (always, cheaply), and put into the expression
    /// only when nothing else is (a list without words or filters) or, for sections, when the
    /// sections hold less than half the index (then their token is what narrows the search).
    struct Scope {
        var sections: Bool
    }

    /// Section and access as a condition on the joined `search_entries` row `e`.
    static func postCondition(_ request: SearchRequest, viewer: Viewer) -> SQLQueryString {
        var clause: SQLQueryString = "e.section IN (\(SQLList(request.sections.map { SQLBind($0) })))"
        if let visible = SearchIndexes.visibleTags(for: viewer) {
            let tests = visible.map { tag -> SQLQueryString in "instr(' ' || e.tags || ' ', \(bind: " \(tag) ")) > 0" }
            clause = clause + " AND (" + tests.joined(separator: " OR ") + ")"
        }
        return clause
    }

    // MARK: - Searching

    func search(_ request: SearchRequest, viewer: Viewer, on db: any Database) async throws -> SearchResult {
        try await db.withConnection { connection in
            let sql = connection as! any SQLDatabase
            // A search reads the long posting lists of a few frequent tokens (access, section) again
            // and again: this connection keeps 64 MB of pages instead of SQLite's default 2 MB.
            try await sql.raw("PRAGMA cache_size = -65536").run()
            return try await search(request, viewer: viewer, sql: sql)
        }
    }

    private func search(_ request: SearchRequest, viewer: Viewer, sql: any SQLDatabase) async throws -> SearchResult {
        let span = try await SearchAssembly.SectionSpan.read(request.sections, sql: sql)
        let scope = Scope(sections: span.share < 0.5)
        let match = Self.match(request, viewer: viewer, scope: scope)
        let post = Self.postCondition(request, viewer: viewer)
        let bound = request.candidates
        let shared = request.facets.filter { request.filters[$0]?.isEmpty ?? true }
        let fetched = try await Self.newest(match, post: post, limit: bound + 1, facets: shared, sql: sql)
        guard !fetched.isEmpty else { return .empty }
        let sampled = fetched.count > bound
        var pool = Array(fetched.prefix(bound))
        let total = sampled ? span.estimate(sample: pool.count, lowest: pool.last?.id ?? 0) : pool.count

        let rank = request.sort == .relevance && !request.query.isEmpty
        if rank { try await Self.assignTiers(&pool, request: request, viewer: viewer, scope: scope, sql: sql) }
        let order: [Int]
        if sampled && !rank {
            // Newest or by title over every match: the candidates are the most recently
            // indexed, not the most recently published.
            let orderBy = request.sort == .title ? "title_sort, id DESC" : "date_key DESC, id DESC"
            if request.query.isEmpty {
                // No words: walk the (section, date) or (section, title) index, checking tags.
                order = try await sql.raw("""
                    SELECT id FROM search_entries WHERE \(Self.tagCondition(request, viewer: viewer))
                    ORDER BY \(unsafeRaw: orderBy) LIMIT \(bind: request.limit) OFFSET \(bind: request.offset)
                    """).all().map { try $0.decode(column: "id", as: Int.self) }
            } else {
                order = try await sql.raw("""
                    SELECT e.id FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid
                    WHERE search_fts MATCH \(bind: match) AND \(post)
                    ORDER BY \(unsafeRaw: orderBy.replacingOccurrences(of: "id DESC", with: "e.id DESC"))
                    LIMIT \(bind: request.limit) OFFSET \(bind: request.offset)
                    """).all().map { try $0.decode(column: "id", as: Int.self) }
            }
        } else {
            order = SearchAssembly.page(pool, sort: rank ? .relevance : (request.sort == .title ? .title : .newest),
                                        offset: request.offset, limit: request.limit)
        }
        let hits = try await hits(for: order, request: request, viewer: viewer, sql: sql)

        // Facets without a chosen value are counted over the candidates; a facet with a chosen
        // value over the matches of the query without its own filter (so other values show
        // what choosing them would add).
        var facetsSampled = sampled
        var facets = SearchAssembly.facetCounts(pool, facets: shared)
        let chosen = request.facets.filter { !shared.contains($0) }
        if !chosen.isEmpty {
            let looseBound = max(100, bound / 4)
            // One pass over the matches that miss at most one chosen filter, a quarter of the
            // bound: these rows are read only to be counted.
            let loose = try await Self.newest(Self.match(request, viewer: viewer, loosening: chosen, scope: scope), post: post,
                                              limit: looseBound + 1, facets: chosen, sql: sql)
            facetsSampled = facetsSampled || loose.count > looseBound
            facets.merge(SearchAssembly.chosenFacetCounts(Array(loose.prefix(looseBound)), request: request, chosen: chosen)) { $1 }
        }
        return SearchResult(
            hits: hits, total: total, totalIsEstimate: sampled, pageable: sampled ? pool.count : total,
            facets: facets, facetsSampled: facetsSampled, sampleSize: bound
        )
    }

    /// Section, access and filters as a condition on `search_entries` (its space-separated tags).
    static func tagCondition(_ request: SearchRequest, viewer: Viewer) -> SQLQueryString {
        var clause: SQLQueryString = "section IN (\(SQLList(request.sections.map { SQLBind($0) })))"
        func anyOf(_ tags: [String]) -> SQLQueryString {
            let tests = tags.map { tag -> SQLQueryString in "instr(' ' || tags || ' ', \(bind: " \(tag) ")) > 0" }
            return "(" + tests.joined(separator: " OR ") + ")"
        }
        if let visible = SearchIndexes.visibleTags(for: viewer) { clause = clause + " AND " + anyOf(visible) }
        for group in request.filterGroups {
            clause = clause + " AND " + anyOf(group.values.map { "\(group.facet):\($0)" })
        }
        return clause
    }

    /// The newest matches (by index order), newest first, with their tags, date and sort key.
    /// One row comes back, the candidates joined into one text: decoding thousands of rows one
    /// by one costs more than the search itself.
    static func newest(_ match: String, post: SQLQueryString, limit: Int, facets: [String], sql: any SQLDatabase) async throws -> [SearchCandidate] {
        let row = try await sql.raw("""
            SELECT group_concat(id || char(31) || date_key || char(31) || tags || char(31) || title_sort, char(30)) AS rows FROM (
                SELECT e.id, e.date_key, e.tags, e.title_sort FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid
                WHERE search_fts MATCH \(bind: match) AND \(post) ORDER BY search_fts.rowid DESC LIMIT \(bind: limit))
            """).first()
        guard let text = try row?.decode(column: "rows", as: String?.self) else { return [] }
        return SearchAssembly.candidates(fromJoined: text, facets: facets).sorted { $0.id > $1.id }
    }

    /// The rowids a head match finds from `lowest` on, read as one text.
    static func rowids(_ match: String, from lowest: Int, sql: any SQLDatabase) async throws -> Set<Int> {
        let row = try await sql.raw("""
            SELECT group_concat(rowid) AS ids FROM search_head WHERE search_head MATCH \(bind: match) AND rowid >= \(bind: lowest)
            """).first()
        guard let text = try row?.decode(column: "ids", as: String?.self) else { return [] }
        return Set(text.utf8.split(separator: 0x2C).compactMap { Int(Substring($0)) })
    }

    /// Relevance tiers on the compact head table: every word in the title or authors (0), in the
    /// head (1), else the body (2). Two lists of rowids within the candidates' id range; BM25 is
    /// not used, as its per-query document frequencies read every posting of a common word.
    static func assignTiers(_ pool: inout [SearchCandidate], request: SearchRequest, viewer: Viewer, scope: Scope, sql: any SQLDatabase) async throws {
        guard let lowest = pool.map(\.id).min() else { return }
        let strong = try await rowids(Self.match(request, viewer: viewer, columns: "{title authors}", scope: scope), from: lowest, sql: sql)
        let head = try await rowids(Self.match(request, viewer: viewer, scope: scope), from: lowest, sql: sql)
        for index in pool.indices {
            pool[index].tier = strong.contains(pool[index].id) ? 0 : head.contains(pool[index].id) ? 1 : 2
        }
    }

    private func hits(for ids: [Int], request: SearchRequest, viewer: Viewer, sql: any SQLDatabase) async throws -> [SearchHit] {
        guard !ids.isEmpty else { return [] }
        let list = SQLList(ids.map { SQLBind($0) })
        let entries = try await sql.raw("""
            SELECT id, section, item_id, title, url, summary, date_key FROM search_entries WHERE id IN (\(list))
            """).all()
        // The texts of the hits, by rowid (a direct lookup without MATCH); the passage is cut in Swift.
        var snippets: [Int: String] = [:]
        if !request.query.isEmpty {
            for row in try await sql.raw("""
                SELECT rowid, abstract, substr(body, 1, \(unsafeRaw: String(Self.snippetScanLimit))) AS body FROM search_fts WHERE rowid IN (\(list))
                """).all() {
                let body = try row.decode(column: "body", as: String.self)
                let abstract = try row.decode(column: "abstract", as: String.self)
                snippets[try row.decode(column: "rowid", as: Int.self)] = Snippets.passage(in: body, query: request.query)
                    ?? Snippets.passage(in: abstract, query: request.query)
                    ?? Snippets.opening(abstract.isEmpty ? body : abstract)
            }
        }
        var byID: [Int: SearchHit] = [:]
        for row in entries {
            let id = try row.decode(column: "id", as: Int.self)
            byID[id] = SearchHit(
                section: try row.decode(column: "section", as: String.self), itemID: try row.decode(column: "item_id", as: String.self),
                title: try row.decode(column: "title", as: String.self), url: try row.decode(column: "url", as: String.self),
                summary: try row.decode(column: "summary", as: String.self), dateKey: try row.decode(column: "date_key", as: Int.self),
                snippet: SnippetPiece.pieces(fromMarked: snippets[id] ?? "")
            )
        }
        return ids.compactMap { byID[$0] }
    }
}
