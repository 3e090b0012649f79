import Fluent
import Foundation
import Plot

/// The home page: the platform's purpose, its networks, countries and themes.
enum HomeIndex {
    struct CountryItem: Equatable {
        var iso2: String
        var name: String
        var flag: String
        var cmcParticipant: Bool
    }

    struct CountryGroup: Equatable {
        var titleKey: String
        var countries: [CountryItem]
    }

    struct Model {
        var latest: [SearchHit]
        var networks: [(name: String, summary: String)]
        var themes: [String]
        var groups: [CountryGroup]
        var countryCount: Int
        /// The next events: (id, title, when and where).
        var events: [(id: String, title: String, line: String)] = []
    }

    static func query(db: any Database, viewer: Viewer, language: Language, t: Localizer, references: ReferenceCache.Snapshot) async throws -> Model {
        let latest = try await SearchIndexes.make(for: db).search(
            SearchRequest(query: SearchQuery(), sections: [DocumentLibrary.section], sort: .newest, limit: 5), viewer: viewer, on: db
        ).hits
        let countries = references.countries
        let networks = references.networks.sorted { $0.name < $1.name }
        let themes = references.themes
        func items(_ list: [Country]) -> [CountryItem] {
            list.map { CountryItem(iso2: $0.iso2, name: references.countryName($0.iso2, language), flag: CountryPages.flag($0.iso2), cmcParticipant: $0.cmcParticipant) }
                .sorted { $0.name.localizedCompare($1.name) == .orderedAscending }
        }
        let groups: [(String, (Country) -> Bool)] = [
            ("countries.sovereign", { $0.status == .sovereign }),
            ("countries.uk", { $0.sovereignState == "United Kingdom" }),
            ("countries.nl", { $0.sovereignState?.hasPrefix("Kingdom of the Netherlands") == true }),
            ("countries.fr", { $0.sovereignState == "France" }),
            ("countries.us", { $0.sovereignState == "United States" }),
        ]
        var placed = Set<String>()
        var result: [CountryGroup] = groups.map { key, belongs in
            let members = countries.filter(belongs)
            placed.formUnion(members.map(\.iso2))
            return CountryGroup(titleKey: key, countries: items(members))
        }
        let rest = countries.filter { !placed.contains($0.iso2) }
        if !rest.isEmpty { result.append(CountryGroup(titleKey: "countries.other", countries: items(rest))) }
        return Model(
            latest: latest,
            networks: networks.map { (t("network.\($0.slug)"), t("network.\($0.slug).summary")) },
            themes: themes.map { t("theme.\($0.slug)") }.sorted { $0.localizedCompare($1) == .orderedAscending },
            groups: result.filter { !$0.countries.isEmpty },
            countryCount: countries.count
        )
    }

    /// The flag as regional indicator symbols: drawn by the reader's system, nothing to download.

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .group(
            .section(
                .class("hero"),
                .h1(.text(t("home.title"))),
                .p(.class("lead"), .text(t("home.lead"))),
                .if(!context.viewer.isSignedIn, .p(
                    .link(.join, .class("button primary"), .text(t("nav.join"))),
                    .text(" "),
                    .link(.login(returnTo: nil), .class("button"), .text(t("nav.login")))
                ))
            ),
            .section(
                .attr("aria-labelledby", "latest"),
                .h2(.id("latest"), .text(t("home.latest"))),
                model.latest.isEmpty
                    ? .p(.text(t("home.latest.none")))
                    : .ul(.class("results"), .forEach(model.latest) { hit in
                        .li(.el("a", .attr("href", hit.url), .el("strong", .text(hit.title))), .p(.class("meta"), .text(hit.summary)))
                    }),
                .p(.link(.documents(query: []), .text(t("home.latest.all"))))
            ),
            .section(
                .attr("aria-labelledby", "events"),
                .h2(.id("events"), .text(t("home.events"))),
                model.events.isEmpty
                    ? .p(.text(t("events.noUpcoming")))
                    : .ul(.class("results"), .forEach(model.events) { event in
                        .li(.link(.event(event.id), .el("strong", .text(event.title))), .p(.class("meta"), .text(event.line)))
                    }),
                .p(.link(.events(query: []), .text(t("home.allEvents"))))
            ),
            .section(
                .attr("aria-labelledby", "what"),
                .h2(.id("what"), .text(t("home.what"))),
                .ul(
                    .class("cards"),
                    .forEach(["repository", "countries", "events", "statistics", "networks", "forum"]) { part in
                        .li(.h3(.text(t("home.part.\(part)"))), .p(.text(t("home.part.\(part).text"))))
                    }
                )
            ),
            .section(
                .attr("aria-labelledby", "networks"),
                .h2(.id("networks"), .text(t("home.networks"))),
                .ul(
                    .class("cards"),
                    .forEach(model.networks) { network in
                        .li(.h3(.text(network.name)), .p(.text(network.summary)))
                    }
                )
            ),
            .section(
                .attr("aria-labelledby", "countries"),
                .h2(.id("countries"), .text(t("home.countries", ["count": String(model.countryCount)]))),
                .p(.text(t("home.countries.text"))),
                .forEach(model.groups) { group in
                    .group(
                        .h3(.text(t(group.titleKey))),
                        .ul(
                            .class("country-list"),
                            .forEach(group.countries) { country in
                                .li(
                                    .el("span", .class("flag"), .attr("aria-hidden", "true"), .text(country.flag)),
                                    .text(" "),
                                    .link(.country(country.iso2.lowercased()), .text(country.name)),
                                    .if(country.cmcParticipant, .el("abbr", .class("tag"), .attr("title", t("countries.cmc")), .text(t("countries.cmcShort"))))
                                )
                            }
                        )
                    )
                }
            ),
            .section(
                .attr("aria-labelledby", "themes"),
                .h2(.id("themes"), .text(t("home.themes"))),
                .ul(.class("tags"), .forEach(model.themes) { .li(.text($0)) })
            )
        )
    }
}
