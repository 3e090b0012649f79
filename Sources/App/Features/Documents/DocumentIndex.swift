import Fluent
import Foundation
import Plot

/// `/documents`: the repository's search page with facets.
enum DocumentIndex {
    struct Hit {
        var id: String
        var title: String
        var authors: [String]
        var date: String
        var kindKey: String
        var countries: [String]
        var snippet: [SnippetPiece]
    }

    struct FacetValue {
        var value: String
        var label: String
        var count: Int
        var selected: Bool
    }

    struct Facet {
        var name: String
        var titleKey: String
        var values: [FacetValue]
    }

    struct Model {
        var state: DocumentSearchState
        var queryText: String
        var hits: [Hit]
        var total: Int
        var totalIsEstimate: Bool
        var facets: [Facet]
        var facetsSampled: Bool
        var sampleSize: Int
        var pages: Int
        var canSubmit: Bool
        var ignored: [String]
    }

    /// Labels for facet values in the reader's language.
    struct Labels {
        var countries: [String: String]
        var t: Localizer

        func label(_ facet: String, _ value: String) -> String {
            switch facet {
            case "type": t("documents.kind.\(value)")
            case "country": value == "regional" ? t("documents.regional") : countries[value] ?? value.uppercased()
            case "theme": t("theme.\(value)")
            case "network": t("network.\(value)")
            case "lang": t("language.\(value)")
            default: value
            }
        }
    }

    /// Every value each facet may take, for checking the URL.
    static func knownValues(_ references: DocumentLibrary.References) -> [String: Set<String>] {
        [
            "type": Set(Document.Kind.allCases.map(\.rawValue)),
            "country": Set(references.countries.keys).union(["regional"]),
            "theme": Set(references.themes.keys),
            "network": Set(references.networks.keys),
            "lang": Set(DocumentForm.languageCodes),
        ]
    }

    static func query(state: DocumentSearchState, viewer: Viewer, language: Language, t: Localizer, candidates: Int, references: ReferenceCache.Snapshot, db: any Database) async throws -> Model {
        let query = SearchQuery.parse(state.q)
        var request = state.request(query: query)
        request.candidates = candidates
        let result = try await SearchIndexes.make(for: db).search(request, viewer: viewer, on: db)
        let ids = result.hits.compactMap { UUID(uuidString: $0.itemID) }
        // Only what a hit shows: decoding every field of a document costs more than the search.
        let documents = ids.isEmpty ? [] : try await Access.listed(Document.query(on: db), for: viewer).filter(\.$id ~~ ids)
            .field(\.$id).field(\.$title).field(\.$authorsJSON).field(\.$publisher).field(\.$year).field(\.$month).field(\.$day)
            .field(\.$kind).field(\.$regional).all()
        let byID = Dictionary(uniqueKeysWithValues: documents.compactMap { d in d.id.map { ($0, d) } })
        var placesByDocument: [UUID: [String]] = [:]
        if !ids.isEmpty {
            for link in try await DocumentCountry.query(on: db).filter(\.$document.$id ~~ ids).all() {
                if let country = references.countriesByID[link.$country.id] {
                    placesByDocument[link.$document.id, default: []].append(references.countryName(country.iso2, language))
                }
            }
        }
        let labels = Labels(countries: references.countryNames[language] ?? [:], t: t)
        let hits: [Hit] = result.hits.compactMap { hit in
            guard let id = UUID(uuidString: hit.itemID), let document = byID[id] else { return nil }
            return Hit(
                id: hit.itemID, title: document.title, authors: document.authors.isEmpty ? [document.publisher] : document.authors,
                date: document.isoDate, kindKey: "documents.kind.\(document.kind.rawValue)",
                countries: (placesByDocument[id] ?? []).sorted() + (document.regional ? [t("documents.regional")] : []),
                snippet: hit.snippet
            )
        }
        let facets: [Facet] = DocumentSearchState.facets.map { name in
            let selected = Set(state.filters[name] ?? [])
            var values = (result.facets[name] ?? []).map {
                FacetValue(value: $0.value, label: labels.label(name, $0.value), count: $0.count, selected: selected.contains($0.value))
            }
            for value in selected where !values.contains(where: { $0.value == value }) {
                values.append(FacetValue(value: value, label: labels.label(name, value), count: 0, selected: true))
            }
            return Facet(name: name, titleKey: "documents.facet.\(name)", values: values)
        }
        return Model(
            state: state, queryText: state.q, hits: hits, total: result.total, totalIsEstimate: result.totalIsEstimate,
            facets: facets, facetsSampled: result.facetsSampled, sampleSize: result.sampleSize,
            pages: max(1, (result.pageable + DocumentSearchState.pageSize - 1) / DocumentSearchState.pageSize),
            canSubmit: Access.can(viewer, .contribute), ignored: state.ignored
        )
    }

