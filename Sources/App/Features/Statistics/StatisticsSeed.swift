import CSVParser
import Fluent
import FluentSQL
import Foundation
import NIOConcurrencyHelpers

/// The real data the centre starts with (`Resources/Statistics`, copied from the reference
/// extracts with their README): each file becomes a published dataset with its source and
/// caveats, loaded once (by slug), never estimated. Sums are marked derived (flag D) with how.
enum StatisticsSeed {
    struct Observation {
        var indicator, area: String
        var year: Int
        var sex = "T"
        var value: Double
        var flag = ""
        var note = ""
        /// "2018", "2018-Q1", "2018-03" (default: the year).
        var period: String? = nil
        var age = ""
        var counterpart = ""
    }

    /// Themes of the WDI indicators of the extract.
    static let wdiThemes: [String: String] = [
        "SP.POP.TOTL": "population-development", "SM.POP.TOTL": "migrant-stock", "SM.POP.NETM": "migrant-stock,population-development",
        "SM.POP.REFG": "refugees-asylum", "SM.POP.REFG.OR": "refugees-asylum,diaspora", "BX.TRF.PWKR.CD.DT": "remittances,diaspora",
        "NY.GDP.PCAP.CD": "population-development", "SL.UEM.TOTL.ZS": "labour-migration", "SP.DYN.LE00.IN": "migration-health,population-development",
        "SP.POP.TOTL.FE.ZS": "gender-migration,population-development",
    ]

    /// The note of a year summed from fewer than 12 months.
    static func partialYearNote(_ months: Int) -> String { "\(months) months only" }
    static func isPartialYear(_ note: String) -> Bool { note.hasSuffix(" months only") }

    /// Loads the datasets not loaded yet; true when it added any.
    @discardableResult
    static func load(from directory: URL, on db: any Database, now: Date) async throws -> Bool {
        let before = try await StatDataset.query(on: db).count()
        try await loadMissing(from: directory, on: db, now: now)
        return try await StatDataset.query(on: db).count() != before
    }

