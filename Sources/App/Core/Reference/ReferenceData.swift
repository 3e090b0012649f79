import CSVParser
import Fluent
import Foundation

/// Loads the facts the platform starts with: countries and territories, thematic areas and the CMC
/// thematic networks. It runs at every start; it only adds what is missing, so it never duplicates
/// a record and never overwrites what an editor changed.
public enum ReferenceData {
    public struct Summary: Sendable, Equatable {
        public var countriesAdded = 0
        public var themesAdded = 0
        public var networksAdded = 0
        public var figuresAdded = 0
    }

    public struct Problem: Error, CustomStringConvertible {
        public let file: String
        public let message: String
        public var description: String { "\(file): \(message)" }
    }

    @discardableResult
    public static func load(from seedDirectory: URL, on db: any Database) async throws -> Summary {
        let countries = try table(seedDirectory, "caribbean-countries.csv")
        let themes = try table(seedDirectory, "themes.csv")
        let networks = try table(seedDirectory, "networks.csv")
        let figures = try table(seedDirectory, "country-figures.csv")

        return try await db.transaction { db in
            var summary = Summary()
            let knownCountries = Set(try await Country.query(on: db).all(\.$iso2))
            for row in countries.rows where !knownCountries.contains(row["iso2"]!.uppercased()) {
                try await country(from: row).create(on: db)
                summary.countriesAdded += 1
            }
            let knownThemes = Set(try await Theme.query(on: db).all(\.$slug))
            for row in themes.rows where !knownThemes.contains(row["slug"]!) {
                try await Theme(slug: row["slug"]!, name: row["name"]!).create(on: db)
                summary.themesAdded += 1
            }
            let knownNetworks = Set(try await Network.query(on: db).all(\.$slug))
            for row in networks.rows where !knownNetworks.contains(row["slug"]!) {
                try await Network(slug: row["slug"]!, name: row["name"]!, summary: row["summary"]!).create(on: db)
                summary.networksAdded += 1
            }
            // Sourced figures: a (country, indicator) pair is added once, never overwritten.
            let ids = Dictionary(uniqueKeysWithValues: try await Country.query(on: db).all().map { ($0.iso2, $0.id!) })
            var knownFigures = Set(try await CountryFigure.query(on: db).all().map { "\($0.$country.id)|\($0.indicator)" })
            for row in figures.rows {
                guard let iso2 = row["iso2"]?.uppercased(), let countryID = ids[iso2], let indicator = row["indicator"], !indicator.isEmpty,
                      !knownFigures.contains("\(countryID)|\(indicator)") else { continue }
                // "n.d.": the source states no reference year (kept as 0, shown as such).
                guard let value = Double(row["value"] ?? ""), let year = row["year"] == "n.d." ? 0 : Int(row["year"] ?? "") else {
                    throw Problem(file: "country-figures.csv", message: "line \(row.line): value and year must be numbers")
                }
                try await CountryFigure(countryID: countryID, indicator: indicator, value: value, unit: row["unit"] ?? "", year: year,
                                        sourceName: row["source_name"] ?? "", sourceURL: row["source_url_or_file"] ?? "").create(on: db)
                knownFigures.insert("\(countryID)|\(indicator)")
                summary.figuresAdded += 1
            }
            return summary
        }
    }

    /// A seed CSV file, read and parsed; problems name the file.
    static func table(_ directory: URL, _ name: String) throws -> CSVTable {
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw Problem(file: url.path, message: "missing or not UTF-8")
        }
        do {
            return try CSV.parse(text)
        } catch {
            throw Problem(file: url.path, message: error.description)
        }
    }

    private static func country(from row: CSVRow) throws -> Country {
        func field(_ name: String) throws -> String {
            guard let value = row[name] else { throw Problem(file: "caribbean-countries.csv", message: "no column \(name)") }
            return value
        }
        func number(_ name: String) throws -> Double {
            guard let value = Double(try field(name)) else {
                throw Problem(file: "caribbean-countries.csv", message: "line \(row.line): \(name) is not a number")
            }
            return value
        }
        let country = Country()
        country.iso2 = try field("iso2").uppercased()
        country.iso3 = try field("iso3").uppercased()
        country.m49 = try field("m49")
        country.name = try field("name")
        country.status = try field("status") == "sovereign" ? .sovereign : .territory
        let sovereign = try field("sovereign_state")
        country.sovereignState = sovereign.isEmpty ? nil : sovereign
        country.officialLanguages = try field("official_languages")
        country.capital = try field("capital")
        country.capitalLatitude = try number("capital_lat")
        country.capitalLongitude = try number("capital_lng")
        country.currency = try field("currency")
        country.timeZone = try field("timezone")
        country.cmcParticipant = try field("cmc_participant") == "yes"
        country.needsAssessment2018 = try field("needs_assessment_2018") == "yes"
        return country
    }
}
