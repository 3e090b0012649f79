import Charts
import Fluent
import StatImport
import Foundation
import Vapor

/// `/statistics…`: the indicator catalogue by theme and each indicator's chart, table, map and
/// sources, with downloads of exactly what is shown.
struct StatisticsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.statistics.route, use: index)
        routes.get(SiteURL.statisticsIndicator(":code", query: []).route, use: indicator)
        routes.get(SiteURL.statisticsDatasets.route, use: datasets)
        routes.get(SiteURL.statisticsDataset(":slug").route, use: dataset)
        routes.get(SiteURL.statisticsDatasetData(":slug").route, use: data)
        routes.get(SiteURL.datasetsFeed.route, use: feed)
    }

    func dataset(req: Request) async throws -> Response {
        guard let dataset = try await StatDataset.query(on: req.db).filter(\.$slug == (req.parameters.get("slug") ?? "")).first(),
              Access.canView(req.viewer, dataset) else { throw Abort(.notFound) }
        let coverage = try await StatisticsIndexing.coverage(dataset, db: req.db)
        let indicators = coverage.indicators.isEmpty ? [] : try await StatIndicator.query(on: req.db).filter(\.$code ~~ coverage.indicators).sort(\.$name).all()
        let jsonLD = StatisticsIndexing.jsonLD(dataset, indicators: indicators, areas: coverage.areas, years: coverage.years, base: req.application.cpmg.settings.publicURL)
        // Versions under review are the uploader's and the reviewers' only (`StatisticsAccess`).
        let versions = try await StatisticsAccess.visibleVersions(StatDatasetVersion.query(on: req.db).filter(\.$dataset.$id == dataset.requireID()), for: req.viewer)
            .sort(\.$number, .descending).all()
        let canPublish = StatisticsAccess.mayReview(req.viewer)
        var pending: ImportPreview? = nil
        if canPublish, let version = versions.first(where: { $0.status == .pending }),
           let data = FileManager.default.contents(atPath: req.application.cpmg.blobs.url(for: version.sha256).path) {
            pending = try await StatisticsImport.preview(data, decimalComma: version.decimalComma, db: req.db, now: req.now)
        }
        let canAddVersion = StatisticsAccess.mayAddVersion(req.viewer, to: dataset)
        return req.page(title: dataset.title, current: .statistics, head: .element(named: "script", nodes: [.attr("type", "application/ld+json"), .raw(jsonLD)])) {
            .group(StatisticsPages.dataset(dataset, indicators: indicators, coverage: coverage, $0),
                   StatisticsPages.versions(dataset, versions: versions, canPublish: canPublish, pending: pending, canAddVersion: canAddVersion, $0))
        }
    }

    /// Every observation of the dataset, as one tidy CSV.
    func data(req: Request) async throws -> Response {
        guard let dataset = try await StatDataset.query(on: req.db).filter(\.$slug == (req.parameters.get("slug") ?? "")).first(),
              Access.canView(req.viewer, dataset) else { throw Abort(.notFound) }
        return try await StatisticsExport.dataset(dataset, req: req)
    }

    func feed(req: Request) async throws -> Response {
        let datasets = try await Access.listed(StatDataset.query(on: req.db), for: .visitor)
            .sort(\.$publishedAt, .descending).limit(50).all()
        return StatisticsIndexing.atom(datasets, app: req.application, now: req.now)
    }

    func index(req: Request) async throws -> Response {
        let indicators = try await StatIndicator.query(on: req.db).sort(\.$name).all()
        let datasets = try await StatisticsData.visibleDatasets(req.viewer, db: req.db)
        let areas = try await req.application.cpmg.references.get(req.db, now: req.now).countries.map(\.iso2)
        // Each theme's headline: the regional sum of its key indicator, over the same areas in
        // every year of its trend (so that a year with fewer reports does not pass for a fall).
        var headlines: [String: StatisticsPages.Headline] = [:]
        for theme in StatTheme.allCases {
            guard let code = theme.headline, let indicator = indicators.first(where: { $0.code == code }), StatisticsData.isAdditive(indicator) else { continue }
            let points = try await StatisticsData.points(indicator: code, areas: [], years: nil, sex: "T", datasets: datasets, db: req.db)
            guard let sum = StatisticsData.comparableSum(points, areas: areas, datasets: datasets) else { continue }
            headlines[theme.rawValue] = StatisticsPages.Headline(indicator: indicator, year: sum.year, covered: sum.covered, series: sum.series, areas: areas.count)
        }
        return req.page(title: req.t("statistics.title"), current: .statistics) { StatisticsPages.index(indicators, headlines: headlines, $0) }
    }

    func datasets(req: Request) async throws -> Response {
        let datasets = try await StatisticsData.visibleDatasets(req.viewer, db: req.db).sorted { $0.title < $1.title }
        return req.page(title: req.t("statistics.datasets.title"), current: .statistics) { StatisticsPages.datasets(datasets, $0) }
    }

    /// What the URL asks for, checked: unknown countries and years outside the data are named.
    struct Selection: Equatable {
        var areas: [String]
        var from: Int
        var to: Int
        var sex: String
        var view: String
        var problems: [String]

        var query: [URLQueryItem] {
            [URLQueryItem(name: "c", value: areas.map { $0.lowercased() }.joined(separator: ",")), URLQueryItem(name: "from", value: String(from)),
             URLQueryItem(name: "to", value: String(to)), URLQueryItem(name: "sex", value: sex), URLQueryItem(name: "view", value: view)]
        }
    }

    static let defaultAreas = ["JM", "TT", "BB", "BS", "DO"]
    static let views = ["chart", "table", "map", "sources"]

    /// `region`: whether the indicator can be summed over the region (`StatisticsData.region`).
    static func selection(_ pairs: [(String, String)], known: Set<String>, region: Bool = false, coverage: ClosedRange<Int>, sexes: [String], t: Localizer) -> Selection {
        var problems: [String] = []
        let codes = pairs.filter { $0.0 == "c" || $0.0 == "countries" }.flatMap { $0.1.split(whereSeparator: { $0 == "," || $0 == " " }) }
            .map { String($0.prefix(3)).uppercased() }.filter { !$0.isEmpty }
        var areas: [String] = []
        for code in codes where !areas.contains(code) {
            if known.contains(code) || (region && code == StatisticsData.region) { areas.append(code) }
            else if code == StatisticsData.region { problems.append(t("statistics.regionNotSummed")) }
            else { problems.append(t("statistics.unknownArea", ["code": code.lowercased()])) }
        }
        if codes.isEmpty { areas = defaultAreas.filter(known.contains) }
        func year(_ name: String, _ fallback: Int) -> Int {
            guard let text = pairs.last(where: { $0.0 == name })?.1, !text.isEmpty else { return fallback }
            guard let value = Int(text), coverage.contains(value) else {
                problems.append(t("statistics.yearOutside", ["year": String(text.prefix(8)), "from": String(coverage.lowerBound), "to": String(coverage.upperBound)]))
                return fallback
            }
            return value
        }
        var from = year("from", max(coverage.lowerBound, coverage.upperBound - 34))
        var to = year("to", coverage.upperBound)
        if from > to { swap(&from, &to) }
        let sexText = pairs.last(where: { $0.0 == "sex" })?.1.uppercased() ?? "T"
        let sex = sexes.contains(sexText) ? sexText : (sexes.first ?? "T")
        let viewText = pairs.last(where: { $0.0 == "view" })?.1 ?? "chart"
        return Selection(areas: areas, from: from, to: to, sex: sex, view: views.contains(viewText) ? viewText : "chart", problems: problems)
    }

    func indicator(req: Request) async throws -> Response {
        let code = req.parameters.get("code") ?? ""
        guard let indicator = try await StatIndicator.query(on: req.db).filter(\.$code == code).first() else { throw Abort(.notFound) }
        let datasets = try await StatisticsData.visibleDatasets(req.viewer, db: req.db)
        let wantsAll = req.query[String.self, at: "all"] == "1"
        // The whole indicator does not depend on the selection: no need to read its coverage.
        if wantsAll && req.query[String.self, at: "format"] == "csv" {
            return try await StatisticsExport.indicator(indicator, datasets: datasets, req: req)
        }
        let coverage = try await StatisticsData.coverage(indicator: code, datasets: datasets, db: req.db)
        let snapshot = try await req.application.cpmg.references.get(req.db, now: req.now)
        let known = Set(snapshot.countries.map(\.iso2))
        let years = coverage.years ?? 1960...2025
        let summable = StatisticsData.isAdditive(indicator)
        let selection = Self.selection(req.queryPairs, known: known, region: summable, coverage: years, sexes: coverage.sexes.isEmpty ? ["T"] : coverage.sexes, t: req.t)
        let region = selection.areas.contains(StatisticsData.region)
        var points = try await StatisticsData.points(indicator: code, areas: wantsAll || region ? [] : selection.areas, years: wantsAll ? nil : selection.from...selection.to,
                                                     sex: selection.sex, datasets: datasets, db: req.db)
        if region {
            // The regional sum is computed from every area, then only the chosen areas are kept beside it.
            let sum = StatisticsData.regionalSum(points, areas: snapshot.countries.map(\.iso2), datasets: datasets)
            let chosen = Set(selection.areas)
            points = points.filter { chosen.contains($0.area) } + sum
        }
        var used = datasets.filter { d in points.contains { $0.dataset == d.slug } }
        var names = Dictionary(uniqueKeysWithValues: snapshot.countries.map { ($0.iso2, $0.localizedName(req.language)) })
        names[StatisticsData.region] = req.t("statistics.region")
        var model = StatisticsPages.IndicatorModel(indicator: indicator, selection: selection, points: points, datasets: used, names: names,
                                                   coverage: years, sexes: coverage.sexes, available: Set(coverage.areas + (summable ? [StatisticsData.region] : [])),
                                                   countries: snapshot.countries)
        if indicator.disaggregations.contains("age"), let area = selection.areas.first(where: { $0 != StatisticsData.region }) {
            model.ages = try await StatisticsData.byAge(indicator: code, area: area, year: selection.to, datasets: datasets, db: req.db).map { (area, $0.year, $0.groups) }
        }
        // A bilateral table (diaspora, immigrants by origin): one country, one year, by counterpart.
        if indicator.disaggregations.contains("origin"), let area = selection.areas.first {
            let pairs = try await StatisticsData.bilateral(indicator: code, area: area, year: selection.to, datasets: datasets, db: req.db)
            used = datasets.filter { d in pairs.contains { $0.dataset == d.slug } }
            model.datasets = used
            model.pairs = pairs
            model.pairYears = try await StatisticsData.bilateralYears(indicator: code, area: area, datasets: datasets, db: req.db)
            model.counterpartNames = StatisticsSeed.counterpartNames(from: req.application.cpmg.settings.resourcesDirectory.appendingPathComponent("Statistics"))
        }
        switch req.query[String.self, at: "format"] {
        case "csv" where model.pairs != nil: return StatisticsDownloads.bilateralCSV(model)
        case "csv": return StatisticsDownloads.csv(model, all: wantsAll)
        case "json": return StatisticsDownloads.json(model)
        case "sdmx": return StatisticsDownloads.sdmx(model)
        case "svg":
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "image/svg+xml; charset=utf-8")
            headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(code).svg\"")
            let svg = model.pairs.map { StatisticsPages.bilateralChart(model, pairs: $0, t: req.t, language: req.language, standalone: true) }
                ?? StatisticsPages.chart(model, t: req.t, language: req.language, standalone: true)
            return Response(status: .ok, headers: headers, body: .init(string: svg))
        default:
            return req.page(title: indicator.name, current: .statistics) { StatisticsPages.indicator(model, $0) }
        }
    }
}
