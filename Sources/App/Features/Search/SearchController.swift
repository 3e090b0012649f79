import Fluent
import Foundation
import Plot
import Vapor

/// `/search`: for now it finds countries and territories, thematic networks and thematic areas
/// by name (case and accents ignored). The shared full-text index takes over as sections arrive.
struct SearchController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.search(query: nil).route, use: search)
    }

    func search(req: Request) async throws -> Response {
        let query = String((req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
        let model = try await SearchResults.query(query, db: req.db, language: req.language, t: req.t)
        let title = query.isEmpty ? req.t("search.title") : req.t("search.titleFor", ["query": query])
        return req.page(title: title) { SearchResults.view(model, $0) }
    }
}

enum SearchResults {
    struct Hit: Equatable {
        var title: String
        var detail: String
    }

    struct Group: Equatable {
        var titleKey: String
        var hits: [Hit]
    }

    struct Model {
        var query: String
        var groups: [Group]
        var total: Int { groups.reduce(0) { $0 + $1.hits.count } }
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// Every word of the query must appear in the item's text.
    static func matches(_ words: [String], _ fields: [String]) -> Bool {
        let text = fold(fields.joined(separator: " "))
        return words.allSatisfy { text.contains($0) }
    }

    static func query(_ query: String, db: any Database, language: Language, t: Localizer) async throws -> Model {
        let words = fold(query).split(whereSeparator: { $0.isWhitespace }).map(String.init)
        guard !words.isEmpty else { return Model(query: query, groups: []) }
        let countries = try await Country.query(on: db).all().filter {
            matches(words, [$0.name, $0.localizedName(language), $0.iso2, $0.iso3, $0.capital, $0.officialLanguages, $0.sovereignState ?? ""])
        }.map {
            Hit(title: $0.localizedName(language), detail: t("search.countryDetail", ["capital": $0.capital, "languages": $0.officialLanguages.replacingOccurrences(of: ";", with: ", ")]))
        }
        let networks = try await Network.query(on: db).all().filter {
            matches(words, [$0.name, $0.summary, t("network.\($0.slug)"), t("network.\($0.slug).summary")])
        }.map { Hit(title: t("network.\($0.slug)"), detail: t("network.\($0.slug).summary")) }
        let themes = try await Theme.query(on: db).all().filter {
            matches(words, [$0.name, t("theme.\($0.slug)")])
        }.map { Hit(title: t("theme.\($0.slug)"), detail: "") }
        return Model(query: query, groups: [
            Group(titleKey: "search.group.countries", hits: countries.sorted { $0.title < $1.title }),
            Group(titleKey: "search.group.networks", hits: networks),
            Group(titleKey: "search.group.themes", hits: themes),
        ].filter { !$0.hits.isEmpty })
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("search.title"))),
            .form(
                .class("search-form"),
                .attr("role", "search"),
                .action(SiteURL.search(query: nil).path),
                .method(.get),
                .label(.attr("for", "search-q"), .text(t("search.label"))),
                .input(.type(.search), .id("search-q"), .name("q"), .attribute(named: "value", value: Escape.attribute(model.query))),
                .button(.type(.submit), .text(t("search.button")))
            ),
            .if(!model.query.isEmpty, .p(.class("result-count"), .attr("role", "status"), .text(t.plural("search.results", model.total)))),
            .forEach(model.groups) { group in
                .section(
                    .h2(.text(t(group.titleKey))),
                    .ul(.class("results"), .forEach(group.hits) { hit in
                        .li(.el("strong", .text(hit.title)), .if(!hit.detail.isEmpty, .p(.text(hit.detail))))
                    })
                )
            },
            .p(.class("hint"), .text(t("search.scope")))
        )
    }
}
