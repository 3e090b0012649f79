import Fluent
import FluentSQL
import Foundation
import Vapor

/// Reading observations: one row per (area, year, sex …) from the published datasets a viewer may see.
enum StatisticsData {
    struct Point: Sendable, Equatable {
        var area: String
        var year: Int
        var sex: String
        var value: Double
        var flag: String
        var note: String
        var dataset: String
    }

    /// The datasets the viewer may see: published, and public unless signed in (members) — the
    /// one rule of `Access.canView`.
    static func visibleDatasets(_ viewer: Viewer, db: any Database) async throws -> [StatDataset] {
        try await StatDataset.query(on: db).all().filter { Access.canView(viewer, $0) }
    }

    /// Observations of an indicator, filtered by areas (empty: all), years and sex, ordered by area and year.
    static func points(indicator: String, areas: [String], years: ClosedRange<Int>?, sex: String, datasets: [StatDataset], db: any Database) async throws -> [Point] {
        let sql = db as! any SQLDatabase
        let ids = datasets.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let slugs = Dictionary(uniqueKeysWithValues: datasets.compactMap { d in d.id.map { ($0, d.slug) } })
        var query: SQLQueryString = """
            SELECT area, year, sex, value, flag, note, dataset_id FROM stat_observations
            WHERE indicator = \(bind: indicator) AND sex = \(bind: sex) AND dataset_id IN (\(SQLList(ids.map { SQLBind($0) })))
            """
        // Series without a counterpart; bilateral tables are read with `bilateral`.
        query = query + " AND counterpart = '' AND age = ''"
        if !areas.isEmpty { query = query + " AND area IN (\(SQLList(areas.map { SQLBind($0) })))" }
        if let years { query = query + " AND year BETWEEN \(bind: years.lowerBound) AND \(bind: years.upperBound)" }
        query = query + " ORDER BY area, year"
        return try await sql.raw(query).all().map { row in
            Point(area: try row.decode(column: "area", as: String.self), year: try row.decode(column: "year", as: Int.self),
                  sex: try row.decode(column: "sex", as: String.self), value: try row.decode(column: "value", as: Double.self),
                  flag: try row.decode(column: "flag", as: String.self), note: try row.decode(column: "note", as: String.self),
                  dataset: slugs[try row.decode(column: "dataset_id", as: UUID.self)] ?? "")
        }
    }

    struct Pair: Sendable, Equatable {
        var counterpart: String
        var female: Double?
        var male: Double?
        var total: Double
        var dataset: String
    }

    /// One area's bilateral stocks in one year: each counterpart with female, male and both sexes, largest first.
    static func bilateral(indicator: String, area: String, year: Int, datasets: [StatDataset], db: any Database) async throws -> [Pair] {
        let sql = db as! any SQLDatabase
        let ids = datasets.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let slugs = Dictionary(uniqueKeysWithValues: datasets.compactMap { d in d.id.map { ($0, d.slug) } })
        var pairs: [String: Pair] = [:]
        for row in try await sql.raw("""
            SELECT counterpart, sex, value, dataset_id FROM stat_observations
            WHERE indicator = \(bind: indicator) AND area = \(bind: area) AND year = \(bind: year) AND counterpart <> ''
            AND dataset_id IN (\(SQLList(ids.map { SQLBind($0) })))
            """).all() {
            let counterpart = try row.decode(column: "counterpart", as: String.self)
            let value = try row.decode(column: "value", as: Double.self)
            let slug = slugs[try row.decode(column: "dataset_id", as: UUID.self)] ?? ""
            var pair = pairs[counterpart] ?? Pair(counterpart: counterpart, total: 0, dataset: slug)
            switch try row.decode(column: "sex", as: String.self) {
            case "F": pair.female = value
            case "M": pair.male = value
            default: pair.total = value
            }
            pairs[counterpart] = pair
        }
        return pairs.values.sorted { $0.total != $1.total ? $0.total > $1.total : $0.counterpart < $1.counterpart }
    }

    /// The years and sexes an indicator has.
    static func coverage(indicator: String, datasets: [StatDataset], db: any Database) async throws -> (years: ClosedRange<Int>?, sexes: [String], areas: [String]) {
        let sql = db as! any SQLDatabase
        let ids = datasets.compactMap(\.id)
        guard !ids.isEmpty else { return (nil, [], []) }
        let list = SQLList(ids.map { SQLBind($0) })
        let row = try await sql.raw("SELECT min(year) AS lo, max(year) AS hi FROM stat_observations WHERE indicator = \(bind: indicator) AND dataset_id IN (\(list))").first()
        let lo = try row?.decode(column: "lo", as: Int?.self) ?? nil
        let hi = try row?.decode(column: "hi", as: Int?.self) ?? nil
        let sexes = try await sql.raw("SELECT DISTINCT sex FROM stat_observations WHERE indicator = \(bind: indicator) AND dataset_id IN (\(list))").all()
            .map { try $0.decode(column: "sex", as: String.self) }
        let areas = try await sql.raw("SELECT DISTINCT area FROM stat_observations WHERE indicator = \(bind: indicator) AND dataset_id IN (\(list))").all()
            .map { try $0.decode(column: "area", as: String.self) }
        return (lo.flatMap { l in hi.map { l...max(l, $0) } }, sexes.sorted { ["T", "F", "M"].firstIndex(of: $0) ?? 9 < ["T", "F", "M"].firstIndex(of: $1) ?? 9 }, areas)
    }

    /// The latest value per area (for maps and profiles).
    static func latest(_ points: [Point]) -> [String: Point] {
        var best: [String: Point] = [:]
        for point in points where best[point.area].map({ $0.year < point.year }) ?? true { best[point.area] = point }
        return best
    }
}
