import Fluent
import FluentSQL
import Foundation
import Syndication
import Vapor

/// Indicators and datasets in the shared search index, the datasets' Atom feed and their schema.org data.
enum StatisticsIndexing {
    static let section = "statistics"

    static func indexAll(app: Application, db: any Database) async throws {
        let index = SearchIndexes.make(for: db)
        for indicator in try await StatIndicator.query(on: db).all() {
            try await index.upsert(SearchEntry(
                section: section, itemID: "indicator:" + indicator.code, visibility: .public,
                title: indicator.name, authors: indicator.code, abstract: indicator.definition,
                body: [indicator.unit, indicator.source, indicator.derivation].joined(separator: "\n"),
                url: SiteURL.statisticsIndicator(indicator.code, query: []).path, summary: indicator.unit,
                tags: indicator.themes.split(separator: ",").map { SearchTag("stattheme", String($0)) }
            ), on: db)
        }
        for dataset in try await StatDataset.query(on: db).all() { try await reindex(dataset, db: db) }
    }

    static func reindex(_ dataset: StatDataset, db: any Database) async throws {
        let index = SearchIndexes.make(for: db)
        guard dataset.status == .published else {
            try await index.remove(section: section, itemID: "dataset:" + dataset.slug, on: db)
            return
        }
        try await index.upsert(SearchEntry(
            section: section, itemID: "dataset:" + dataset.slug, visibility: dataset.visibility,
            title: dataset.title, authors: dataset.source, abstract: dataset.descriptionText, body: dataset.caveats,
            url: SiteURL.statisticsDataset(dataset.slug).path, summary: dataset.licence
        ), on: db)
    }

    /// Years, areas and indicators of a dataset, for its page and its schema.org record.
    static func coverage(_ dataset: StatDataset, db: any Database) async throws -> (indicators: [String], areas: [String], years: ClosedRange<Int>?, rows: Int) {
        let sql = db as! any SQLDatabase
        let id = try dataset.requireID()
        let row = try await sql.raw("SELECT min(year) AS lo, max(year) AS hi, count(*) AS n FROM stat_observations WHERE dataset_id = \(bind: id)").first()
        let lo = try row?.decode(column: "lo", as: Int?.self) ?? nil
        let hi = try row?.decode(column: "hi", as: Int?.self) ?? nil
        let rows = try row?.decode(column: "n", as: Int.self) ?? 0
        let indicators = try await sql.raw("SELECT DISTINCT indicator FROM stat_observations WHERE dataset_id = \(bind: id) ORDER BY indicator").all()
            .map { try $0.decode(column: "indicator", as: String.self) }
        let areas = try await sql.raw("SELECT DISTINCT area FROM stat_observations WHERE dataset_id = \(bind: id) ORDER BY area").all()
            .map { try $0.decode(column: "area", as: String.self) }
        return (indicators, areas, lo.flatMap { l in hi.map { l...max(l, $0) } }, rows)
    }

    static func jsonLD(_ dataset: StatDataset, indicators: [StatIndicator], areas: [String], years: ClosedRange<Int>?, base: URL) -> String {
        var object: [String: Any] = [
            "@context": "https://schema.org", "@type": "Dataset", "name": dataset.title, "description": dataset.descriptionText.isEmpty ? dataset.title : dataset.descriptionText,
            "url": SiteURL.statisticsDataset(dataset.slug).absolute(base: base), "license": dataset.licence,
            "creator": ["@type": "Organization", "name": dataset.source], "isAccessibleForFree": true,
            "variableMeasured": indicators.map { ["@type": "PropertyValue", "name": $0.name, "unitText": $0.unit, "propertyID": $0.code] },
            "spatialCoverage": areas.map { ["@type": "Place", "identifier": $0] },
            "distribution": indicators.map { ["@type": "DataDownload", "encodingFormat": "text/csv", "name": $0.name,
                                              "contentUrl": SiteURL.statisticsIndicator($0.code, query: [URLQueryItem(name: "format", value: "csv"), URLQueryItem(name: "all", value: "1")]).absolute(base: base)] },
        ]
        if let years { object["temporalCoverage"] = "\(years.lowerBound)/\(years.upperBound)" }
        if !dataset.sourceURL.isEmpty { object["isBasedOn"] = dataset.sourceURL }
        return JSONLD.encode(object)
    }

    /// New public datasets, newest first.
    static func atom(_ datasets: [StatDataset], app: Application, now: Date) -> Response {
        let base = app.cpmg.settings.publicURL
        let host = base.host ?? "cpmg"
        let entries = datasets.map { dataset in
            AtomEntry(
                id: AtomID.tag(authority: host, date: "2017", specific: "datasets/\(dataset.slug)/v\(dataset.version)"),
                title: dataset.title, updated: dataset.updatedAt ?? now, published: dataset.publishedAt,
                authors: [AtomPerson(name: dataset.source)], summary: dataset.descriptionText + (dataset.caveats.isEmpty ? "" : "\n\n" + dataset.caveats),
                links: [.alternate(SiteURL.statisticsDataset(dataset.slug).absolute(base: base))], categories: []
            )
        }
        let feed = AtomFeed(
            id: AtomID.tag(authority: host, date: "2017", specific: "datasets"), title: "CPMG — statistics datasets", subtitle: nil,
            updated: entries.map(\.updated).max() ?? now,
            links: [.self(SiteURL.datasetsFeed.absolute(base: base)), .alternate(SiteURL.statisticsDatasets.absolute(base: base))],
            authors: [AtomPerson(name: "CPMG")], language: "en", entries: entries
        )
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/atom+xml; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: feed.xml))
    }
}
