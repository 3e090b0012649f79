import Foundation
import SQLKit

/// One of the newest matches of a search, with what ordering, facet counts and paging need.
/// Both engines fetch these in one bounded pass (the newest `candidates` matches, by index
/// order) and hand them to `SearchAssembly`, so ranking and facets behave the same on both.
struct SearchCandidate: Sendable {
    var id: Int
    /// "facet:value" tags (section, access and facet values).
    var tags: [String]
    var dateKey: Int
    var titleSort: String
    /// Relevance tier: 0 every query word in the title or authors, 1 in the head (title,
    /// authors, abstract), 2 in the body only.
    var tier: Int = 2
}

enum SearchAssembly {
    /// Facet → (value, count), most frequent first, then by value.
    static func facetCounts(_ candidates: [SearchCandidate], facets: [String]) -> [String: [(value: String, count: Int)]] {
        guard !facets.isEmpty else { return [:] }
        var counts: [String: [String: Int]] = [:]
        let prefixes = facets.map { (facet: $0, prefix: Array(($0 + ":").utf8)) }
        for facet in facets { counts[facet] = [:] }
        for candidate in candidates {
            for tag in candidate.tags {
                let bytes = tag.utf8
                for (facet, prefix) in prefixes where bytes.count > prefix.count && bytes.starts(with: prefix) {
                    counts[facet]![String(decoding: bytes.dropFirst(prefix.count), as: UTF8.self), default: 0] += 1
                    break
                }
            }
        }
        return counts.mapValues { values in
            values.map { (value: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
        }
    }

    /// Counts for facets with chosen values, from candidates that miss at most one chosen
    /// filter: a value of facet f counts where every chosen filter but f's own holds.
    static func chosenFacetCounts(_ candidates: [SearchCandidate], request: SearchRequest, chosen: [String]) -> [String: [(value: String, count: Int)]] {
        let wanted = chosen.map { facet in (facet, Set((request.filters[facet] ?? []).map { "\(facet):\($0)" })) }
        var counts: [String: [String: Int]] = Dictionary(uniqueKeysWithValues: chosen.map { ($0, [:]) })
        for candidate in candidates {
            let tags = Set(candidate.tags)
            let holds = wanted.map { !$0.1.isDisjoint(with: tags) }
            for (index, (facet, _)) in wanted.enumerated() where holds.indices.allSatisfy({ $0 == index || holds[$0] }) {
                let prefix = facet + ":"
                for tag in candidate.tags where tag.hasPrefix(prefix) {
                    counts[facet]![String(tag.dropFirst(prefix.count)), default: 0] += 1
                }
            }
        }
        return counts.mapValues { values in
            values.map { (value: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
        }
    }

    /// The ids of one page of the candidates. Relevance: by tier, then most recently indexed;
    /// newest: publication date, then most recent; title: sort key, then most recent.
    static func page(_ candidates: [SearchCandidate], sort: SearchSort, offset: Int, limit: Int) -> [Int] {
        let ordered: [SearchCandidate]
        switch sort {
        case .relevance:
            ordered = candidates.sorted { $0.tier != $1.tier ? $0.tier < $1.tier : $0.id > $1.id }
        case .newest:
            ordered = candidates.sorted { $0.dateKey != $1.dateKey ? $0.dateKey > $1.dateKey : $0.id > $1.id }
        case .title:
            ordered = candidates.sorted { $0.titleSort != $1.titleSort ? $0.titleSort < $1.titleSort : $0.id > $1.id }
        }
        guard offset < ordered.count else { return [] }
        return ordered[offset..<min(ordered.count, offset + limit)].map(\.id)
    }

    /// The number of matches when only the newest `sample` were fetched: their density over
    /// the ids indexed since the oldest of them (`recentSpan`), applied to the section's id span.
    /// Rounded to two significant figures; always more than the sample.
    static func estimate(sample: Int, recentSpan: Int, span: Int) -> Int {
        guard recentSpan > 0, span > 0 else { return sample + 1 }
        let raw = Double(sample) * Double(span) / Double(recentSpan)
        let magnitude = pow(10, max(0, floor(log10(max(raw, 1))) - 1))
        let rounded = Int((raw / magnitude).rounded() * magnitude)
        return max(sample + 1, min(rounded, span))
    }

    /// The first and last id of some sections and of the whole index (the `(section, id)` index
    /// and the primary key; the same SQL on both engines).
    struct SectionSpan {
        var lo = Int.max, hi = 0, indexLo = 0, indexHi = 0

        static func read(_ sections: [String], sql: any SQLDatabase) async throws -> SectionSpan {
            var span = SectionSpan()
            for section in sections {
                let row = try await sql.raw("""
                    SELECT (SELECT min(id) FROM search_entries WHERE section = \(bind: section)) AS lo,
                           (SELECT max(id) FROM search_entries WHERE section = \(bind: section)) AS hi,
                           (SELECT min(id) FROM search_entries) AS index_lo, (SELECT max(id) FROM search_entries) AS index_hi
                    """).first()
                if let low = try row?.decode(column: "lo", as: Int?.self), let high = try row?.decode(column: "hi", as: Int?.self) {
                    span.lo = min(span.lo, low)
                    span.hi = max(span.hi, high)
                }
                span.indexLo = try row?.decode(column: "index_lo", as: Int?.self) ?? 0
                span.indexHi = try row?.decode(column: "index_hi", as: Int?.self) ?? 0
            }
            return span
        }

        /// Roughly what part of the index the sections hold (by id span).
        var share: Double {
            guard hi >= lo, indexHi > indexLo else { return 1 }
            return Double(hi - lo + 1) / Double(indexHi - indexLo + 1)
        }

        /// The total of a sampled search whose oldest candidate is `lowest`.
        func estimate(sample: Int, lowest: Int) -> Int {
            guard hi >= lowest, lo <= lowest else { return sample + 1 }
            return SearchAssembly.estimate(sample: sample, recentSpan: hi - lowest + 1, span: hi - lo + 1)
        }
    }

    /// Candidates joined by SQL into one text: records separated by U+001E, fields (id, date,
    /// tags, sort key, optionally the tier) by U+001F. Only the tags of `facets` are kept (all
    /// facet tags when nil).
    static func candidates(fromJoined text: String, facets: [String]?) -> [SearchCandidate] {
        var text = text
        let prefixes = facets.map { $0.map { Array(($0 + ":").utf8) } }
        return text.withUTF8 { buffer in
            split(Slice(base: buffer, bounds: 0..<buffer.count), on: 0x1E).compactMap { record -> SearchCandidate? in
                let fields = split(record, on: 0x1F, keepEmpty: true)
                guard fields.count >= 4, let id = integer(fields[0]), let date = integer(fields[1]) else { return nil }
                let tags = split(fields[2], on: 0x20).filter { tag in prefixes.map { $0.contains { tag.starts(with: $0) } } ?? true }
                return SearchCandidate(
                    id: id, tags: tags.map { String(decoding: $0, as: UTF8.self) },
                    dateKey: date, titleSort: String(decoding: fields[3], as: UTF8.self),
                    tier: fields.count > 4 ? integer(fields[4]) ?? 2 : 2
                )
            }
        }
    }

    private static func split(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, on separator: UInt8, keepEmpty: Bool = false) -> [Slice<UnsafeBufferPointer<UInt8>>] {
        var parts: [Slice<UnsafeBufferPointer<UInt8>>] = []
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == separator {
            if keepEmpty || index > start { parts.append(bytes[start..<index]) }
            start = index + 1
        }
        if keepEmpty || start < bytes.endIndex { parts.append(bytes[start..<bytes.endIndex]) }
        return parts
    }

    private static func integer(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        var negative = false
        for (offset, byte) in bytes.enumerated() {
            if offset == 0 && byte == 0x2D { negative = true; continue }
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value &* 10 &+ Int(byte - 0x30)
        }
        return negative ? -value : value
    }
}