    private static func loadMissing(from directory: URL, on db: any Database, now: Date) async throws {
        let areas = Dictionary(uniqueKeysWithValues: try await Country.query(on: db).all().map { ($0.iso3, $0.iso2) })
        let wdiSource = "World Bank, World Development Indicators (via datasets/world-development-indicators@4ebec5a)"
        let gdiSource = "IOM gdidata (iom/gdidata@c9e4cc6)"

        // 1. World Bank WDI: the ten indicators of the extract, as published.
        if try await missing("world-bank-wdi", db) {
            let meta = try table(directory, "wdi-indicators.csv")
            for row in meta.rows {
                try await indicator(code: row["indicator_code"] ?? "", name: row["name"] ?? "", definition: row["definition"] ?? "",
                                    unit: row["unit"] ?? "", themes: wdiThemes[row["indicator_code"] ?? ""] ?? "population-development",
                                    source: row["source_note"] ?? wdiSource, licence: "CC BY 4.0", db: db)
            }
            var observations: [Observation] = []
            for row in try table(directory, "wdi-caribbean.csv").rows {
                guard let iso2 = row["iso2"], let year = Int(row["year"] ?? ""), let value = Double(row["value"] ?? "") else { continue }
                observations.append(Observation(indicator: row["indicator_code"] ?? "", area: iso2, year: year, value: value))
            }
            try await dataset(slug: "world-bank-wdi", title: "World Bank World Development Indicators (Caribbean extract)",
                              description: "Ten WDI indicators for the 26 areas WDI covers, as published.", source: wdiSource,
                              url: "https://github.com/datasets/world-development-indicators", licence: "CC BY 4.0",
                              caveats: "WDI has no rows for Anguilla, Montserrat, Caribbean Netherlands, Guadeloupe, Martinique, French Guiana and Saint-Barthélemy. The refugee series (SM.POP.REFG) stop in 2016: use the UNHCR dataset.",
                              observations: observations, db: db, now: now)
        }

        // 2. UN DESA International Migrant Stock: totals by sex (sums of the bilateral rows).
        for (revision, slug, suffix) in [("IMS 2024", "undesa-ims-2024", ""), ("IMS 2020", "undesa-ims-2020", "_rev2020")] where try await missing(slug, db) {
            let derivation = "Sum over all origins (immigrants) or all destinations (emigrants) of UN DESA's bilateral stocks, by sex; total = female + male as published."
            try await indicator(code: "immigrant_stock" + suffix, name: "International migrants living in the area" + (suffix.isEmpty ? "" : " (2020 revision)"),
                                definition: "People born in another country living in the area at mid-year (UN DESA \(revision)).", unit: "persons",
                                themes: "migrant-stock,gender-migration", source: "UN DESA International Migrant Stock (\(revision)) via \(gdiSource)",
                                licence: "UN DESA terms of use", disaggregations: "sex", derivation: derivation, db: db)
            try await indicator(code: "emigrant_stock" + suffix, name: "Emigrants from the area living abroad" + (suffix.isEmpty ? " (lower bound)" : " (2020 revision)"),
                                definition: "People born in the area living in another country at mid-year: the diaspora (UN DESA \(revision)).", unit: "persons",
                                themes: "diaspora,migrant-stock", source: "UN DESA International Migrant Stock (\(revision)) via \(gdiSource)",
                                licence: "UN DESA terms of use", disaggregations: "sex", derivation: derivation, db: db)
            var observations: [Observation] = []
            for row in try table(directory, "undesa-stock-totals.csv").rows where row["revision"] == revision {
                guard let iso2 = row["iso2"], let year = Int(row["year"] ?? ""), let value = Double(row["value"] ?? "") else { continue }
                let code = (row["measure"] == "immigrant_stock_in_area" ? "immigrant_stock" : "emigrant_stock") + suffix
                let sex = ["female": "F", "male": "M"][row["sex"] ?? ""] ?? "T"
                let unknown = row["unknown_origin_share"] ?? ""
                observations.append(Observation(indicator: code, area: iso2, year: year, sex: sex, value: value, flag: "D",
                                                note: unknown.isEmpty ? "" : "Share of unknown origin: \(unknown)"))
            }
            try await dataset(slug: slug, title: "UN DESA International Migrant Stock \(revision.replacingOccurrences(of: "IMS ", with: "")) — totals by sex",
                              description: "Immigrant and emigrant stocks of the Caribbean areas by sex, summed from UN DESA's bilateral table.",
                              source: "UN DESA Population Division, International Migrant Stock (\(revision)), via \(gdiSource)",
                              url: "https://www.un.org/development/desa/pd/content/international-migrant-stock", licence: "UN DESA terms of use",
                              caveats: suffix.isEmpty
                                ? "In the 2024 revision the big destinations name few origins: emigrant (diaspora) totals of small states are understated; treat them as lower bounds and prefer the 2020 revision for diaspora totals. No data for Saint-Barthélemy and Saint-Martin."
                                : "Preferred for diaspora totals (fuller origin detail), 1990–2020. Curaçao 1990–2005 and Sint Maarten 1990–2000 sum to zero.",
                              observations: observations, db: db, now: now)
        }

        // 3. UNHCR: refugees and asylum-seekers hosted (sums over origins).
        if try await missing("unhcr-refugees", db) {
            let derivation = "Sum over all countries of origin of UNHCR's figures for people hosted in the area, by group."
            for (code, name) in [("refugees_hosted", "Refugees hosted"), ("asylum_seekers_hosted", "Asylum-seekers hosted")] {
                try await indicator(code: code, name: name, definition: "\(name) in the area at the end of the year (UNHCR).", unit: "persons",
                                    themes: "refugees-asylum", source: "UNHCR Refugee Data Finder via \(gdiSource)", licence: "UNHCR terms of use",
                                    derivation: derivation, db: db)
            }
            var sums: [String: Double] = [:]
            for row in try table(directory, "gdi-unhcr-caribbean.csv").rows {
                guard let iso3 = row["asylum_iso3"], let iso2 = areas[iso3], let year = Int(row["year"] ?? ""), let value = Double(row["value"] ?? "") else { continue }
                let code = row["group"] == "refugee" ? "refugees_hosted" : row["group"] == "asylum" ? "asylum_seekers_hosted" : nil
                guard let code else { continue }
                sums["\(code)|\(iso2)|\(year)", default: 0] += value
            }
            let observations = sums.map { key, value -> Observation in
                let parts = key.split(separator: "|").map(String.init)
                return Observation(indicator: parts[0], area: parts[1], year: Int(parts[2])!, value: value, flag: "D", note: "Sum over countries of origin")
            }
            try await dataset(slug: "unhcr-refugees", title: "UNHCR — refugees and asylum-seekers hosted in the Caribbean",
                              description: "People hosted by each Caribbean area, summed over countries of origin.",
                              source: "UNHCR Refugee Data Finder (data updated 2024-10-08), via \(gdiSource)", url: "https://www.unhcr.org/refugee-statistics/",
                              licence: "UNHCR terms of use", caveats: "Replaces the stale WDI refugee series (to 2016).", observations: observations, db: db, now: now)
        }

        try await loadBilateral(from: directory, on: db, now: now)
        try await loadIrregular(from: directory, on: db, now: now)

        // 4. IDMC: new internal displacements by disasters (sum over hazards).
        if try await missing("idmc-displacement", db) {
            try await indicator(code: "disaster_displacements", name: "New displacements by disasters",
                                definition: "Internal displacements caused by disasters during the year (storms, floods, earthquakes …), IDMC.",
                                unit: "displacements", themes: "climate-disasters,emergency-preparedness", source: "IDMC via \(gdiSource)",
                                licence: "IDMC terms of use", derivation: "Sum over hazard types of IDMC's flows (conflict excluded).", db: db)
            var sums: [String: Double] = [:]
            for row in try table(directory, "gdi-idmc-caribbean.csv").rows {
                guard (row["dataset"] ?? "").hasPrefix("idmc_flows"), row["cause"] != "conflict", row["sex"] == "all",
                      let iso3 = row["iso3"], let iso2 = areas[iso3], let year = Int(row["year"] ?? ""), let value = Double(row["value"] ?? "") else { continue }
                sums["\(iso2)|\(year)", default: 0] += value
            }
            let observations = sums.map { key, value -> Observation in
                let parts = key.split(separator: "|").map(String.init)
                return Observation(indicator: "disaster_displacements", area: parts[0], year: Int(parts[1])!, value: value, flag: "D", note: "Sum over hazard types")
            }
            try await dataset(slug: "idmc-displacement", title: "IDMC — new displacements by disasters",
                              description: "New internal displacements caused by disasters, 2008–2023, by area.", source: "IDMC (by correspondence), via \(gdiSource)",
                              url: "https://www.internal-displacement.org/database", licence: "IDMC terms of use",
                              caveats: "28 areas; gdidata received these figures from IDMC by correspondence.", observations: observations, db: db, now: now)
        }

        // 5. IDMC: people living in internal displacement at the end of 2024, by cause, sex and age group.
        if try await missing("idmc-idp-stocks", db) {
            let causes = [("disaster", "idps_disasters", "Internally displaced people (disasters), end of year",
                           "People living in internal displacement at the end of the year because of disasters, by sex and age group, IDMC.", "climate-disasters,emergency-preparedness,gender-migration"),
                          ("conflict", "idps_conflict", "Internally displaced people (conflict and violence), end of year",
                           "People living in internal displacement at the end of the year because of conflict and violence, by sex and age group, IDMC.", "emergency-preparedness,refugees-asylum,gender-migration")]
            for (_, code, name, definition, themes) in causes {
                try await indicator(code: code, name: name, definition: definition, unit: "persons", themes: themes, source: "IDMC via \(gdiSource)",
                                    licence: "IDMC terms of use", disaggregations: "sex,age",
                                    derivation: "Female and male by age group as published; each sex's total and both sexes are sums of the groups (flag D).", db: db)
            }
            var observations: [Observation] = []
            var sums: [String: Double] = [:]
            for row in try table(directory, "gdi-idmc-caribbean.csv").rows {
                guard (row["dataset"] ?? "").hasPrefix("idmc_stocks"), let code = causes.first(where: { $0.0 == row["cause"] })?.1,
                      let iso3 = row["iso3"], let iso2 = areas[iso3], let year = Int(row["year"] ?? ""), let value = Double(row["value"] ?? ""),
                      let sex = ["female": "F", "male": "M"][row["sex"] ?? ""], let age = row["age"], !age.isEmpty, age != "all" else { continue }
                observations.append(Observation(indicator: code, area: iso2, year: year, sex: sex, value: value, age: age))
                sums["\(code)|\(iso2)|\(year)|\(sex)", default: 0] += value
                sums["\(code)|\(iso2)|\(year)|T", default: 0] += value
            }
            for (key, value) in sums {
                let parts = key.split(separator: "|").map(String.init)
                observations.append(Observation(indicator: parts[0], area: parts[1], year: Int(parts[2])!, sex: parts[3], value: value, flag: "D",
                                                note: parts[3] == "T" ? "Sum of female and male, all age groups" : "Sum of the age groups"))
            }
            try await dataset(slug: "idmc-idp-stocks", title: "IDMC — internally displaced people at the end of 2024, by sex and age",
                              description: "People living in internal displacement at the end of 2024, by cause (disasters; conflict and violence), sex and age group.",
                              source: "IDMC Global Internal Displacement Database (updated 2025-05-13), via \(gdiSource)",
                              url: "https://www.internal-displacement.org/database", licence: "IDMC terms of use",
                              caveats: "End of 2024 only; 6 areas (BS, BZ, CU, GD, HT, PR). Small figures (single digits) are IDMC's disaggregation of small totals.",
                              observations: observations, db: db, now: now)
        }
    }

