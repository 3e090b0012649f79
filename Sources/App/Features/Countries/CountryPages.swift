import Charts
import Fluent
import Foundation
import Plot
import RegionMap
import TextDiff

/// The views of the country section.
enum CountryPages {
    static let compareLimit = 5

    /// The figures shown beside the key facts, in order (the first available of each group).
    static let figureRows: [[String]] = [
        ["intl_migrant_stock"], ["intl_migrant_stock_pct_of_population"], ["intl_migrant_stock_female_pct_derived"],
        ["net_migration"], ["remittances_received_usd"], ["remittances_received_pct_gdp", "remittances_received_pct_gdp_derived"],
    ]

    /// Groups of the list: sovereign states, then the territories of each state.
    static let groups: [(key: String, sovereign: String?)] = [
        ("countries.sovereign", nil), ("countries.uk", "United Kingdom"),
        ("countries.nl", "Kingdom of the Netherlands"), ("countries.fr", "France"), ("countries.us", "United States"),
    ]

    /// The flag as an emoji (two regional indicator letters); no image is downloaded.
    static func flag(_ iso2: String) -> String {
        String(String.UnicodeScalarView(iso2.uppercased().unicodeScalars.compactMap { Unicode.Scalar(0x1F1E6 + $0.value - 65) }))
    }

    /// A name short enough for a label on the map.
    static func shortName(_ name: String) -> String {
        var short = name
        for (long, abbreviation) in [("Saint ", "St "), ("Sint ", "St "), ("San ", "S. "), ("Saint-", "St-"), (" and ", " & "), (" y ", " & "), (" et ", " & "), (" en ", " & ")] {
            short = short.replacingOccurrences(of: long, with: abbreviation)
        }
        if short.count > 24, let cut = short.range(of: " & ") { short = String(short[..<cut.lowerBound]) }
        return short
    }

