import Fluent
import Foundation
import Plot
import Vapor

/// `/search`: every indexed section at once, grouped by section, each with a link to its own
/// full search.
struct SearchController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.search(query: nil).route, use: search)
    }

    func search(req: Request) async throws -> Response {
        let text = String((req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(SearchQuery.maxLength))
        let model = try await SearchResults.query(text, viewer: req.viewer, t: req.t, db: req.db)
        let title = text.isEmpty ? req.t("search.title") : req.t("search.titleFor", ["query": text])
        return req.page(title: title) { SearchResults.view(model, $0) }
    }
}

enum SearchResults {
    /// The sections in the order results are shown, with the page that searches each one alone.
    static var sections: [(name: String, titleKey: String, more: (@Sendable (String) -> SiteURL)?)] { [
        ("documents", "search.group.documents", { .documents(query: [URLQueryItem(name: "q", value: $0)]) }),
        ("countries", "search.group.countries", nil),
        ("events", "search.group.events", nil),
        ("statistics", "search.group.statistics", nil),
        ("networks", "search.group.networks", nil),
        ("themes", "search.group.themes", nil),
    ] }

    struct Group {
        var titleKey: String
        var hits: [SearchHit]
        var total: Int
        var totalIsEstimate: Bool
        var more: SiteURL?
    }

    struct Model {
        var query: String
        var groups: [Group]
        var total: Int { groups.reduce(0) { $0 + $1.total } }
    }

    static func query(_ text: String, viewer: Viewer, t: Localizer, db: any Database) async throws -> Model {
        let query = SearchQuery.parse(text)
        guard !query.isEmpty else { return Model(query: text, groups: []) }
        let index = SearchIndexes.make(for: db)
        var groups: [Group] = []
        for section in sections {
            let result = try await index.search(SearchRequest(query: query, sections: [section.name], limit: 5), viewer: viewer, on: db)
            guard result.total > 0 else { continue }
            groups.append(Group(titleKey: section.titleKey, hits: result.hits, total: result.total, totalIsEstimate: result.totalIsEstimate,
                                more: result.total > result.hits.count ? section.more?(text) : nil))
        }
        return Model(query: text, groups: groups)
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("search.title"))),
            .form(
                .class("search-form"),
                .attr("role", "search"),
                .action(SiteURL.search(query: nil)),
                .method(.get),
                .label(.attr("for", "search-q"), .text(t("search.label"))),
                .div(
                    .class("search-bar"),
                    .input(.type(.search), .id("search-q"), .name("q"), .attribute(named: "value", value: Escape.attribute(model.query))),
                    .button(.type(.submit), .class("primary"), .text(t("search.button")))
                )
            ),
            .if(!model.query.isEmpty, .p(.class("result-count"), .attr("role", "status"), .text(t.plural("search.results", model.total)))),
            .forEach(model.groups) { group in
                .section(
                    .h2(.text(t(group.titleKey)), .text(" "), .el("span", .class("count"), .text("(\(group.totalIsEstimate ? "≈\(group.total.formatted())" : String(group.total)))"))),
                    .ul(.class("results"), .forEach(group.hits) { hit in
                        .li(
                            .el("a", .attr("href", hit.url), .el("strong", .text(hit.title))),
                            .if(!hit.summary.isEmpty, .p(.class("meta"), .text(hit.summary))),
                            .if(!hit.snippet.isEmpty, .p(.class("snippet"), DocumentIndex.snippet(hit.snippet)))
                        )
                    }),
                    .unwrap(group.more) { .p(.link($0, .text(t("search.more")))) }
                )
            }
        )
    }
}
