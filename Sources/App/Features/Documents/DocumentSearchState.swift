import Foundation

/// Everything the repository's search page can be asked, read from its URL and written back
/// into URLs (so every state can be shared and bookmarked).
struct DocumentSearchState: Sendable, Equatable {
    static let facets = ["type", "country", "theme", "network", "lang"]
    static let pageSize = 20
    static let maxPage = 500

    var q = ""
    var filters: [String: [String]] = [:]
    var from: Int?
    var to: Int?
    var sort: SearchSort = .relevance
    var page = 1
    /// Parameters that were not understood, shown to the user and dropped.
    var ignored: [String] = []

    init() {}

    /// Reads `pairs` (the query string); values outside `known` are reported, not used.
    init(pairs: [(String, String)], known: [String: Set<String>], currentYear: Int) {
        for (name, raw) in pairs {
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            switch name {
            case "q": q = String(value.prefix(SearchQuery.maxLength))
            case "sort":
                if let sort = SearchSort(rawValue: value) { self.sort = sort } else if !value.isEmpty { ignored.append("sort=\(value)") }
            case "page":
                if let number = Int(value), number >= 1 { page = min(number, Self.maxPage) } else if !value.isEmpty { ignored.append("page=\(value)") }
            case "from", "to":
                guard !value.isEmpty else { continue }
                if let year = Int(value), (1900...currentYear + 1).contains(year) {
                    if name == "from" { from = year } else { to = year }
                } else { ignored.append("\(name)=\(value)") }
            case _ where Self.facets.contains(name):
                guard !value.isEmpty else { continue }
                let normal = name == "country" || name == "lang" ? value.lowercased() : value
                if known[name]?.contains(normal) == true {
                    if !(filters[name]?.contains(normal) ?? false) { filters[name, default: []].append(normal) }
                } else { ignored.append("\(name)=\(value)") }
            default: break
            }
        }
        if let from, let to, from > to { (self.from, self.to) = (to, from) }
    }

    var years: ClosedRange<Int>? {
        switch (from, to) {
        case let (from?, to?): from...to
        case let (from?, nil): from...(from + 200)
        case let (nil, to?): 1900...to
        default: nil
        }
    }

    var hasFilters: Bool { !filters.isEmpty || from != nil || to != nil }

    /// The URL parameters of this state, changed by `change`.
    func queryItems(_ change: (inout DocumentSearchState) -> Void = { _ in }) -> [URLQueryItem] {
        var state = self
        change(&state)
        var items: [URLQueryItem] = []
        if !state.q.isEmpty { items.append(URLQueryItem(name: "q", value: state.q)) }
        for facet in Self.facets {
            for value in state.filters[facet] ?? [] { items.append(URLQueryItem(name: facet, value: value)) }
        }
        if let from = state.from { items.append(URLQueryItem(name: "from", value: String(from))) }
        if let to = state.to { items.append(URLQueryItem(name: "to", value: String(to))) }
        if state.sort != .relevance { items.append(URLQueryItem(name: "sort", value: state.sort.rawValue)) }
        if state.page > 1 { items.append(URLQueryItem(name: "page", value: String(state.page))) }
        return items
    }

    func request(query: SearchQuery) -> SearchRequest {
        SearchRequest(
            query: query, sections: [DocumentLibrary.section],
            filters: filters.mapValues { Set($0) }, years: years,
            sort: query.isEmpty && sort == .relevance ? .newest : sort,
            offset: (page - 1) * Self.pageSize, limit: Self.pageSize, facets: Self.facets
        )
    }
}
