import Fluent
import FluentSQL
import Foundation

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