    static func number(_ value: Double, _ language: Language, digits: Int = 1) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: language.rawValue)
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = digits
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    static func population(_ figures: [CountryFigure]) -> [UUID: CountryFigure] {
        var best: [UUID: CountryFigure] = [:]
        for figure in figures where best[figure.$country.id] == nil || figure.indicator == "population" {
            best[figure.$country.id] = figure
        }
        return best
    }

    static func statusLine(_ country: Country, _ t: Localizer) -> String {
        guard country.status == .territory else { return t("countries.status.sovereign") }
        return t("countries.status.territoryOf", ["state": country.sovereignState ?? ""])
    }

    static func markers(_ country: Country, _ t: Localizer) -> Node<HTML.BodyContext> {
        .group(
            .if(country.cmcParticipant, .el("span", .class("badge cmc"), .attr("title", t("countries.cmc")), .text(t("countries.cmcShort")))),
            .if(country.needsAssessment2018, .el("span", .class("badge mgi"), .attr("title", t("countries.needsAssessmentLong")), .text(t("countries.needsAssessment"))))
        )
    }

    // MARK: - List and map

    struct IndexModel {
        var countries: [Country]
        var population: [UUID: CountryFigure]
    }

    static func index(_ model: IndexModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let language = context.language
        let sorted = model.countries.sorted { $0.localizedName(language).localizedCompare($1.localizedName(language)) == .orderedAscending }
        let markers = sorted.map { country in
            MapMarker(id: country.iso2.lowercased(), label: country.localizedName(language), latitude: country.capitalLatitude,
                      longitude: country.capitalLongitude, href: SiteURL.country(country.iso2.lowercased()).path,
                      title: "\(country.localizedName(language)) — \(country.capital)", shortLabel: shortName(country.localizedName(language)))
        }
        let map = RegionMap().svg(markers: markers, title: t("countries.map.title"), description: t("countries.map.description"),
                                  insetLabel: Country.localizedBermuda(language))
        return .div(
            .class("countries-page"),
            .h1(.text(t("countries.title"))),
            .p(.class("lead"), .text(t("countries.intro"))),
            .p(.link(.countriesCompare(codes: []), .text(t("countries.compare.link")))),
            .el("figure", .class("map"), .raw(map), .el("figcaption", .text(t("countries.map.caption")))),
            .p(.class("legend"),
               .el("span", .class("badge cmc"), .text(t("countries.cmcShort"))), .text(" " + t("countries.cmc") + " "),
               .el("span", .class("badge mgi"), .text(t("countries.needsAssessment"))), .text(" " + t("countries.needsAssessmentLong"))),
            .forEach(groups) { group in
                groupSection(group, sorted: sorted, model: model, context: context)
            }
        )
    }

    private static func groupSection(_ group: (key: String, sovereign: String?), sorted: [Country], model: IndexModel, context: PageContext) -> Node<HTML.BodyContext> {
        let members = sorted.filter { group.sovereign == nil ? $0.status == .sovereign : ($0.status == .territory && $0.sovereignState == group.sovereign) }
        guard !members.isEmpty else { return .empty }
        return .section(
            .class("country-group"),
            .h2(.text(context.t(group.key))),
            .ul(.class("country-list"), .forEach(members) { country in countryItem(country, model: model, context: context) })
        )
    }

    private static func countryItem(_ country: Country, model: IndexModel, context: PageContext) -> Node<HTML.ListContext> {
        let t = context.t
        let language = context.language
        var facts = t("countries.capitalIs", ["capital": country.capital])
        if let figure = model.population[country.id ?? UUID()] {
            facts += " · " + t("countries.populationIn", ["number": number(figure.value, language, digits: 0), "year": String(figure.year)])
        }
        let name: Node<HTML.BodyContext> = .el("strong", .text(country.localizedName(language)))
        return .li(
            .id("c-\(country.iso2.lowercased())"),
            .el("span", .class("flag"), .attr("aria-hidden", "true"), .text(flag(country.iso2))),
            .text(" "),
            .link(.country(country.iso2.lowercased()), name),
            .text(" "), markers(country, t),
            .el("span", .class("meta"), .text(" — " + facts))
        )
    }

    // MARK: - Profile

    struct ShowModel {
        var country: Country
        var content: ProfileContent
        var revision: Int
        var figures: [CountryFigure]
        var documents: SearchResult
        var events: [Event]
        var focalPoints: [User]
        var canEdit: Bool
        var base: URL
        var indicators: [KeyIndicator] = []
    }

    /// The statistics centre's key indicators on a profile, each with its series.
    static let keyIndicators = ["immigrant_stock", "emigrant_stock_rev2020", "SM.POP.NETM", "BX.TRF.PWKR.CD.DT", "refugees_hosted", "disaster_displacements"]

    struct KeyIndicator {
        var indicator: StatIndicator
        var points: [StatisticsData.Point]
    }

    /// The key indicators' series (both sexes) for the areas, from the datasets the viewer may see;
    /// indicators without data are left out. One query for the catalogue, one per indicator.
    static func keySeries(areas: [String], viewer: Viewer, db: any Database) async throws -> [KeyIndicator] {
        let datasets = try await StatisticsData.visibleDatasets(viewer, db: db)
        let catalogue = Dictionary(uniqueKeysWithValues: try await StatIndicator.query(on: db).filter(\.$code ~~ keyIndicators).all().map { ($0.code, $0) })
        var series: [KeyIndicator] = []
        for code in keyIndicators {
            guard let indicator = catalogue[code] else { continue }
            let points = try await StatisticsData.points(indicator: code, areas: areas, years: nil, sex: "T", datasets: datasets, db: db)
            if !points.isEmpty { series.append(KeyIndicator(indicator: indicator, points: points)) }
        }
        return series
    }

    static func indicatorsSection(_ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        guard !model.indicators.isEmpty else { return .empty }
        let locale = Locale(identifier: context.language.rawValue)
        return .section(
            .id("indicators"),
            .h2(.text(t("countries.indicators"))),
            .table(
                .class("key-indicators"),
                .thead(.tr(.th(.text(t("countries.indicators.name"))), .th(.text(t("countries.indicators.latest"))), .th(.text(t("countries.indicators.trend"))))),
                .tbody(.forEach(model.indicators) { item in
                    let last = item.points.last!
                    let series = item.points.map { (x: Double($0.year), y: Optional($0.value)) }
                    return .tr(
                        .th(.attr("scope", "row"), .link(.statisticsIndicator(item.indicator.code, query: [URLQueryItem(name: "c", value: model.country.iso2.lowercased())]),
                                                          .text(item.indicator.name))),
                        .td(.text(Charts.format(last.value, decimals: 1, locale: locale) + " (\(last.year))" + (last.flag == "D" ? " D" : ""))),
                        .td(.raw(Charts.sparkline(series, label: t("countries.indicators.trendOf", ["name": item.indicator.name]))))
                    )
                })
            ),
            .p(.class("hint"), .link(.statistics, .text(t("countries.indicators.more"))))
        )
    }

    static func show(_ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let country = model.country
        let code = country.iso2.lowercased()
        let language = context.language
        return .div(
            .class("country-page"),
            .div(
                .class("page-head"),
                .h1(.el("span", .class("flag"), .attr("aria-hidden", "true"), .text(flag(country.iso2) + " ")), .text(country.localizedName(language))),
                .p(.class("status"), .text(statusLine(country, t) + " "), markers(country, t))
            ),
            .nav(.class("subnav"), .attr("aria-label", t("countries.profileNav")), .ul(
                .li(.el("a", .attr("href", "#facts"), .text(t("countries.part.facts")))),
                .forEach(ProfilePart.sections) { part in .li(.el("a", .attr("href", "#\(part.rawValue)"), .text(t(part.titleKey)))) },
                .li(.el("a", .attr("href", "#documents"), .text(t("countries.documents")))),
                .li(.link(.countryHistory(code), .text(t("countries.history.link"))))
            )),
            factsSection(model, context),
            indicatorsSection(model, context),
            .forEach(ProfilePart.sections) { part in prose(part, model, context) },
            documentsSection(model, context),
            eventsSection(model, context),
            focalPointsSection(model, context)
        )
    }

    private static func editLink(_ model: ShowModel, _ part: ProfilePart, _ t: Localizer) -> Node<HTML.BodyContext> {
        .if(model.canEdit, .p(.class("edit"), .link(.countryEdit(model.country.iso2.lowercased(), part: part.rawValue), .class("button"),
                                                      .text(t("countries.edit.link", ["part": t(part.titleKey)])))))
    }

    static func factsSection(_ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let language = context.language
        let facts = model.content.facts
        let country = model.country
        func row(_ key: String, _ value: Node<HTML.BodyContext>) -> Node<HTML.BodyContext> {
            .div(.el("dt", .text(t(key))), .el("dd", value))
        }
        func figure(_ figure: ProfileContent.Figure?, unit: String) -> Node<HTML.BodyContext> {
            guard let figure else { return .el("span", .class("missing"), .text(t("countries.noFigure"))) }
            return .group(.text(number(figure.value, language, digits: 0) + unit + " (\(year(figure.year, t)))"),
                          .el("span", .class("source"), .text(t("countries.source", ["source": figure.source]))))
        }
        let byIndicator = Dictionary(model.figures.map { ($0.indicator, $0) }, uniquingKeysWith: { a, _ in a })
        let extra: [CountryFigure] = figureRows.compactMap { names in names.lazy.compactMap { byIndicator[$0] }.first }
        return .section(
            .id("facts"),
            .class("facts-section"),
            .h2(.text(t("countries.part.facts"))),
            .el("dl", .class("facts"),
                row("countries.fact.officialName", .text(facts.officialName)),
                row("countries.fact.status", .text(statusLine(country, t))),
                row("countries.fact.capital", .text(facts.capital)),
                row("countries.fact.languages", .text(facts.languages)),
                row("countries.fact.currency", .text(facts.currency)),
                row("countries.fact.timeZone", .text(facts.timeZone)),
                row("countries.fact.population", figure(facts.population, unit: "")),
                row("countries.fact.area", figure(facts.area, unit: " km²")),
                row("countries.fact.cmc", .text(t(country.cmcParticipant ? "countries.yes" : "countries.no"))),
                row("countries.fact.needsAssessment", .text(t(country.needsAssessment2018 ? "countries.yes" : "countries.no")))
            ),
            editLink(model, .facts, t),
            .if(!extra.isEmpty, .group(
                .h3(.text(t("countries.figures.title"))),
                .el("dl", .class("facts figures"), .forEach(extra) { item in
                    .div(
                        .el("dt", .text(t("countries.figure.\(item.indicator.replacingOccurrences(of: "_derived", with: ""))"))),
                        .el("dd",
                            .text(figureValue(item, language) + " (\(year(item.year, t)))"),
                            .el("span", .class("source"),
                                .text(t(item.indicator.hasSuffix("_derived") ? "countries.derivedSource" : "countries.source", ["source": ""])),
                                item.sourceURL.hasPrefix("https://") ? .el("a", .attr("href", item.sourceURL), .text(item.sourceName)) : .text(item.sourceName)))
                    )
                })
            ))
        )
    }

    /// A figure's year; 0 when its source states none.
    static func year(_ year: Int, _ t: Localizer) -> String { year == 0 ? t("countries.noYear") : String(year) }

    static func figureValue(_ figure: CountryFigure, _ language: Language) -> String {
        if figure.unit.hasPrefix("%") { return number(figure.value, language, digits: 2) + " %" }
        if figure.unit.contains("US$") { return "US$ " + number(figure.value, language, digits: 0) }
        return number(figure.value, language, digits: 0)
    }

    static func prose(_ part: ProfilePart, _ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let section = model.content.section(part.rawValue)
        return .section(
            .id(part.rawValue),
            .class("prose-section"),
            .h2(.text(t(part.titleKey))),
            section.markdown.isEmpty
                ? .p(.class("empty"), .text(t(model.canEdit ? "countries.emptyYours" : "countries.empty")))
                : .group(
                    .div(.class("prose"), .attr("lang", section.language), .raw(MarkdownText.html(section.markdown))),
                    .if(!section.sources.isEmpty, .div(.class("sources"), .h3(.text(t("countries.sources"))),
                                                       .div(.attr("lang", section.language), .raw(MarkdownText.html(section.sources))))),
                    .p(.class("reviewed"), .text(t("countries.reviewed", ["date": section.reviewed])))
                ),
            editLink(model, part, t)
        )
    }

    static func documentsSection(_ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let code = model.country.iso2.lowercased()
        let all = SiteURL.documents(query: [URLQueryItem(name: "country", value: code)])
        return .section(
            .id("documents"),
            .h2(.text(t("countries.documents"))),
            model.documents.hits.isEmpty
                ? .p(.class("empty"), .text(t("countries.noDocuments")))
                : .ul(.class("results"), .forEach(model.documents.hits) { hit in
                    .li(.el("a", .attr("href", hit.url), .text(hit.title)), .el("span", .class("meta"), .text(" " + hit.summary)))
                }),
            .p(.link(all, .text(t("countries.allDocuments", ["name": model.country.localizedName(context.language)]))))
        )
    }

    static func eventsSection(_ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let code = model.country.iso2.lowercased()
        return .section(
            .id("events"),
            .h2(.text(t("countries.events"))),
            model.events.isEmpty
                ? .p(.class("empty"), .text(t("countries.noEvents")))
                : .ul(.class("results"), .forEach(model.events) { event in
                    .li(.link(.event(event.code), .text(event.title)), .el("span", .class("meta"), .text(" — " + EventPages.whenText(event, t: t, language: context.language.rawValue))))
                }),
            .p(.link(.events(query: [URLQueryItem(name: "country", value: code), URLQueryItem(name: "past", value: "1")]), .text(t("countries.allEvents"))))
        )
    }

    static func focalPointsSection(_ model: ShowModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .section(
            .id("focal-points"),
            .h2(.text(t("countries.focalPoints"))),
            !context.viewer.isSignedIn
                ? .p(.class("hint"), .text(t("countries.focalPointsSignIn")))
                : model.focalPoints.isEmpty
                    ? .p(.class("empty"), .text(t("countries.noFocalPoints")))
                    : .ul(.forEach(model.focalPoints) { user in .li(.text(user.name + " — " + user.organisation)) })
        )
    }

    /// schema.org `Country` for search engines and harvesters.
    static func jsonLD(_ model: ShowModel, language: Language) -> String {
        let country = model.country
        var object: [String: Any] = [
            "@context": "https://schema.org",
            "@type": "Country",
            "name": country.name,
            "alternateName": Array(Set(Language.allCases.map { country.localizedName($0) } + [model.content.facts.officialName])).sorted(),
            "identifier": country.iso2,
            "url": SiteURL.country(country.iso2.lowercased()).absolute(base: model.base),
            "geo": ["@type": "GeoCoordinates", "latitude": country.capitalLatitude, "longitude": country.capitalLongitude],
        ]
        if let population = model.content.facts.population {
            object["additionalProperty"] = [["@type": "PropertyValue", "name": "population", "value": population.value, "description": "\(population.year), \(population.source)"]]
        }
        if country.status == .territory, let state = country.sovereignState {
            object["containedInPlace"] = ["@type": "Country", "name": state]
        }
        return JSONLD.encode(object)
    }

    static func unknown(_ context: PageContext) -> Node<HTML.BodyContext> {
        .div(.class("error-page"), .h1(.text(context.t("countries.unknown.title"))),
             .p(.text(context.t("countries.unknown.text"))), .p(.link(.countries, .text(context.t("countries.unknown.link")))))
    }

    // MARK: - Editing

    static func form(country: Country, part: ProfilePart, form: CountryForm, errors: FormErrors, preview: Bool,
                     conflict: (ProfileContent, Int)?, context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let code = country.iso2.lowercased()
        func spec(_ name: String, _ label: String, _ value: String, required: Bool = true, hint: String? = nil, max: Int? = nil, type: HTMLInputType = .text) -> FormField.Spec {
            FormField.Spec(name: name, label: t(label), value: value, error: errors[name], hint: hint.map { t($0) }, type: type, required: required, maxLength: max)
        }
        var fields: [Node<HTML.FormContext>] = [Layout.csrfField(context), .input(.type(.hidden), .name("base"), .attribute(named: "value", value: String(form.base)))]
        let labels: [String: String]
        if part == .facts {
            let f = form.facts
            fields += [
                FormField.input(spec("officialName", "countries.fact.officialName", f.officialName, max: 200), t),
                FormField.input(spec("capital", "countries.fact.capital", f.capital, max: 100), t),
                FormField.input(spec("languages", "countries.fact.languages", f.languages, hint: "countries.form.languagesHint", max: 300), t),
                FormField.input(spec("currency", "countries.fact.currency", f.currency, max: 60), t),
                FormField.input(spec("timeZone", "countries.fact.timeZone", f.timeZone, hint: "countries.form.timeZoneHint", max: 60), t),
                figureFields("population", "countries.fact.population", form.populationText, errors: errors, t: t),
                figureFields("area", "countries.form.areaKm2", form.areaText, errors: errors, t: t),
            ]
            labels = ["officialName": t("countries.fact.officialName"), "capital": t("countries.fact.capital"), "languages": t("countries.fact.languages"),
                      "currency": t("countries.fact.currency"), "timeZone": t("countries.fact.timeZone"),
                      "populationValue": t("countries.fact.population"), "populationYear": t("countries.form.figureYear"), "populationSource": t("countries.form.figureSource"),
                      "areaValue": t("countries.fact.area"), "areaYear": t("countries.form.figureYear"), "areaSource": t("countries.form.figureSource"),
                      "summary": t("countries.form.summary")]
        } else {
            let s = form.section
            fields += [
                FormField.textarea(spec("markdown", "countries.form.text", s.markdown, hint: "countries.form.markdownHint", max: CountryProfiles.maxMarkdown), t, rows: 18),
                FormField.textarea(spec("sources", "countries.sources", s.sources, required: false, hint: "countries.form.sourcesHint", max: CountryProfiles.maxSources), t, rows: 4),
                FormField.input(spec("reviewed", "countries.form.reviewed", s.reviewed, hint: "countries.form.reviewedHint", type: .date), t),
                FormField.select(spec("language", "countries.form.language", s.language), t,
                                 options: CountryForm.languages.compactMap { Language(rawValue: $0) }.map { ($0.rawValue, $0.nativeName) }),
            ]
            labels = ["markdown": t("countries.form.text"), "sources": t("countries.sources"), "reviewed": t("countries.form.reviewed"),
                      "language": t("countries.form.language"), "summary": t("countries.form.summary")]
        }
        fields.append(FormField.input(spec("summary", "countries.form.summary", form.summary, required: false, hint: "countries.form.summaryHint", max: 200), t))
        fields.append(.div(.class("actions"),
                           .button(.type(.submit), .name("action"), .value("preview"), .text(t("countries.form.preview"))),
                           .button(.type(.submit), .class("primary"), .name("action"), .value("save"), .text(t("countries.form.save"))),
                           .link(.country(code), .class("cancel"), .text(t("countries.form.cancel")))))
        return .div(
            .class("country-edit"),
            .h1(.text(t("countries.edit.title", ["part": t(part.titleKey), "name": country.localizedName(context.language)]))),
            .unwrap(conflict) { theirs, number in
                .div(.class("notice warn conflict"), .attr("role", "alert"),
                     .h2(.text(t("countries.conflict.title"))),
                     .p(.text(t("countries.conflict.text", ["number": String(number)]))),
                     .p(.link(.countryDiff(code, from: nil, to: number), .text(t("countries.conflict.diff")))),
                     .el("details", .attr("open", "open"), .el("summary", .text(t("countries.conflict.theirs"))), theirsView(part, theirs, t)))
            },
            FormField.summary(errors, t, labels: labels),
            .if(preview && part != .facts, .section(.class("preview"), .attr("aria-label", t("countries.form.previewTitle")),
                                                    .h2(.text(t("countries.form.previewTitle"))),
                                                    .div(.class("prose"), .attr("lang", form.section.language), .raw(MarkdownText.html(form.section.markdown))))),
            .if(preview && part == .facts, .p(.class("notice"), .text(t("countries.form.factsPreview")))),
            .form(.method(.post), .action(SiteURL.countryEdit(code, part: part.rawValue)), .group(fields))
        )
    }

    private static func figureFields(_ name: String, _ label: String, _ text: (value: String, year: String, source: String), errors: FormErrors, t: Localizer) -> Node<HTML.FormContext> {
        .element(named: "fieldset", nodes: [
            .class("figure"),
            .element(named: "legend", text: t(label)),
            FormField.input(FormField.Spec(name: "\(name)Value", label: t("countries.form.figureValue"), value: text.value, error: errors["\(name)Value"], required: false, maxLength: 30), t),
            FormField.input(FormField.Spec(name: "\(name)Year", label: t("countries.form.figureYear"), value: text.year, error: errors["\(name)Year"], required: false, maxLength: 4), t),
            FormField.input(FormField.Spec(name: "\(name)Source", label: t("countries.form.figureSource"), value: text.source, error: errors["\(name)Source"], required: false, maxLength: 300), t),
        ])
    }

    private static func theirsView(_ part: ProfilePart, _ content: ProfileContent, _ t: Localizer) -> Node<HTML.BodyContext> {
        if part == .facts {
            return .el("pre", .class("theirs"), .text(factLines(content.facts).joined(separator: "\n")))
        }
        return .el("pre", .class("theirs"), .text(content.section(part.rawValue).markdown))
    }

    static func factLines(_ facts: ProfileContent.Facts) -> [String] {
        func figure(_ f: ProfileContent.Figure?) -> String { f.map { "\(CountryForm.texts($0).value) (\($0.year)) — \($0.source)" } ?? "" }
        return ["Official name: \(facts.officialName)", "Capital: \(facts.capital)", "Languages: \(facts.languages)", "Currency: \(facts.currency)",
                "Time zone: \(facts.timeZone)", "Population: \(figure(facts.population))", "Area: \(figure(facts.area))"]
    }

    // MARK: - History and differences

    static func history(country: Country, revisions: [CountryRevision], users: [UUID: String], canRestore: Bool, context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let code = country.iso2.lowercased()
        let latest = revisions.first?.number ?? 0
        return .div(
            .class("country-history"),
            .h1(.text(t("countries.history.title", ["name": country.localizedName(context.language)]))),
            .p(.link(.country(code), .text(t("countries.history.back")))),
            revisions.isEmpty ? .p(.class("empty"), .text(t("countries.history.none"))) : .group(
                // The radio buttons belong to the compare form by its id, so that the restore
                // forms in the table are not nested inside it.
                .table(
                        .el("caption", .text(t("countries.history.caption"))),
                        .thead(.tr(.th(.text(t("countries.history.from"))), .th(.text(t("countries.history.to"))), .th(.text(t("countries.history.number"))),
                                   .th(.text(t("countries.history.when"))), .th(.text(t("countries.history.who"))), .th(.text(t("countries.history.what"))),
                                   .th(.text(t("countries.history.summary"))), .th(.text(t("countries.history.actions"))))),
                        .tbody(.forEach(revisions) { revision in
                            historyRow(revision, code: code, latest: latest, users: users, canRestore: canRestore, context: context)
                        })
                ),
                .form(.id("compare-revisions"), .method(.get), .action(SiteURL.countryDiff(code, from: nil, to: nil)),
                      .button(.type(.submit), .text(t("countries.history.compare"))))
            )
        )
    }

    private static func historyRow(_ revision: CountryRevision, code: String, latest: Int, users: [UUID: String], canRestore: Bool, context: PageContext) -> Node<HTML.TableContext> {
        let t = context.t
        let number = String(revision.number)
        let previous = String(revision.number - 1)
        var from: [Attribute<HTML.BodyContext>] = [.attr("type", "radio"), .attr("form", "compare-revisions"), .attr("name", "from"), .attr("value", previous), .attr("aria-label", t("countries.history.fromLabel", ["number": previous]))]
        var to: [Attribute<HTML.BodyContext>] = [.attr("type", "radio"), .attr("form", "compare-revisions"), .attr("name", "to"), .attr("value", number), .attr("aria-label", t("countries.history.toLabel", ["number": number]))]
        if revision.number == latest {
            from.append(Attribute(name: "checked", value: nil, ignoreIfValueIsEmpty: false))
            to.append(Attribute(name: "checked", value: nil, ignoreIfValueIsEmpty: false))
        }
        let who = revision.$user.id.flatMap { users[$0] } ?? t("countries.history.someone")
        let what = revision.part == "restore" ? t("countries.history.restore") : t("countries.part.\(revision.part)")
        let when: Node<HTML.BodyContext> = .el("time", .attr("datetime", ISO8601DateFormatter().string(from: revision.at)),
                                                .text(revision.at.formatted(date: .abbreviated, time: .shortened)))
        var actions: [Node<HTML.BodyContext>] = [.link(.countryDiff(code, from: revision.number - 1, to: revision.number), .text(t("countries.history.changes")))]
        if canRestore && revision.number != latest {
            actions.append(.form(
                .method(.post), .action(SiteURL.countryRestore(code, number: number)), .class("inline"),
                Layout.csrfField(context),
                .button(.type(.submit), .text(t("countries.history.restoreButton", ["number": number])))
            ))
        }
        return .tr(
            .td(.selfClosedElement(named: "input", attributes: from)), .td(.selfClosedElement(named: "input", attributes: to)), .td(.text(number)), .td(when), .td(.text(who)), .td(.text(what)),
            .td(.text(revision.summary)), .td(.group(actions))
        )
    }

    static func diff(country: Country, from: Int, to: Int, old: ProfileContent, new: ProfileContent, context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let code = country.iso2.lowercased()
        var parts: [Node<HTML.BodyContext>] = []
        let facts = TextDiff.lines(factLines(old.facts).joined(separator: "\n"), factLines(new.facts).joined(separator: "\n"))
        if facts.contains(where: { $0.kind != .same }) { parts.append(diffSection(t("countries.part.facts"), facts, t)) }
        for part in ProfilePart.sections {
            let a = old.section(part.rawValue), b = new.section(part.rawValue)
            let text = TextDiff.lines(a.markdown, b.markdown)
            let meta = TextDiff.lines("\(t("countries.sources")): \(a.sources)\n\(t("countries.form.reviewed")): \(a.reviewed)\n\(t("countries.form.language")): \(a.language)",
                                      "\(t("countries.sources")): \(b.sources)\n\(t("countries.form.reviewed")): \(b.reviewed)\n\(t("countries.form.language")): \(b.language)")
            if (text + meta).contains(where: { $0.kind != .same }) { parts.append(diffSection(t(part.titleKey), text + meta, t)) }
        }
        return .div(
            .class("country-diff"),
            .h1(.text(t("countries.diff.title", ["name": country.localizedName(context.language), "from": String(from), "to": String(to)]))),
            .p(.link(.countryHistory(code), .text(t("countries.diff.back")))),
            parts.isEmpty ? .p(.class("empty"), .text(t("countries.diff.none"))) : .group(parts)
        )
    }

    private static func diffSection(_ title: String, _ changes: [LineChange], _ t: Localizer) -> Node<HTML.BodyContext> {
        let stats = TextDiff.stats(changes)
        return .section(
            .class("diff"),
            .h2(.text(title), .el("span", .class("count"), .text(" +\(stats.charsAdded) −\(stats.charsRemoved)"))),
            .forEach(TextDiff.hunks(changes, context: 2)) { hunk in
                .el("div", .class("hunk"), .forEach(hunk.changes) { change in
                    .el("p", .class("line \(change.kind.rawValue)"),
                        .el("span", .class("marker"), .attr("aria-hidden", "true"), .text(change.kind == .added ? "+" : change.kind == .removed ? "−" : change.kind == .changed ? "~" : " ")),
                        .forEach(change.pieces) { piece in
                            switch piece {
                            case .same(let text): .text(text)
                            case .added(let text): .el("ins", .text(text))
                            case .removed(let text): .el("del", .text(text))
                            }
                        })
                })
            }
        )
    }

    // MARK: - Compare

    struct CompareModel {
        var all: [Country]
        var chosen: [Country]
        var contents: [ProfileContent]
        var figures: [CountryFigure]
        var unknown: [String]
        var tooMany: Bool
        var indicators: [(indicator: StatIndicator, latest: [String: StatisticsData.Point])] = []
    }

    static func compare(_ model: CompareModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let language = context.language
        let sorted = model.all.sorted { $0.localizedName(language).localizedCompare($1.localizedName(language)) == .orderedAscending }
        let chosenCodes = Set(model.chosen.map { $0.iso2.lowercased() })
        let figures = Dictionary(grouping: model.figures, by: { $0.$country.id })
        func figureCell(_ country: Country, _ names: [String]) -> Node<HTML.TableRowContext> {
            guard let item = names.lazy.compactMap({ name in figures[country.id ?? UUID()]?.first { $0.indicator == name } }).first else {
                return .td(.class("missing"), .text("—"))
            }
            return .td(.text(figureValue(item, language) + " (\(year(item.year, t)))"), .el("span", .class("source"), .text(item.sourceName)))
        }
        func factRow(_ key: String, _ value: @escaping (Int) -> String) -> Node<HTML.TableContext> {
            .tr(.th(.attr("scope", "row"), .text(t(key))), .forEach(Array(model.chosen.indices)) { index in .td(.text(value(index))) })
        }
        func figureText(_ f: ProfileContent.Figure?, unit: String = "") -> String {
            f.map { number($0.value, language, digits: 0) + unit + " (\(year($0.year, t)), \($0.source))" } ?? "—"
        }
        return .div(
            .class("country-compare"),
            .h1(.text(t("countries.compare.title"))),
            .if(model.tooMany, .p(.class("notice warn"), .text(t("countries.compare.tooMany", ["count": String(compareLimit)])))),
            .if(!model.unknown.isEmpty, .p(.class("notice warn"), .text(t("countries.compare.unknown", ["codes": model.unknown.joined(separator: ", ")])))),
            model.chosen.isEmpty ? .p(.text(t("countries.compare.choose", ["count": String(compareLimit)]))) : .div(
                .class("table-scroll"),
                .table(
                    .el("caption", .text(t("countries.compare.caption"))),
                    .thead(.tr(.th(.attr("scope", "col"), .text(t("countries.compare.fact"))), .forEach(model.chosen) { country in
                        .th(.attr("scope", "col"), .link(.country(country.iso2.lowercased()), .text(flag(country.iso2) + " " + country.localizedName(language))))
                    })),
                    .tbody(
                        factRow("countries.fact.officialName") { model.contents[$0].facts.officialName },
                        factRow("countries.fact.status") { statusLine(model.chosen[$0], t) },
                        factRow("countries.fact.capital") { model.contents[$0].facts.capital },
                        factRow("countries.fact.languages") { model.contents[$0].facts.languages },
                        factRow("countries.fact.currency") { model.contents[$0].facts.currency },
                        factRow("countries.fact.timeZone") { model.contents[$0].facts.timeZone },
                        factRow("countries.fact.population") { figureText(model.contents[$0].facts.population) },
                        factRow("countries.fact.area") { figureText(model.contents[$0].facts.area, unit: " km²") },
                        factRow("countries.fact.cmc") { t(model.chosen[$0].cmcParticipant ? "countries.yes" : "countries.no") },
                        factRow("countries.fact.needsAssessment") { t(model.chosen[$0].needsAssessment2018 ? "countries.yes" : "countries.no") },
                        .forEach(figureRows) { names in
                            .tr(.th(.attr("scope", "row"), .text(t("countries.figure.\(names[0].replacingOccurrences(of: "_derived", with: ""))"))), .forEach(model.chosen) { figureCell($0, names) })
                        },
                        .forEach(model.indicators) { item in
                            .tr(.th(.attr("scope", "row"), .link(.statisticsIndicator(item.indicator.code, query: [URLQueryItem(name: "c", value: model.chosen.map { $0.iso2.lowercased() }.joined(separator: ","))]),
                                                                  .text(item.indicator.name))),
                                .forEach(model.chosen) { country in
                                    guard let point = item.latest[country.iso2] else { return .td(.class("missing"), .text("—")) }
                                    return .td(.text(Charts.format(point.value, decimals: 1, locale: Locale(identifier: language.rawValue)) + " (\(point.year))"),
                                               .el("span", .class("source"), .text(point.dataset)))
                                })
                        }
                    )
                )
            ),
            .form(.method(.get), .action(SiteURL.countriesCompare(codes: [])), .class("compare-form"),
                  .element(named: "fieldset", nodes: [
                    .element(named: "legend", text: t("countries.compare.choose", ["count": String(compareLimit)])),
                    .div(.class("checkbox-grid"), .forEach(sorted) { country in
                        FormField.checkbox(name: "c", value: country.iso2.lowercased(), label: country.localizedName(language), checked: chosenCodes.contains(country.iso2.lowercased()))
                    }),
                  ]),
                  .button(.type(.submit), .class("primary"), .text(t("countries.compare.button"))))
        )
    }
}

extension Country {
    static func localizedBermuda(_ language: Language) -> String {
        language == .en ? "Bermuda" : Locale(identifier: language.rawValue).localizedString(forRegionCode: "BM") ?? "Bermuda"
    }
}
