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
        try await Access.listed(StatDataset.query(on: db), for: viewer).all()
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
        query = query + " AND counterpart = \(bind: "") AND age = \(bind: "")"
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
            WHERE indicator = \(bind: indicator) AND area = \(bind: area) AND year = \(bind: year) AND counterpart <> \(bind: "")
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

// MARK: - Breakdowns and the regional sum

extension StatisticsData {
    /// The area code of the computed Caribbean sum (a code ISO 3166 leaves to users).
    static let region = "XC"

    /// Counts of persons, events or money can be added across areas; shares, rates and per-person
    /// amounts cannot, and get no regional sum.
    static func isAdditive(_ indicator: StatIndicator) -> Bool {
        let unit = indicator.unit.lowercased()
        guard !unit.contains(" per ") && !unit.hasPrefix("%") && !indicator.disaggregations.contains("origin") else { return false }
        return ["persons", "displacements", "events", "incidents", "applications", "detections", "current us$", "us$", "number"].contains { unit.hasPrefix($0) }
    }

    /// One point per year and area (the earliest-published dataset's when several give one).
    static func byYearAndArea(_ points: [Point], areas: [String], datasets: [StatDataset]) -> [Int: [String: Point]] {
        let rank = Dictionary(uniqueKeysWithValues: datasets.sorted { ($0.publishedAt ?? .distantFuture) < ($1.publishedAt ?? .distantFuture) }.enumerated().map { ($1.slug, $0) })
        let wanted = Set(areas)
        var chosen: [Int: [String: Point]] = [:]
        for point in points where wanted.contains(point.area) {
            if let other = chosen[point.year]?[point.area], rank[other.dataset] ?? .max <= rank[point.dataset] ?? .max { continue }
            chosen[point.year, default: [:]][point.area] = point
        }
        return chosen
    }

    /// A comparable regional series for a headline: the latest whole year in which at least 90% of
    /// the most areas ever reporting report, and the sum over those same areas in every whole year
    /// in which they all report. Years marked as partial ("N months only") are left out.
    static func comparableSum(_ points: [Point], areas: [String], datasets: [StatDataset]) -> (year: Int, covered: Int, series: [(year: Int, value: Double)])? {
        let chosen = byYearAndArea(points.filter { !StatisticsSeed.isPartialYear($0.note) }, areas: areas, datasets: datasets)
        guard let most = chosen.values.map(\.count).max(), most > 0,
              let year = chosen.keys.sorted().last(where: { chosen[$0]!.count * 10 >= most * 9 }) else { return nil }
        let panel = Array(chosen[year]!.keys)
        let series = chosen.keys.sorted().compactMap { y -> (year: Int, value: Double)? in
            let values = chosen[y]!
            guard panel.allSatisfy({ values[$0] != nil }) else { return nil }
            return (y, panel.reduce(0) { $0 + values[$1]!.value })
        }
        return (year, panel.count, series)
    }

    /// The regional sum as points of `region`: one value per area and year (the earliest-published
    /// dataset's when several give one), summed, flagged D, each with a note that says how many areas
    /// it covers and which have no value, so that a sum over fewer areas is never mistaken for the region's.
    static func regionalSum(_ points: [Point], areas: [String], datasets: [StatDataset]) -> [Point] {
        let chosen = byYearAndArea(points, areas: areas, datasets: datasets)
        return chosen.keys.sorted().map { year in
            let values = chosen[year]!
            let missing = areas.filter { values[$0] == nil }
            let main = Dictionary(grouping: values.values, by: \.dataset).max { $0.value.count < $1.value.count }?.key ?? ""
            let note = "Sum of \(values.count) of the \(areas.count) areas" + (missing.isEmpty ? "" : " (no data: \(missing.joined(separator: " ")))")
            return Point(area: region, year: year, sex: values.values.first?.sex ?? "T", value: values.values.reduce(0) { $0 + $1.value }, flag: "D", note: note, dataset: main)
        }
    }

    struct AgeGroup: Sendable, Equatable {
        var age: String
        var female: Double?
        var male: Double?
        var total: Double?
        var dataset: String
    }

    /// One area's values by age group (and sex) in the latest year up to `year` that has them,
    /// youngest group first.
    static func byAge(indicator: String, area: String, year: Int, datasets: [StatDataset], db: any Database) async throws -> (year: Int, groups: [AgeGroup])? {
        let sql = db as! any SQLDatabase
        let ids = datasets.compactMap(\.id)
        guard !ids.isEmpty else { return nil }
        let slugs = Dictionary(uniqueKeysWithValues: datasets.compactMap { d in d.id.map { ($0, d.slug) } })
        let list = SQLList(ids.map { SQLBind($0) })
        guard let latest = try await sql.raw("""
            SELECT max(year) AS y FROM stat_observations WHERE indicator = \(bind: indicator) AND area = \(bind: area) AND age <> \(bind: "") AND counterpart = \(bind: "")
            AND year <= \(bind: year) AND dataset_id IN (\(list))
            """).first()?.decode(column: "y", as: Int?.self) else { return nil }
        var groups: [String: AgeGroup] = [:]
        for row in try await sql.raw("""
            SELECT age, sex, value, dataset_id FROM stat_observations WHERE indicator = \(bind: indicator) AND area = \(bind: area) AND year = \(bind: latest)
            AND age <> \(bind: "") AND counterpart = \(bind: "") AND dataset_id IN (\(list))
            """).all() {
            let age = try row.decode(column: "age", as: String.self)
            let value = try row.decode(column: "value", as: Double.self)
            let slug = slugs[try row.decode(column: "dataset_id", as: UUID.self)] ?? ""
            var group = groups[age] ?? AgeGroup(age: age, dataset: slug)
            switch try row.decode(column: "sex", as: String.self) {
            case "F": group.female = value
            case "M": group.male = value
            default: group.total = value
            }
            groups[age] = group
        }
        return (latest, groups.values.sorted { ageOrder($0.age) < ageOrder($1.age) })
    }

    /// "0-4" < "5-11" < "18-59" < "60+": by the first number, then as text.
    static func ageOrder(_ age: String) -> (Int, String) {
        (Int(age.prefix { $0.isNumber }) ?? Int.max, age)
    }

    /// One area's bilateral totals (both sexes) for every year: year → counterpart → value.
    static func bilateralYears(indicator: String, area: String, datasets: [StatDataset], db: any Database) async throws -> [Int: [String: Double]] {
        let sql = db as! any SQLDatabase
        let ids = datasets.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        var years: [Int: [String: Double]] = [:]
        for row in try await sql.raw("""
            SELECT year, counterpart, value FROM stat_observations
            WHERE indicator = \(bind: indicator) AND area = \(bind: area) AND sex = \(bind: "T") AND counterpart <> \(bind: "") AND dataset_id IN (\(SQLList(ids.map { SQLBind($0) })))
            """).all() {
            years[try row.decode(column: "year", as: Int.self), default: [:]][try row.decode(column: "counterpart", as: String.self)] = try row.decode(column: "value", as: Double.self)
        }
        return years
    }
}