    /// Bilateral stocks: where each Caribbean country's emigrants live (2020 revision, preferred for
    /// the diaspora) and where each one's immigrants come from (2024 revision). Female and male as
    /// published; both sexes is their sum (flag D). Counterparts are ISO alpha-3 codes.
    static func loadBilateral(from directory: URL, on db: any Database, now: Date) async throws {
        let areas = Dictionary(uniqueKeysWithValues: try await Country.query(on: db).all().map { ($0.iso3, $0.iso2) })
        let gdiSource = "IOM gdidata (iom/gdidata@c9e4cc6)"
        let files: [(slug: String, file: String, code: String, name: String, definition: String, caribbeanSide: String, otherSide: String, revision: String, themes: String)] = [
            ("undesa-ims-2020-by-destination", "undesa-stock-origin-rev2020.csv", "emigrants_by_destination", "Emigrants by country of destination",
             "People born in the area living in each other country at mid-year: the diaspora and where it lives (UN DESA IMS 2020).",
             "origin_iso3", "destination_iso3", "IMS 2020", "diaspora"),
            ("undesa-ims-2024-by-origin", "undesa-stock-destination.csv", "immigrants_by_origin", "Immigrants by country of origin",
             "People living in the area who were born in each other country, at mid-year (UN DESA IMS 2024).",
             "destination_iso3", "origin_iso3", "IMS 2024", "migrant-stock"),
        ]
        for item in files where try await missing(item.slug, db) {
            try await indicator(code: item.code, name: item.name, definition: item.definition, unit: "persons", themes: item.themes,
                                source: "UN DESA International Migrant Stock (\(item.revision)) via \(gdiSource)", licence: "UN DESA terms of use",
                                disaggregations: "sex,origin", derivation: "Both sexes = female + male as published.", db: db)
            var observations: [Observation] = []
            var totals: [String: Double] = [:]
            for row in try table(directory, item.file).rows {
                guard let iso3 = row[item.caribbeanSide], let iso2 = areas[iso3], let other = row[item.otherSide], let year = Int(row["year"] ?? ""),
                      let value = Double(row["value"] ?? "") else { continue }
                let sex = row["sex"] == "female" ? "F" : "M"
                observations.append(Observation(indicator: item.code, area: iso2, year: year, sex: sex, value: value, counterpart: other))
                totals["\(iso2)|\(year)|\(other)", default: 0] += value
            }
            for (key, value) in totals {
                let parts = key.split(separator: "|").map(String.init)
                observations.append(Observation(indicator: item.code, area: parts[0], year: Int(parts[1])!, value: value, flag: "D", note: "Female + male",
                                                counterpart: parts[2]))
            }
            try await dataset(slug: item.slug, title: "UN DESA International Migrant Stock \(item.revision.dropFirst(4)) — \(item.name.lowercased())",
                              description: item.definition, source: "UN DESA Population Division, International Migrant Stock (\(item.revision)), via \(gdiSource)",
                              url: "https://www.un.org/development/desa/pd/content/international-migrant-stock", licence: "UN DESA terms of use",
                              caveats: "Counterpart OOO is “unknown”: big destinations do not name every origin. People born in Guadeloupe, Martinique or French Guiana living in metropolitan France are not identified separately.",
                              observations: observations, db: db, now: now)
        }
    }