    // MARK: - View

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let state = model.state
        return .div(
            .class("search-page"),
            .div(
                .class("page-head"),
                .h1(.text(t("documents.title"))),
                .if(model.canSubmit, .p(.link(.documentNew, .class("button primary"), .text(t("documents.submit")))))
            ),
            .form(
                .id("document-search"),
                .class("search-layout"),
                .action(SiteURL.documents(query: [])),
                .method(.get),
                .div(
                    .class("search-bar"),
                    .label(.attr("for", "documents-q"), .class("visually-hidden"), .text(t("documents.searchLabel"))),
                    .input(.type(.search), .id("documents-q"), .name("q"), .attribute(named: "value", value: Escape.attribute(model.queryText)),
                           .attribute(named: "placeholder", value: Escape.attribute(t("documents.searchPlaceholder")))),
                    .button(.type(.submit), .class("primary"), .text(t("search.button")))
                ),
                .p(.class("hint"), .text(t("documents.syntax"))),
                .div(.class("search-columns"), filters(model, context), results(model, context))
            )
        )
    }

    static func clearFiltersLink<C: HTML.BodyContext>(_ state: DocumentSearchState, _ t: Localizer) -> Node<C> {
        let url = SiteURL.documents(query: state.queryItems { $0.filters = [:]; $0.from = nil; $0.to = nil; $0.page = 1 })
        return .p(.link(url, .text(t("documents.clearFilters"))))
    }

    static func yearRange<C: HTML.BodyContext>(_ state: DocumentSearchState, _ t: Localizer) -> Node<C> {
        func box(_ name: String, _ value: Int?) -> Node<C> {
            .selfClosedElement(named: "input", attributes: [
                Attribute<HTML.InputContext>.attr("type", "number"), .attr("id", name), .attr("name", name),
                .attr("min", "1900"), .attr("max", "2100"), .attr("value", value.map(String.init) ?? ""),
            ])
        }
        return .el(
            "fieldset",
            .el("legend", .text(t("documents.facet.year"))),
            .div(
                .class("year-range"),
                .label(.attr("for", "from"), .text(t("documents.from"))), box("from", state.from),
                .label(.attr("for", "to"), .text(t("documents.to"))), box("to", state.to)
            )
        )
    }

    static func filters<C: HTML.BodyContext>(_ model: Model, _ context: PageContext) -> Node<C> {
        let t = context.t
        let state = model.state
        var nodes: [Node<C>] = [
            .class("filters"),
            .attr("aria-labelledby", "filters-title"),
            .h2(.id("filters-title"), .text(t("documents.filters"))),
        ]
        nodes += model.facets.map { facetView($0, context) }
        nodes.append(yearRange(state, t))
        nodes.append(sortField(state, t))
        nodes.append(.button(.type(.submit), .text(t("documents.apply"))))
        if state.hasFilters { nodes.append(clearFiltersLink(state, t)) }
        return .element(named: "aside", nodes: nodes)
    }

    static func countLine(_ model: Model, _ t: Localizer) -> String {
        model.totalIsEstimate ? t("documents.countAbout", ["count": model.total.formatted()]) : t.plural("documents.count", model.total)
    }

    static func results<C: HTML.BodyContext>(_ model: Model, _ context: PageContext) -> Node<C> {
        let t = context.t
        let state = model.state
        var nodes: [Node<C>] = [.class("results-column")]
        if !model.ignored.isEmpty {
            nodes.append(.p(.class("notice warn"), .attr("role", "status"), .text(t("documents.ignored", ["params": model.ignored.joined(separator: ", ")]))))
        }
        nodes.append(.p(.class("result-count"), .attr("role", "status"), .text(countLine(model, t))))
        if model.facetsSampled {
            nodes.append(.p(.class("hint"), .text(t("documents.sampled"))))
        }
        if model.hits.isEmpty {
            nodes.append(emptyView(model, context))
        } else {
            let start = String((state.page - 1) * DocumentSearchState.pageSize + 1)
            nodes.append(.ol(.class("hits"), .attr("start", start), .forEach(model.hits) { hit in .li(hitView(hit, context)) }))
        }
        nodes.append(pager(model, context))
        nodes.append(feedLink(state, t))
        return .div(.group(nodes))
    }

    static func feedLink<C: HTML.BodyContext>(_ state: DocumentSearchState, _ t: Localizer) -> Node<C> {
        let url = SiteURL.documentsFeed(query: state.queryItems { $0.page = 1; $0.sort = .relevance })
        return .p(.class("feed-link"), .link(url, .text(t("documents.feed"))))
    }

    static func sortField<C: HTML.BodyContext>(_ state: DocumentSearchState, _ t: Localizer) -> Node<C> {
        var options: [Node<C>] = [.attr("id", "sort"), .attr("name", "sort")]
        for sort in SearchSort.allCases {
            let option: Node<C> = .el("option", .attr("value", sort.rawValue), .flag("selected", sort == state.sort), .text(t("documents.sort.\(sort.rawValue)")))
            options.append(option)
        }
        return .div(.class("field"), .label(.attr("for", "sort"), .text(t("documents.sort"))), .element(named: "select", nodes: options))
    }

    static func facetView<C: HTML.BodyContext>(_ facet: Facet, _ context: PageContext) -> Node<C> {
        let t = context.t
        guard !facet.values.isEmpty else { return .empty }
        let shown = facet.values.filter(\.selected) + facet.values.filter { !$0.selected }.prefix(8)
        let rest = facet.values.filter { !$0.selected }.dropFirst(8)
        func checkbox<D>(_ value: FacetValue) -> Node<D> {
            let attributes: [Attribute<HTML.InputContext>] = [.attr("type", "checkbox"), .attr("name", facet.name), .attr("value", value.value)]
                + (value.selected ? [Attribute(name: "checked", value: nil, ignoreIfValueIsEmpty: false)] : [])
            let nodes: [Node<D>] = [
                .attr("class", "facet-value"),
                .selfClosedElement(named: "input", attributes: attributes),
                .text(" \(value.label) "),
                .el("span", .attr("class", "count"), .text("(\(value.count.formatted()))")),
            ]
            return .element(named: "label", nodes: nodes)
        }
        return .el(
            "fieldset",
            .el("legend", .text(t(facet.titleKey))),
            .forEach(Array(shown)) { checkbox($0) },
            .if(!rest.isEmpty, .details(
                .summary(.text(t("documents.moreValues", ["count": String(rest.count)]))),
                .forEach(Array(rest)) { checkbox($0) }
            ))
        )
    }

    static func hitView<C: HTML.BodyContext>(_ hit: Hit, _ context: PageContext) -> Node<C> {
        let t = context.t
        return .element(named: "article", nodes: [
            .class("hit"),
            .h2(.link(.document(hit.id), .text(hit.title))),
            .p(
                .class("meta"),
                .text([hit.authors.prefix(4).joined(separator: "; ") + (hit.authors.count > 4 ? " …" : ""), hit.date, t(hit.kindKey)]
                    .filter { !$0.isEmpty }.joined(separator: " · ")),
                .if(!hit.countries.isEmpty, .el("span", .class("places"), .text(hit.countries.prefix(6).joined(separator: ", "))))
            ),
            .if(!hit.snippet.isEmpty, .p(.class("snippet"), snippet(hit.snippet))),
        ])
    }

    /// Matched words in `<mark>`, the rest as escaped text.
    static func snippet<C: HTML.BodyContext>(_ pieces: [SnippetPiece]) -> Node<C> {
        .group(pieces.map { $0.highlighted ? .el("mark", .text($0.text)) : .text($0.text) })
    }

    static func emptyView<C: HTML.BodyContext>(_ model: Model, _ context: PageContext) -> Node<C> {
        let t = context.t
        if model.state.page > 1 && model.total > 0 {
            return .p(.class("empty"), .text(t("documents.pastEnd")), .text(" "),
                      .link(.documents(query: model.state.queryItems { $0.page = 1 }), .text(t("documents.firstPage"))))
        }
        return .div(.class("empty"), .p(.text(t("documents.none"))), .if(model.state.hasFilters, .p(.text(t("documents.noneFilters")))))
    }

    static func pager<C: HTML.BodyContext>(_ model: Model, _ context: PageContext) -> Node<C> {
        let t = context.t
        let page = model.state.page
        let pages = min(model.pages, DocumentSearchState.maxPage)
        guard pages > 1, page <= pages else { return .empty }
        return .nav(
            .class("pager"),
            .attr("aria-label", t("pager.label")),
            .if(page > 1, .link(.documents(query: model.state.queryItems { $0.page = page - 1 }), .attr("rel", "prev"), .text(t("pager.previous")))),
            .el("span", .text(t("pager.position", ["page": String(page), "pages": String(pages)]))),
            .if(page < pages, .link(.documents(query: model.state.queryItems { $0.page = page + 1 }), .attr("rel", "next"), .text(t("pager.next"))))
        )
    }
}
