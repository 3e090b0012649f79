import CSVParser
import Charts
import Foundation
import Plot
import RegionMap
import StatImport
import Vapor

/// The views of the statistics centre.
enum StatisticsPages {
    /// A theme's key figure on `/statistics`: its indicator's regional sum over comparable years.
    struct Headline {
        var indicator: StatIndicator
        var year: Int
        var covered: Int
        var series: [(year: Int, value: Double)]
        var areas: Int
    }

    static func headline(_ headline: Headline, _ context: PageContext) -> Node<HTML.BodyContext> {
        guard let latest = headline.series.last(where: { $0.year == headline.year }) else { return .empty }
        let t = context.t
        let locale = Locale(identifier: context.language.rawValue)
        let link = SiteURL.statisticsIndicator(headline.indicator.code, query: [URLQueryItem(name: "c", value: StatisticsData.region.lowercased())]).path
        return .div(
            .class("headline"),
            .el("a", .attr("href", link), .class("figure"), .text(Charts.format(latest.value, decimals: 1, locale: locale, compact: true))),
            .p(.el("a", .attr("href", link), .text(headline.indicator.name)), .text(" — " + t("statistics.headline", [
                "year": String(latest.year), "covered": String(headline.covered), "areas": String(headline.areas)]))),
            .if(headline.series.count > 2, .raw(Charts.sparkline(headline.series.filter { $0.year <= headline.year }.map { (x: Double($0.year), y: Optional($0.value)) },
                                                                 label: t("countries.indicators.trendOf", ["name": headline.indicator.name]))))
        )
    }