    /// Irregular movements and Missing Migrants (IOM gdidata): each source counts something else,
    /// so each is its own indicator, never added across sources; months are summed into years
    /// (flag D; a year not complete in the source says so).
    static func loadIrregular(from directory: URL, on db: any Database, now: Date) async throws {
        guard try await missing("gdi-irregular-movements", db) else { return }
        let areas = Dictionary(uniqueKeysWithValues: try await Country.query(on: db).all().map { ($0.iso3, $0.iso2) })
        let gdiSource = "IOM gdidata (iom/gdidata@c9e4cc6)"
        let kinds: [(dataset: String, code: String, name: String, definition: String, source: String, rows: (CSVRow) -> Bool)] = [
            ("irreg_usa", "encounters_usa_southwest_border", "Encounters at the US southwest land border",
             "US Customs and Border Protection encounters (apprehensions, inadmissibles, expulsions) of the area's nationals at the southwest land border, all sectors. Only Cuban and Haitian nationals are identified in the source.",
             "US CBP via \(gdiSource)", { _ in true }),
            ("irreg_darien_nat", "darien_transits", "Irregular transits through the Darién", "Irregular transits of the area's nationals through the Darién (Panama, SNM).",
             "Panama SNM via \(gdiSource)", { _ in true }),
            ("irreg_mexico_nat", "mexico_irregular_presented", "Irregular migrants presented in Mexico", "The area's nationals in an irregular situation presented to Mexico's INM.",
             "Mexico UPM via \(gdiSource)", { _ in true }),
            ("irreg_mexico_exp", "mexico_returns", "Deportations and assisted returns from Mexico", "Deportations and assisted returns of the area's nationals by Mexico.",
             "Mexico UPM via \(gdiSource)", { _ in true }),
            ("irreg_honduras_nat", "honduras_irregular_arrivals", "Irregular arrivals in Honduras", "Irregular migrant arrivals of the area's nationals registered by Honduras (INM).",
             "Honduras INM via \(gdiSource)", { _ in true }),
            ("eu_asyapp", "eu_first_asylum_applications", "First-time asylum applications in the EU", "First-time asylum applications by the area's nationals in the EU-27 (all sexes).",
             "Eurostat migr_asyappctza via \(gdiSource)", { $0["reporting_area"] == "EU27" }),
            ("frontex", "frontex_detections", "Detections of illegal border crossings into the EU", "Frontex detections (not persons) of the area's nationals, all routes, land and sea.",
             "Frontex via \(gdiSource)", { _ in true }),
        ]
        var observations: [Observation] = []
        let rows = try table(directory, "gdi-irregular-caribbean.csv").rows
        for kind in kinds {
            try await indicator(code: kind.code, name: kind.name, definition: kind.definition, unit: "persons", themes: "border-irregular",
                                source: kind.source, licence: "As published by the source", derivation: "Sum over months and categories of the source, by year.", db: db)
            var sums: [String: Double] = [:]
            var months: [String: Set<String>] = [:]
            for row in rows where row["dataset"] == kind.dataset && kind.rows(row) {
                guard let iso3 = row["nationality_iso3"], let iso2 = areas[iso3], let period = row["period"], let value = Double(row["value"] ?? "") else { continue }
                let key = "\(iso2)|\(period.prefix(4))"
                sums[key, default: 0] += value
                if row["period_type"] == "month" { months[key, default: []].insert(period) }
            }
            for (key, value) in sums {
                let parts = key.split(separator: "|").map(String.init)
                let count = months[key]?.count ?? 12
                observations.append(Observation(indicator: kind.code, area: parts[0], year: Int(parts[1]) ?? 0, value: value, flag: "D",
                                                note: count < 12 ? partialYearNote(count) : "Sum over the year"))
            }
        }
        // Missing Migrants: dead or missing in incidents in the area.
        try await indicator(code: "missing_migrants_in_area", name: "Migrants dead or missing in the area",
                            definition: "Dead and missing migrants in incidents recorded in the area (IOM Missing Migrants Project).", unit: "persons",
                            themes: "border-irregular,emergency-preparedness", source: "IOM Missing Migrants Project via \(gdiSource)", licence: "As published by IOM",
                            derivation: "Sum of dead and missing over the year's incidents in the area.", db: db)
        var missingSums: [String: Double] = [:]
        for row in try table(directory, "gdi-mmp-caribbean.csv").rows {
            guard let iso3 = row["incident_iso3"], let iso2 = areas[iso3], let year = Int((row["date"] ?? "").prefix(4)),
                  let value = Double(row["dead_or_missing"] ?? "") else { continue }
            missingSums["\(iso2)|\(year)", default: 0] += value
        }
        for (key, value) in missingSums {
            let parts = key.split(separator: "|").map(String.init)
            observations.append(Observation(indicator: "missing_migrants_in_area", area: parts[0], year: Int(parts[1]) ?? 0, value: value, flag: "D", note: "Sum over incidents"))
        }
        try await dataset(slug: "gdi-irregular-movements", title: "Irregular movements and missing migrants (Caribbean nationals)",
                          description: "US southwest border encounters, Darién transits, Mexico and Honduras records, EU first-time asylum applications, Frontex detections, and IOM's Missing Migrants incidents.",
                          source: "Several sources via \(gdiSource)", url: "https://github.com/iom/gdidata", licence: "As published by each source",
                          caveats: "Each indicator counts something different: never add them together. US encounters identify only Cuban and Haitian nationals. Frontex counts detections, not persons. The latest year is often incomplete (see each value's note).",
                          observations: observations, db: db, now: now)
    }

