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

/// The whole indicator as CSV, streamed in chunks of rows that the database itself turns into CSV
/// lines (constant memory, no per-row decoding): `/statistics/indicators/{code}?format=csv&all=1`.
enum StatisticsStream {
    static let chunk = 25_000

    static func csv(indicator: StatIndicator, sex: String, datasets: [StatDataset], db: any Database) -> Response {
        let sql = db as! any SQLDatabase
        let postgres = sql.dialect.name == "postgresql"
        let ids = datasets.compactMap(\.id)
        let sources = Dictionary(uniqueKeysWithValues: datasets.compactMap { d in d.id.map { ($0, d) } })
        let header = "indicator,area,year,sex,age,value,unit,flag,note,dataset,source,licence\r\n"
        let code = indicator.code, unit = indicator.unit
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(code).csv\"")
        let body = Response.Body(managedAsyncStream: { writer in
            try await writer.write(.buffer(ByteBuffer(string: header)))
            guard !ids.isEmpty else { return }
            let q = postgres ? "chr(34)" : "char(34)"
            func quoted(_ column: String) -> String { "\(q) || replace(\(column), \(q), \(q) || \(q)) || \(q)" }
            let text = postgres ? "value::text" : "CAST(value AS TEXT)"
            for dataset in ids {
                // Everything of one dataset but its name and licence is written by the database.
                let meta = sources[dataset].map { [StatisticsDownloads.csvField($0.slug), StatisticsDownloads.csvField($0.source), StatisticsDownloads.csvField($0.licence)].joined(separator: ",") } ?? ",,"
                var last = 0
                while true {
                    let line: SQLQueryString = """
                        \(unsafeRaw: "\(StatisticsDownloads.sqlLiteral(code)) || ',' || area || ',' || year || ',' || sex || ',' || age || ',' || \(text) || ',' || \(StatisticsDownloads.sqlLiteral(StatisticsDownloads.csvField(unit))) || ',' || flag || ',' || \(quoted("note")) || \(StatisticsDownloads.sqlLiteral("," + meta))")
                        """
                    let query: SQLQueryString = """
                        SELECT max(id) AS last, \(unsafeRaw: postgres ? "string_agg" : "group_concat")(line, \(unsafeRaw: postgres ? "chr(13) || chr(10)" : "char(13) || char(10)")) AS lines FROM (
                            SELECT id, \(line) AS line FROM stat_observations
                            WHERE indicator = \(bind: code) AND counterpart = '' AND dataset_id = \(bind: dataset) AND id > \(bind: last)
                            ORDER BY id LIMIT \(unsafeRaw: String(chunk))) c
                        """
                    guard let row = try await sql.raw(query).first(), let lines = try row.decode(column: "lines", as: String?.self),
                          let next = try row.decode(column: "last", as: Int?.self) else { break }
                    var buffer = ByteBuffer(string: lines)
                    buffer.writeString("\r\n")
                    try await writer.write(.buffer(buffer))
                    last = next
                }
            }
        })
        return Response(status: .ok, headers: headers, body: body)
    }
}