    static func index(_ indicators: [StatIndicator], headlines: [String: Headline] = [:], _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .class("statistics-page"),
            .h1(.text(t("statistics.title"))),
            .p(.class("lead"), .text(t("statistics.intro"))),
            .p(.link(.statisticsDatasets, .text(t("statistics.datasets.link")))),
            .forEach(StatTheme.allCases) { theme in
                let members = indicators.filter { $0.themes.split(separator: ",").contains(Substring(theme.rawValue)) }
                return .if(!members.isEmpty, .section(
                    .h2(.text(t(theme.titleKey))),
                    .p(.class("hint"), .text(t(theme.titleKey + ".text"))),
                    .unwrap(headlines[theme.rawValue]) { headline($0, context) },
                    .ul(.class("indicator-list"), .forEach(members) { indicator in
                        .li(.link(.statisticsIndicator(indicator.code, query: []), .text(indicator.name)),
                            .el("span", .class("meta"), .text(" — " + indicator.unit + (indicator.derivation.isEmpty ? "" : " · " + t("statistics.derived")))))
                    })
                ))
            }
        )
    }

    static func datasets(_ datasets: [StatDataset], _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("statistics.datasets.title"))),
            .p(.link(.datasetsFeed, .text(t("statistics.datasets.feed"))), .if(context.viewer.isSignedIn, .group(.text(" · "), .link(.statisticsDatasetNew, .text(t("statistics.upload.link")))))),
            .ul(.class("results"), .forEach(datasets) { dataset in
                .li(.link(.statisticsDataset(dataset.slug), .el("strong", .text(dataset.title))), .p(.text(dataset.descriptionText)),
                    .p(.class("meta"), .text(t("statistics.source", ["source": dataset.source]) + " · " + t("statistics.licence", ["licence": dataset.licence]))),
                    .if(!dataset.caveats.isEmpty, .p(.class("hint"), .text(t("statistics.caveats", ["text": dataset.caveats])))))
            })
        )
    }

    static func dataset(_ dataset: StatDataset, indicators: [StatIndicator], coverage: (indicators: [String], areas: [String], years: ClosedRange<Int>?, rows: Int),
                        _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .class("dataset-page"),
            .h1(.text(dataset.title)),
            .if(dataset.status != .published, .p(.class("notice warn"), .text(t("statistics.dataset.status.\(dataset.status.rawValue)")))),
            .p(.class("lead"), .text(dataset.descriptionText)),
            .el("dl", .class("facts"),
                .div(.el("dt", .text(t("statistics.sourceLabel"))), .el("dd", .text(dataset.source),
                     .if(dataset.sourceURL.hasPrefix("https://"), .group(.text(" "), .el("a", .attr("href", dataset.sourceURL), .text(dataset.sourceURL)))))),
                .div(.el("dt", .text(t("statistics.licenceLabel"))), .el("dd", .text(dataset.licence))),
                .div(.el("dt", .text(t("statistics.dataset.version"))), .el("dd", .text(String(dataset.version)))),
                .div(.el("dt", .text(t("statistics.dataset.rows"))), .el("dd", .text(coverage.rows.formatted()))),
                .unwrap(coverage.years) { years in .div(.el("dt", .text(t("statistics.dataset.years"))), .el("dd", .text("\(years.lowerBound)–\(years.upperBound)"))) },
                .div(.el("dt", .text(t("statistics.countries"))), .el("dd", .text(coverage.areas.joined(separator: ", ")))),
                .if(!dataset.caveats.isEmpty, .div(.el("dt", .text(t("statistics.dataset.caveats"))), .el("dd", .text(dataset.caveats))))),
            .if(coverage.rows > 0, .p(.class("downloads"), .link(.statisticsDatasetData(dataset.slug), .text(t("statistics.dataset.download", ["rows": coverage.rows.formatted()]))))),
            .h2(.text(t("statistics.dataset.indicators"))),
            .ul(.forEach(indicators) { indicator in .li(.link(.statisticsIndicator(indicator.code, query: []), .text(indicator.name)), .text(" — " + indicator.unit)) })
        )
    }

    /// The versions `viewer` may see (`StatisticsAccess.canView`: others' versions under review
    /// leave no trace), the changes each proposes, and for reviewers the one to publish.
    static func versions(_ dataset: StatDataset, versions: [StatDatasetVersion], canPublish: Bool, pending: ImportPreview?, canAddVersion: Bool,
                         _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        guard !versions.isEmpty || canAddVersion else { return .empty }
        let labels = ["title": "statistics.upload.field.title", "description": "statistics.upload.field.description", "source": "statistics.sourceLabel",
                      "source_url": "statistics.upload.field.sourceURL", "licence": "statistics.licenceLabel", "caveats": "statistics.dataset.caveats",
                      "visibility": "statistics.upload.field.visibility"]
        func proposed(_ version: StatDatasetVersion) -> Node<HTML.BodyContext> {
            guard let patch = version.proposedPatch, !patch.isEmpty else { return .empty }
            return .ul(.class("proposed"), .forEach(patch.changes) { change in
                .li(.text(t("statistics.versions.proposes", ["field": t(labels[change.field] ?? change.field),
                                                               "value": change.field == "visibility" ? t("visibility.\(change.value)") : change.value])))
            })
        }
        return .section(
            .id("versions"),
            .h2(.text(t("statistics.versions.title"))),
            .if(canAddVersion, .p(.el("a", .attr("href", SiteURL.statisticsDatasetNew.path + "?dataset=" + dataset.slug), .text(t("statistics.versions.add"))))),
            .ul(.forEach(versions) { version in
                .li(.el("a", .attr("href", "/statistics/datasets/\(dataset.slug)/versions/\(version.number).csv"), .text(t("statistics.versions.item", ["number": String(version.number)]))),
                    .text(" — " + t("statistics.versions.status.\(version.status.rawValue)") + " · " + t("statistics.versions.rows", ["rows": String(version.rows)])
                          + (version.createdAt.map { " · " + $0.formatted(date: .abbreviated, time: .omitted) } ?? "")),
                    proposed(version))
            }),
            .unwrap(pending) { preview in
                .div(.class("publish-box"),
                     StatisticsUploadPages.previewView(preview, context),
                     .if(preview.isImportable, .form(.method(.post), .action(SiteURL.statisticsDatasetPublish(dataset.slug)), Layout.csrfField(context),
                                                     .button(.type(.submit), .class("primary"), .text(t("statistics.versions.publish"))))))
            },
            .if(pending == nil && versions.contains { $0.status == .pending }, .p(.class("hint"), .text(t("statistics.versions.waiting"))))
        )
    }

    // MARK: - Indicator

    struct IndicatorModel {
        var indicator: StatIndicator
        var selection: StatisticsController.Selection
        var points: [StatisticsData.Point]
        var datasets: [StatDataset]
        var names: [String: String]
        var coverage: ClosedRange<Int>
        var sexes: [String]
        var available: Set<String>
        var countries: [Country]
        /// For bilateral tables: the selected country's counterparts in the selected year.
        var pairs: [StatisticsData.Pair]? = nil
        var counterpartNames: [String: String] = [:]
        /// For bilateral tables: every year's counterparts (both sexes), for the breakdown over time.
        var pairYears: [Int: [String: Double]] = [:]
        /// For indicators by age group: one area's groups in the latest year up to the selection's end.
        var ages: (area: String, year: Int, groups: [StatisticsData.AgeGroup])? = nil

        var sourceLine: String { datasets.map(\.source).joined(separator: "; ") }
    }

    static func url(_ model: IndicatorModel, _ change: (inout StatisticsController.Selection) -> Void = { _ in }, extra: [URLQueryItem] = []) -> String {
        var selection = model.selection
        change(&selection)
        return SiteURL.statisticsIndicator(model.indicator.code, query: selection.query + extra).path
    }

    static func indicator(_ model: IndicatorModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let indicator = model.indicator
        let selection = model.selection
        return .div(
            .class("indicator-page"),
            .h1(.text(indicator.name)),
            .p(.class("lead"), .text(indicator.definition)),
            .p(.class("meta"), .text(t("statistics.unit", ["unit": indicator.unit]) + (indicator.sdg.isEmpty ? "" : " · SDG " + indicator.sdg))),
            .if(!selection.problems.isEmpty, .div(.class("notice warn"), .attr("role", "alert"), .ul(.forEach(selection.problems) { .li(.text($0)) }))),
            .nav(.class("subnav"), .attr("aria-label", t("statistics.views")), .ul(.forEach(StatisticsController.views) { view in
                .li(.el("a", .attr("href", url(model) { $0.view = view }), view == selection.view ? .attr("aria-current", "page") : .empty, .text(t("statistics.view.\(view)"))))
            })),
            picker(model, context),
            viewBody(model, context),
            downloads(model, context)
        )
    }

    static func picker(_ model: IndicatorModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let selected = Set(model.selection.areas)
        let countries = model.countries.filter { model.available.contains($0.iso2) }
            .sorted { $0.localizedName(context.language).localizedCompare($1.localizedName(context.language)) == .orderedAscending }
        let region = StatisticsData.region
        let years = Array(model.coverage).reversed().map { (String($0), String($0)) }
        return .form(
            .method(.get), .action(SiteURL.statisticsIndicator(model.indicator.code, query: [])), .class("stat-picker"),
            .input(.type(.hidden), .name("view"), .value(model.selection.view)),
            .element(named: "details", nodes: [
                .class("area-choice"),
                .element(named: "summary", nodes: [
                    .el("strong", .text(t("statistics.countries") + ": ")),
                    .text(model.selection.areas.map { model.names[$0] ?? $0 }.joined(separator: ", ")),
                    .el("span", .class("change"), .text(" " + t("statistics.changeCountries"))),
                ]),
              .element(named: "fieldset", nodes: [
                .element(named: "legend", text: t("statistics.countries")),
                .div(.class("checkbox-grid"),
                     .if(model.available.contains(region), FormField.checkbox(name: "c", value: region.lowercased(), label: model.names[region] ?? region, checked: selected.contains(region))),
                     .forEach(countries) { country in
                         FormField.checkbox(name: "c", value: country.iso2.lowercased(), label: country.localizedName(context.language), checked: selected.contains(country.iso2))
                     }),
              ]),
            ]),
            .div(.class("stat-range"),
                 FormField.select(.init(name: "from", label: t("statistics.from"), value: String(model.selection.from)), t, options: years),
                 FormField.select(.init(name: "to", label: t("statistics.to"), value: String(model.selection.to)), t, options: years),
                 .if(model.sexes.count > 1, FormField.select(.init(name: "sex", label: t("statistics.sex"), value: model.selection.sex), t,
                                                             options: model.sexes.map { ($0, t("statistics.sex.\($0)")) }))),
            .button(.type(.submit), .class("primary"), .text(t("statistics.show")))
        )
    }

    static func viewBody(_ model: IndicatorModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        if let pairs = model.pairs { return bilateral(model, pairs: pairs, context) }
        if model.points.isEmpty { return .p(.class("empty"), .text(t("statistics.noData"))) }
        switch model.selection.view {
        case "table": return .group(table(model, context), ages(model, context))
        case "map": return map(model, context)
        case "sources": return sources(model, context)
        default:
            return .group(
                .el("figure", .class("chart-figure"), .raw(chart(model, t: t, language: context.language))),
                table(model, context),
                ages(model, context)
            )
        }
    }

    /// One area's values by age group, female and male stacked, with the numbers in a table.
    static func ages(_ model: IndicatorModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        guard let ages = model.ages, !ages.groups.isEmpty else { return .empty }
        let t = context.t
        let locale = Locale(identifier: context.language.rawValue)
        let name = model.names[ages.area] ?? ages.area
        let items = ages.groups.map { group in
            BarItem(label: group.age, value: group.total, segments: [("F", group.female), ("M", group.male)].compactMap { id, value in value.map { (series: id, value: $0) } })
        }
        let heading = t("statistics.byAge", ["country": name, "year": String(ages.year)])
        let text = ChartText(title: model.indicator.name, subtitle: "\(name), \(ages.year)", yLabel: model.indicator.unit, source: t("statistics.source", ["source": model.sourceLine]),
                             description: t("statistics.byAgeDescription", ["indicator": model.indicator.name, "country": name, "year": String(ages.year)]))
        let svg = bySex(items, text: text, t: t, language: context.language, idPrefix: "ages", decimals: 0)
        func number(_ value: Double?) -> String { value.map { Charts.format($0, decimals: 0, locale: locale) } ?? "—" }
        // The other chosen areas with values: a link each puts that area first.
        let others = model.selection.areas.filter { area in area != ages.area && area != StatisticsData.region && model.points.contains { $0.area == area } }
        return .section(
            .id("by-age"),
            .h2(.text(heading)),
            .if(!others.isEmpty, .p(.class("hint age-links"), .text(t("statistics.byAgeOthers") + " "), .group(others.enumerated().map { index, area in
                .group(.if(index > 0, .text(" · ")), .el("a", .attr("href", url(model) { $0.areas = [area] + $0.areas.filter { $0 != area } } + "#by-age"), .text(model.names[area] ?? area)))
            }))),
            .el("figure", .class("chart-figure"), .raw(svg)),
            .div(.class("table-scroll"), .table(
                .class("stat-table"),
                .el("caption", .text(heading)),
                .thead(.tr(.th(.attr("scope", "col"), .text(t("statistics.ageGroup"))), .th(.attr("scope", "col"), .text(t("statistics.sex.F"))),
                           .th(.attr("scope", "col"), .text(t("statistics.sex.M"))), .th(.attr("scope", "col"), .text(t("statistics.sex.T"))))),
                .tbody(.forEach(ages.groups) { group in
                    .tr(.th(.attr("scope", "row"), .text(group.age)), .td(.text(number(group.female))), .td(.text(number(group.male))),
                        .td(.text(number(group.total ?? ((group.female ?? 0) + (group.male ?? 0))))))
                })
            ))
        )
    }

    /// The largest counterparts of the latest year, year by year, stacked, with all the others as one part.
    static func overTime(_ model: IndicatorModel, area: String, _ context: PageContext) -> Node<HTML.BodyContext> {
        let years = model.pairYears.keys.sorted()
        guard years.count > 1, let latest = years.last, let current = model.pairYears[latest] else { return .empty }
        let t = context.t
        let locale = Locale(identifier: context.language.rawValue)
        let top = current.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5).map(\.key)
        let other = "_other"
        let items = years.map { year -> BarItem in
            let values = model.pairYears[year] ?? [:]
            var segments = top.compactMap { code in values[code].map { (series: code, value: $0) } }
            let rest = values.filter { !top.contains($0.key) }.reduce(0) { $0 + $1.value }
            if rest > 0 { segments.append((series: other, value: rest)) }
            return BarItem(label: String(year), segments: segments)
        }
        let labels = top.map { (id: $0, label: model.counterpartNames[$0] ?? $0) } + [(id: other, label: t("statistics.otherCounterparts"))]
        let name = model.names[area] ?? area
        let heading = t("statistics.overTime", ["country": name])
        let text = ChartText(title: model.indicator.name, subtitle: "\(name), \(years[0])–\(latest)", yLabel: model.indicator.unit, source: t("statistics.source", ["source": model.sourceLine]),
                             description: t("statistics.overTimeDescription", ["indicator": model.indicator.name, "country": name, "from": String(years[0]), "to": String(latest)]))
        let svg = Charts.stackedBars(items, seriesLabels: labels, text: text,
                                     style: ChartStyle(width: 720, height: 140 + Double(items.count) * 26, decimals: 0, locale: locale, idPrefix: "over-time-chart"))
        return .section(.id("over-time"), .h2(.text(heading)), .el("figure", .class("chart-figure"), .raw(svg)))
    }

    /// The bilateral chart: the 15 largest counterparts of one country and year, stacked by sex.
    /// `standalone` embeds the stylesheet (the .svg download).
    static func bilateralChart(_ model: IndicatorModel, pairs: [StatisticsData.Pair], t: Localizer, language: Language, standalone: Bool = false) -> String {
        let area = model.selection.areas.first ?? ""
        let items = pairs.prefix(15).map { pair in
            BarItem(label: model.counterpartNames[pair.counterpart] ?? pair.counterpart, value: pair.total,
                    segments: [("F", pair.female ?? 0), ("M", pair.male ?? 0)].filter { $0.1 > 0 }.map { (series: $0.0, value: $0.1) })
        }
        let name = model.names[area] ?? area
        let text = ChartText(title: model.indicator.name + " — " + name + ", \(model.selection.to)", yLabel: model.indicator.unit, unit: "",
                             source: t("statistics.source", ["source": model.sourceLine]),
                             description: t("statistics.bilateralDescription", ["indicator": model.indicator.name, "country": name, "year": String(model.selection.to)]))
        return bySex(items, text: text, t: t, language: language, idPrefix: "bilateral", standalone: standalone)
    }

    /// Horizontal bars with women and men stacked, sized by their number.
    static func bySex(_ items: [BarItem], text: ChartText, t: Localizer, language: Language, idPrefix: String, decimals: Int = 1, standalone: Bool = false) -> String {
        Charts.stackedBars(items, seriesLabels: [("F", t("statistics.sex.F")), ("M", t("statistics.sex.M"))], text: text,
                           style: ChartStyle(width: 720, height: 120 + Double(items.count) * 26, decimals: decimals, locale: Locale(identifier: language.rawValue),
                                             idPrefix: idPrefix, embedStylesheet: standalone))
    }

    /// Where a country's emigrants live, or where its immigrants come from: the chart, the table and the years.
    static func bilateral(_ model: IndicatorModel, pairs: [StatisticsData.Pair], _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        guard let area = model.selection.areas.first, !pairs.isEmpty else { return .p(.class("empty"), .text(t("statistics.noDataYear", ["year": String(model.selection.to)]))) }
        let locale = Locale(identifier: context.language.rawValue)
        let name = model.names[area] ?? area
        let svg = bilateralChart(model, pairs: pairs, t: t, language: context.language)
        let total = pairs.reduce(0) { $0 + $1.total }
        return .group(
            .p(.class("hint"), .text(t("statistics.bilateralHint"))),
            .el("figure", .class("chart-figure"), .raw(svg)),
            .div(.class("table-scroll"), .table(
                .class("stat-table"),
                .el("caption", .text(t("statistics.bilateralCaption", ["country": name, "year": String(model.selection.to), "total": Charts.format(total, decimals: 0, locale: locale)]))),
                .thead(.tr(.th(.text(t("statistics.counterpart"))), .th(.text(t("statistics.sex.F"))), .th(.text(t("statistics.sex.M"))), .th(.text(t("statistics.sex.T"))))),
                .tbody(.forEach(pairs) { pair in
                    .tr(.th(.attr("scope", "row"), .text(model.counterpartNames[pair.counterpart] ?? pair.counterpart)),
                        .td(.text(pair.female.map { Charts.format($0, decimals: 0, locale: locale) } ?? "—")),
                        .td(.text(pair.male.map { Charts.format($0, decimals: 0, locale: locale) } ?? "—")),
                        .td(.text(Charts.format(pair.total, decimals: 0, locale: locale))))
                })
            )),
            overTime(model, area: area, context)
        )
    }

    /// The indicator's chart; `standalone` embeds the stylesheet (the .svg download).
    static func chart(_ model: IndicatorModel, t: Localizer, language: Language, standalone: Bool = false) -> String {
        let byArea = Dictionary(grouping: model.points, by: \.area)
        let idPrefix = "chart-\(model.indicator.code.lowercased().filter { $0.isLetter || $0.isNumber })"
        let years = Set(model.points.map(\.year))
        if years.count == 1, let year = years.first {
            // A single year is a comparison: bars, largest first.
            let items = model.selection.areas.compactMap { area in byArea[area]?.first.map { BarItem(label: model.names[area] ?? area, value: $0.value) } }
                .sorted { ($0.value ?? 0) > ($1.value ?? 0) }
            let text = ChartText(title: model.indicator.name, subtitle: String(year) + (model.selection.sex == "T" ? "" : " · " + t("statistics.sex.\(model.selection.sex)")),
                                 yLabel: model.indicator.unit, unit: model.indicator.unit.hasPrefix("%") ? "%" : "",
                                 source: t("statistics.source", ["source": model.sourceLine]),
                                 description: t("statistics.chartDescription", ["indicator": model.indicator.name, "countries": items.map(\.label).joined(separator: ", "),
                                                                                "from": String(year), "to": String(year)]))
            return Charts.bars(items, text: text, style: ChartStyle(height: 120 + Double(items.count) * 28, locale: Locale(identifier: language.rawValue), idPrefix: idPrefix,
                                                                    embedStylesheet: standalone))
        }
        let series = model.selection.areas.compactMap { area -> ChartSeries? in
            guard let points = byArea[area] else { return nil }
            return ChartSeries(id: area.lowercased(), label: model.names[area] ?? area, points: points.map { (x: Double($0.year), y: Optional($0.value)) })
        }
        let text = ChartText(
            title: model.indicator.name, subtitle: "\(model.selection.from)–\(model.selection.to)" + (model.selection.sex == "T" ? "" : " · " + t("statistics.sex.\(model.selection.sex)")),
            xLabel: t("statistics.year"), yLabel: model.indicator.unit, unit: model.indicator.unit.hasPrefix("%") ? "%" : "",
            source: t("statistics.source", ["source": model.sourceLine]),
            description: t("statistics.chartDescription", ["indicator": model.indicator.name, "countries": series.map(\.label).joined(separator: ", "),
                                                           "from": String(model.selection.from), "to": String(model.selection.to)])
        )
        return Charts.line(series, text: text, style: ChartStyle(locale: Locale(identifier: language.rawValue), idPrefix: idPrefix, embedStylesheet: standalone))
    }

    static func table(_ model: IndicatorModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let locale = Locale(identifier: context.language.rawValue)
        let areas = model.selection.areas.filter { area in model.points.contains { $0.area == area } }
        let years = Array(Set(model.points.map(\.year))).sorted(by: >)
        let titles = Dictionary(uniqueKeysWithValues: model.datasets.map { ($0.slug, $0.title) })
        var cell: [String: StatisticsData.Point] = [:]
        for point in model.points { cell["\(point.area)|\(point.year)"] = point }
        return .div(
            .class("table-scroll"),
            .table(
                .class("stat-table"),
                .el("caption", .text(t("statistics.tableCaption", ["indicator": model.indicator.name, "unit": model.indicator.unit]))),
                .thead(.tr(.th(.attr("scope", "col"), .text(t("statistics.year"))), .forEach(areas) { .th(.attr("scope", "col"), .text(model.names[$0] ?? $0)) })),
                .tbody(.forEach(years) { year in
                    .tr(.th(.attr("scope", "row"), .text(String(year))), .forEach(areas) { area in
                        guard let point = cell["\(area)|\(year)"] else { return .td(.class("missing"), .text("—")) }
                        // Each number names where it comes from (hover), beside the sources view.
                        let origin = [point.note, t("statistics.fromDataset", ["dataset": titles[point.dataset] ?? point.dataset])].filter { !$0.isEmpty }.joined(separator: " · ")
                        return .td(.attr("title", origin), .text(Charts.format(point.value, decimals: 2, locale: locale) + (point.flag.isEmpty ? "" : " " + point.flag)))
                    })
                })
            ),
            .p(.class("hint"), .text(t("statistics.flags"))),
            // What the regional sum covers, in words (each year's cell says it too).
            .unwrap(model.points.last { $0.area == StatisticsData.region }) { sum in
                .p(.class("hint"), .text(t("statistics.regionNote", ["year": String(sum.year), "note": sum.note])))
            }
        )
    }

    static func map(_ model: IndicatorModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let latest = StatisticsData.latest(model.points.filter { $0.area != StatisticsData.region })
        guard !latest.isEmpty else { return .p(.class("empty"), .text(t("statistics.noData"))) }
        let values = latest.values.map(\.value).sorted()
        // Five classes by quantiles of the latest values.
        let breaks = (1..<5).map { values[min(values.count - 1, values.count * $0 / 5)] }
        func klass(_ value: Double) -> Int { breaks.firstIndex { value < $0 } ?? 4 }
        let locale = Locale(identifier: context.language.rawValue)
        let markers = model.countries.compactMap { country -> MapMarker? in
            guard let point = latest[country.iso2] else { return nil }
            let name = country.localizedName(context.language)
            return MapMarker(id: country.iso2.lowercased(), label: name, latitude: country.capitalLatitude, longitude: country.capitalLongitude,
                             href: url(model) { $0.areas = [country.iso2]; $0.view = "chart" }, valueClass: klass(point.value),
                             title: "\(name), \(point.year): \(Charts.format(point.value, decimals: 2, locale: locale))", shortLabel: nil)
        }
        let bounds = [values.first ?? 0] + breaks + [values.last ?? 0]
        let legend = (0..<5).map { MapLegendEntry(label: Charts.format(bounds[$0], decimals: 1, locale: locale, compact: true) + " – " + Charts.format(bounds[$0 + 1], decimals: 1, locale: locale, compact: true)) }
        let svg = RegionMap().svg(markers: markers, title: model.indicator.name, description: t("statistics.mapDescription", ["indicator": model.indicator.name]),
                                  legendTitle: model.indicator.unit, legend: legend, labels: false, idPrefix: "statmap")
        return .el("figure", .class("map"), .raw(svg), .el("figcaption", .text(t("statistics.mapCaption") + " " + t("statistics.source", ["source": model.sourceLine]))))
    }

    static func sources(_ model: IndicatorModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .class("sources"),
            .el("dl", .class("facts"),
                .div(.el("dt", .text(t("statistics.definition"))), .el("dd", .text(model.indicator.definition))),
                .div(.el("dt", .text(t("statistics.unitLabel"))), .el("dd", .text(model.indicator.unit))),
                .div(.el("dt", .text(t("statistics.sourceLabel"))), .el("dd", .text(model.indicator.source))),
                .div(.el("dt", .text(t("statistics.licenceLabel"))), .el("dd", .text(model.indicator.licence))),
                .if(!model.indicator.derivation.isEmpty, .div(.el("dt", .text(t("statistics.derivation"))), .el("dd", .text(model.indicator.derivation))))),
            .h2(.text(t("statistics.datasets.title"))),
            .ul(.forEach(model.datasets) { dataset in
                .li(.el("strong", .text(dataset.title)), .text(" — " + dataset.source + " · " + dataset.licence),
                    .if(!dataset.caveats.isEmpty, .p(.class("hint"), .text(dataset.caveats))))
            })
        )
    }

    static func downloads(_ model: IndicatorModel, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .section(
            .class("downloads"),
            .h2(.text(t("statistics.downloads"))),
            .ul(.class("inline"),
                .li(.el("a", .attr("href", url(model, extra: [URLQueryItem(name: "format", value: "csv")])), .text(t("statistics.download.csvSelection")))),
                .li(.el("a", .attr("href", url(model, extra: [URLQueryItem(name: "format", value: "csv"), URLQueryItem(name: "all", value: "1")])), .text(t("statistics.download.csvAll")))),
                .li(.el("a", .attr("href", url(model, extra: [URLQueryItem(name: "format", value: "json")])), .text("JSON"))),
                .li(.el("a", .attr("href", url(model, extra: [URLQueryItem(name: "format", value: "sdmx")])), .text("SDMX-CSV"))),
                .li(.el("a", .attr("href", url(model, extra: [URLQueryItem(name: "format", value: "svg")])), .text(t("statistics.download.svg"))))
            )
        )
    }
}