    /// Country names for ISO alpha-3 counterparts (the reference list of gdidata).
    /// Read once per directory, not on every page.
    static func counterpartNames(from directory: URL) -> [String: String] {
        if let cached = counterpartCache.withLockedValue({ $0[directory.path] }) { return cached }
        guard let table = try? table(directory, "gdi-country-codes.csv") else { return [:] }
        var names = Dictionary(uniqueKeysWithValues: table.rows.compactMap { row in row["iso3"].map { ($0, row["name"] ?? $0) } })
        names["OOO"] = "Unknown"
        counterpartCache.withLockedValue { $0[directory.path] = names }
        return names
    }

    private static let counterpartCache = NIOLockedValueBox<[String: [String: String]]>([:])

    // MARK: - Pieces

    static func missing(_ slug: String, _ db: any Database) async throws -> Bool {
        try await StatDataset.query(on: db).filter(\.$slug == slug).first() == nil
    }

    static func table(_ directory: URL, _ name: String) throws -> CSVTable { try ReferenceData.table(directory, name) }

    static func indicator(code: String, name: String, definition: String, unit: String, themes: String, source: String, licence: String,
                          disaggregations: String = "", derivation: String = "", db: any Database) async throws {
        guard !code.isEmpty, try await StatIndicator.query(on: db).filter(\.$code == code).first() == nil else { return }
        let indicator = StatIndicator()
        indicator.code = code
        indicator.name = name
        indicator.definition = definition
        indicator.unit = unit
        indicator.multiplier = 0
        indicator.themes = themes
        indicator.source = source
        indicator.licence = licence
        indicator.disaggregations = disaggregations
        indicator.sdg = code == "BX.TRF.PWKR.CD.DT" ? "10.c" : code.hasPrefix("SM.POP") || code.contains("stock") ? "10.7" : ""
        indicator.derivation = derivation
        try await indicator.create(on: db)
    }

