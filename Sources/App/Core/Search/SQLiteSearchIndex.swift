import Fluent
import FluentSQL
import Foundation

/// The search index on SQLite: an FTS5 table (porter stemming, accents removed) holding title,
/// authors, abstract, body and the entry's tags, beside a plain table with what a hit shows.
/// Both share the rowid; a re-indexed entry gets a new, higher rowid, so rowid order is
/// "most recently indexed first" — the cheap order the bounds below rely on.
struct SQLiteSearchIndex: SearchIndex {
    static let columns = "{title authors abstract body}"
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
        for tag in Set(tags.map(\.text)) where !tag.hasPrefix("section:") && !tag.hasPrefix("vis:") && !tag.hasPrefix("net:") {
            try await sql.raw("INSERT INTO search_tags (entry_id, tag) VALUES (\(bind: id), \(bind: tag))").run()
        }
    }

    func remove(section: String, itemID: String, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entries WHERE section = \(bind: section) AND item_id = \(bind: itemID))
            """).run()
        try await sql.raw("""
            DELETE FROM search_tags WHERE entry_id IN (SELECT id FROM search_entries WHERE section = \(bind: section) AND item_id = \(bind: itemID))
            """).run()
        try await sql.raw("""
            DELETE FROM search_head WHERE rowid IN (SELECT id FROM search_entries WHERE section = \(bind: section) AND item_id = \(bind: itemID))
            """).run()
        try await sql.raw("DELETE FROM search_entries WHERE section = \(bind: section) AND item_id = \(bind: itemID)").run()
    }

    func removeAll(section: String, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entries WHERE section = \(bind: section))").run()
        try await sql.raw("DELETE FROM search_tags WHERE entry_id IN (SELECT id FROM search_entries WHERE section = \(bind: section))").run()
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

    /// The text part in FTS5 syntax, limited to `columns`; nil for an empty query.
    static func textExpression(_ query: SearchQuery, columns: String = columns) -> String? {
        guard !query.isEmpty else { return nil }
        let positive = query.groups.map { group in
            group.count == 1 ? render(group[0], expand: true) : "(" + group.map { render($0, expand: true) }.joined(separator: " OR ") + ")"
        }.joined(separator: " AND ")
        let negative = query.excluded.map { " NOT " + render($0, expand: false) }.joined()
        return "\(columns) : (\(positive)\(negative))"
    }

    static func tagExpression(_ request: SearchRequest, viewer: Viewer, excluding facet: String? = nil) -> String {
        var parts: [String] = []
        let sections = request.sections.map { token(SearchTag("section", $0)) }
        if !sections.isEmpty { parts.append("(" + sections.joined(separator: " OR ") + ")") }
        if let visible = SearchIndexes.visibleTags(for: viewer) {
            parts.append("(" + visible.compactMap(SearchTag.init(text:)).map(token).joined(separator: " OR ") + ")")
        }
        for group in request.filterGroups where group.facet != facet {
            parts.append("(" + group.values.map { token(SearchTag(group.facet, $0)) }.joined(separator: " OR ") + ")")
        }
        return "{tags} : (" + parts.joined(separator: " AND ") + ")"
    }

    static func match(_ request: SearchRequest, viewer: Viewer, excluding facet: String? = nil, columns: String = columns) -> String {
        [textExpression(request.query, columns: columns), tagExpression(request, viewer: viewer, excluding: facet)]
            .compactMap { $0 }.joined(separator: " AND ")
    }

    // MARK: - Searching

    func search(_ request: SearchRequest, viewer: Viewer, on db: any Database) async throws -> SearchResult {
        let sql = db as! any SQLDatabase
        let match = Self.match(request, viewer: viewer)

        let counted = try await sql.raw("""
            SELECT count(*) AS n FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH \(bind: match) LIMIT \(unsafeRaw: String(SearchLimits.countCap + 1)))
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        guard counted > 0 else { return .empty }

        // The most recent matches bound the ranking and the facet counts.
        let cut = counted > request.candidates
            ? try await Self.cutoff(match, candidates: request.candidates, sql: sql)
            : 0

        let order: [Int]
        switch (request.sort, request.query.isEmpty) {
        case (.relevance, false):
            order = try await ranked(request, viewer: viewer, match: match, cut: cut, sql: sql)
        case (.title, _):
            order = try await sql.raw("""
                SELECT e.id FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid
                WHERE search_fts MATCH \(bind: match) ORDER BY e.title_sort, e.id DESC
                LIMIT \(bind: request.limit) OFFSET \(bind: request.offset)
                """).all().map { try $0.decode(column: "id", as: Int.self) }
        default:
            order = try await sql.raw("""
                SELECT e.id FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid
                WHERE search_fts MATCH \(bind: match) ORDER BY e.date_key DESC, e.id DESC
                LIMIT \(bind: request.limit) OFFSET \(bind: request.offset)
                """).all().map { try $0.decode(column: "id", as: Int.self) }
        }
        let hits = try await hits(for: order, request: request, viewer: viewer, sql: sql)
        // Facets without a chosen value share the result set: one pass counts them all. A facet
        // with a chosen value is counted without its own filter, in a pass of its own.
        var facets: [String: [(value: String, count: Int)]] = [:]
        let shared = request.facets.filter { request.filters[$0]?.isEmpty ?? true }
        facets.merge(try await Self.facetCounts(shared, match: match, cut: cut, sql: sql)) { $1 }
        for facet in request.facets where !shared.contains(facet) {
            let facetMatch = Self.match(request, viewer: viewer, excluding: facet)
            let facetCut = try await Self.cutoff(facetMatch, candidates: request.candidates, sql: sql)
            facets.merge(try await Self.facetCounts([facet], match: facetMatch, cut: facetCut, sql: sql)) { $1 }
        }
        return SearchResult(
            hits: hits, total: min(counted, SearchLimits.countCap), totalIsLowerBound: counted > SearchLimits.countCap,
            facets: facets, facetsSampled: cut > 0, sampleSize: request.candidates
        )
    }

    /// The rowid of the `candidates`-th most recent match (0 when there are fewer).
    static func cutoff(_ match: String, candidates: Int, sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("""
            SELECT rowid FROM search_fts WHERE search_fts MATCH \(bind: match)
            ORDER BY rowid DESC LIMIT 1 OFFSET \(bind: candidates - 1)
            """).first()?.decode(column: "rowid", as: Int.self) ?? 0
    }

    /// Relevance among the candidates, on a compact ranking table: documents that match in their
    /// title, authors or abstract first, ordered by BM25 over those columns (title 10, authors 6,
    /// abstract 3) in `search_head`; then documents that match only in the body, newest first.
    /// The body is matched but never ranked: BM25 over 2,000 full texts of a common word cost
    /// ~20 ms, over their heads ~2 ms.
    private func ranked(_ request: SearchRequest, viewer: Viewer, match: String, cut: Int, sql: any SQLDatabase) async throws -> [Int] {
        // FTS5 answers `rowid IN (subquery)` one lookup at a time, so the two tables are combined
        // here rather than in SQL. A head match is a full match unless an excluded word stands in
        // the body only: those are removed at the end.
        let head = Self.match(request, viewer: viewer, columns: "{title authors abstract}")
        let headCount = try await sql.raw("""
            SELECT count(*) AS n FROM search_head WHERE search_head MATCH \(bind: head) AND rowid >= \(bind: cut)
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        var ids: [Int] = []
        if request.offset < headCount {
            ids = try await sql.raw("""
                SELECT rowid FROM search_head WHERE search_head MATCH \(bind: head) AND rowid >= \(bind: cut)
                ORDER BY bm25(search_head, 10.0, 6.0, 3.0, 0.0), rowid DESC
                LIMIT \(bind: request.limit) OFFSET \(bind: request.offset)
                """).all().map { try $0.decode(column: "rowid", as: Int.self) }
        }
        let missing = request.limit - ids.count
        if missing > 0 {
            let inHead = Set(try await sql.raw("""
                SELECT rowid FROM search_head WHERE search_head MATCH \(bind: head) AND rowid >= \(bind: cut)
                """).all().map { try $0.decode(column: "rowid", as: Int.self) })
            let skip = max(0, request.offset - headCount)
            var seen = 0
            for row in try await sql.raw("""
                SELECT rowid FROM search_fts WHERE search_fts MATCH \(bind: match) AND rowid >= \(bind: cut) ORDER BY rowid DESC
                """).all() {
                let id = try row.decode(column: "rowid", as: Int.self)
                guard !inHead.contains(id) else { continue }
                if seen >= skip { ids.append(id) }
                seen += 1
                if ids.count >= request.limit { break }
            }
        }
        if !request.query.excluded.isEmpty, !ids.isEmpty {
            let kept = Set(try await sql.raw("""
                SELECT rowid FROM search_fts WHERE search_fts MATCH \(bind: match) AND rowid IN (\(SQLList(ids.map { SQLBind($0) })))
                """).all().map { try $0.decode(column: "rowid", as: Int.self) })
            ids = ids.filter(kept.contains)
        }
        return ids
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

    static func facetCounts(_ wanted: [String], match: String, cut: Int, sql: any SQLDatabase) async throws -> [String: [(value: String, count: Int)]] {
        guard !wanted.isEmpty else { return [:] }
        var counts: [String: [String: Int]] = [:]
        let names = Set(wanted)
        for row in try await sql.raw("""
            SELECT tag, count(*) AS n FROM search_tags
            WHERE entry_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH \(bind: match) AND rowid >= \(bind: cut))
            GROUP BY tag
            """).all() {
            let tag = try row.decode(column: "tag", as: String.self)
            guard let colon = tag.firstIndex(of: ":") else { continue }
            let facet = String(tag[..<colon])
            if names.contains(facet) { counts[facet, default: [:]][String(tag[tag.index(after: colon)...])] = try row.decode(column: "n", as: Int.self) }
        }
        return Dictionary(uniqueKeysWithValues: wanted.map { facet in
            (facet, (counts[facet] ?? [:]).map { ($0.key, $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 })
        })
    }
}