/// Downloads of an indicator: the selection shown, or the whole indicator; each names its source and licence.
/// Every cell goes through `CSVCell`: text guarded against formulas and quoted, numbers as numbers.
enum StatisticsDownloads {
    static func respond(_ text: String, type: String, filename: String) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type)
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    private static func csvFile(_ header: String, _ records: [[String]], filename: String) -> Response {
        respond(([header] + records.map(CSVCell.record)).joined(separator: "\r\n") + "\r\n", type: "text/csv; charset=utf-8", filename: filename)
    }

    static func csv(_ model: StatisticsPages.IndicatorModel, all: Bool) -> Response {
        let datasets = Dictionary(uniqueKeysWithValues: model.datasets.map { ($0.slug, $0) })
        let text = CSVCell.text
        let records = model.points.map { point in
            let dataset = datasets[point.dataset]
            return [text(model.indicator.code), text(point.area), text(model.names[point.area] ?? ""), CSVCell.number(point.year), text(point.sex),
                    CSVCell.number(point.value), text(model.indicator.unit), text(point.flag), text(point.note), text(point.dataset),
                    text(dataset?.source ?? ""), text(dataset?.licence ?? "")]
        }
        let name = model.indicator.code + (all ? "" : "-" + model.selection.areas.map { $0.lowercased() }.joined(separator: "-") + "-\(model.selection.from)-\(model.selection.to)")
        return csvFile("indicator,area,area_name,year,sex,value,unit,flag,note,dataset,source,licence", records, filename: name + ".csv")
    }

    static func bilateralCSV(_ model: StatisticsPages.IndicatorModel) -> Response {
        let datasets = Dictionary(uniqueKeysWithValues: model.datasets.map { ($0.slug, $0) })
        let area = model.selection.areas.first ?? ""
        let text = CSVCell.text
        let records = (model.pairs ?? []).map { pair in
            let dataset = datasets[pair.dataset]
            return [text(model.indicator.code), text(area), CSVCell.number(model.selection.to), text(pair.counterpart), text(model.counterpartNames[pair.counterpart] ?? ""),
                    pair.female.map(CSVCell.number) ?? "", pair.male.map(CSVCell.number) ?? "", CSVCell.number(pair.total), text(pair.dataset),
                    text(dataset?.source ?? ""), text(dataset?.licence ?? "")]
        }
        return csvFile("indicator,area,year,counterpart,counterpart_name,female,male,total,dataset,source,licence", records,
                       filename: "\(model.indicator.code)-\(area.lowercased())-\(model.selection.to).csv")
    }

    static func json(_ model: StatisticsPages.IndicatorModel) -> Response {
        let object: [String: Any] = [
            "indicator": ["code": model.indicator.code, "name": model.indicator.name, "unit": model.indicator.unit, "definition": model.indicator.definition,
                          "derivation": model.indicator.derivation],
            "datasets": model.datasets.map { ["slug": $0.slug, "title": $0.title, "source": $0.source, "licence": $0.licence, "caveats": $0.caveats] },
            "observations": model.pairs.map { pairs in bilateralRows(model, pairs).map { row -> [String: Any] in
                ["area": row.area, "counterpart": row.counterpart, "year": row.year, "sex": row.sex, "value": row.value, "flag": row.flag, "dataset": row.dataset]
            } } ?? model.points.map { ["area": $0.area, "year": $0.year, "sex": $0.sex, "value": $0.value, "flag": $0.flag, "note": $0.note, "dataset": $0.dataset] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return respond(String(decoding: data, as: UTF8.self), type: "application/json; charset=utf-8", filename: model.indicator.code + ".json")
    }

    /// One bilateral table as rows: each counterpart's female, male and both-sexes values (D: both
    /// sexes is their sum).
    static func bilateralRows(_ model: StatisticsPages.IndicatorModel, _ pairs: [StatisticsData.Pair])
        -> [(area: String, counterpart: String, year: Int, sex: String, value: Double, flag: String, dataset: String)] {
        let area = model.selection.areas.first ?? ""
        return pairs.flatMap { pair in
            [("F", pair.female, ""), ("M", pair.male, ""), ("T", Optional(pair.total), pair.female != nil && pair.male != nil ? "D" : "")].compactMap { sex, value, flag in
                value.map { (area: area, counterpart: pair.counterpart, year: model.selection.to, sex: sex, value: $0, flag: flag, dataset: pair.dataset) }
            }
        }
    }

    /// SDMX-CSV (v1 columns): DATAFLOW, REF_AREA, INDICATOR, SEX, TIME_PERIOD, OBS_VALUE, UNIT_MEASURE, OBS_STATUS, COMMENT;
    /// bilateral tables add COUNTERPART_AREA.
    static func sdmx(_ model: StatisticsPages.IndicatorModel) -> Response {
        func flow(_ dataset: String) -> String { "CPMG:" + dataset.uppercased().replacingOccurrences(of: "-", with: "_") + "(1.0)" }
        let text = CSVCell.text
        if let pairs = model.pairs {
            let records = bilateralRows(model, pairs).map { row in
                [text(flow(row.dataset)), text(row.area), text(row.counterpart), text(model.indicator.code), text(row.sex), CSVCell.number(row.year),
                 CSVCell.number(row.value), text(model.indicator.unit), text(row.flag)]
            }
            return csvFile("DATAFLOW,REF_AREA,COUNTERPART_AREA,INDICATOR,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS", records, filename: model.indicator.code + "-sdmx.csv")
        }
        let records = model.points.map { point in
            [text(flow(point.dataset)), text(point.area), text(model.indicator.code), text(point.sex), CSVCell.number(point.year), CSVCell.number(point.value),
             text(model.indicator.unit), text(point.flag), text(point.note)]
        }
        return csvFile("DATAFLOW,REF_AREA,INDICATOR,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS,COMMENT", records, filename: model.indicator.code + "-sdmx.csv")
    }
}