    /// A published dataset and its observations, in one transaction (all or nothing).
    static func dataset(slug: String, title: String, description: String, source: String, url: String, licence: String, caveats: String,
                        observations: [Observation], db: any Database, now: Date) async throws {
        try await db.transaction { db in
            let dataset = StatDataset()
            dataset.slug = slug
            dataset.title = title
            dataset.descriptionText = description
            dataset.source = source
            dataset.sourceURL = url
            dataset.licence = licence
            dataset.caveats = caveats
            dataset.status = .published
            dataset.visibility = .public
            dataset.version = 1
            dataset.publishedAt = now
            try await dataset.create(on: db)
            try await insert(observations, dataset: try dataset.requireID(), db: db)
        }
    }

    /// A code that a CSV cell would have to change (see `StatisticsExport.codeColumns`).
    struct UnsafeCode: Error, CustomStringConvertible {
        var column: String
        var value: String
        var description: String { "\(column) \(String(value.debugDescription.prefix(100))) is not a code (letters, digits, inner hyphens)" }
    }

    /// Many rows per statement.
    /// Inserts in batches; `progress` hears how many rows are in after each batch.
    static func insert(_ observations: [Observation], dataset: UUID, db: any Database, progress: (@Sendable (Int) -> Void)? = nil) async throws {
        let sql = db as! any SQLDatabase
        // Downloads write these columns as stored (`StatisticsExport.codeColumns`).
        for observation in observations {
            for column in StatisticsExport.codeColumns where !CSVCell.isWrittenAsIs(column.value(observation)) {
                throw UnsafeCode(column: column.name, value: column.value(observation))
            }
        }
        for start in stride(from: 0, to: observations.count, by: 300) {
            let chunk = observations[start..<min(observations.count, start + 300)]
            let rows = chunk.map { o -> SQLQueryString in
                "(\(bind: dataset), \(bind: o.indicator), \(bind: o.area), \(bind: o.year), \(bind: o.period ?? String(o.year)), \(bind: o.sex), \(bind: o.age), \(bind: o.counterpart), \(bind: o.value), \(bind: o.flag), \(bind: o.note))"
            }
            try await sql.raw("""
                INSERT INTO stat_observations (dataset_id, indicator, area, year, period, sex, age, counterpart, value, flag, note) VALUES \(rows.joined(separator: ", "))
                """).run()
            progress?(start + chunk.count)
        }
    }
}
