import Fluent
import FluentSQL
import Foundation

/// A sourced figure about a country (population, area, migrant stock …), from the reference file
/// `country-figures.csv` on a fresh install. Each has its year and its source.
public final class CountryFigure: Model, @unchecked Sendable {
    public static let schema = "country_figures"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "country_id") public var country: Country
    /// e.g. "population", "land_area_km2", "intl_migrant_stock_pct_of_population".
    @Field(key: "indicator") public var indicator: String
    @Field(key: "value") public var value: Double
    @Field(key: "unit") public var unit: String
    @Field(key: "year") public var year: Int
    @Field(key: "source_name") public var sourceName: String
    @Field(key: "source_url") public var sourceURL: String

    public init() {}

    init(countryID: UUID, indicator: String, value: Double, unit: String, year: Int, sourceName: String, sourceURL: String) {
        self.$country.id = countryID
        self.indicator = indicator
        self.value = value
        self.unit = unit
        self.year = year
        self.sourceName = sourceName
        self.sourceURL = sourceURL
    }
}

/// Every save of a country profile: who, when, an edit summary, which part changed, and the
/// whole profile as it stood after the save (so any two can be compared and any restored).
public final class CountryRevision: Model, @unchecked Sendable {
    public static let schema = "country_revisions"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "country_id") public var country: Country
    /// 1, 2, 3 … per country.
    @Field(key: "number") public var number: Int
    @OptionalParent(key: "user_id") public var user: User?
    @Field(key: "at") public var at: Date
    @Field(key: "summary") public var summary: String
    /// The part that changed ("facts", a section key) or "restore".
    @Field(key: "part") public var part: String
    /// `ProfileContent` as JSON.
    @Field(key: "content") public var contentJSON: String

    public init() {}

    var content: ProfileContent {
        (try? JSONDecoder().decode(ProfileContent.self, from: Data(contentJSON.utf8))) ?? ProfileContent()
    }
}

/// What a country profile says: structured key facts and four Markdown sections.
public struct ProfileContent: Codable, Sendable, Equatable {
    public struct Figure: Codable, Sendable, Equatable {
        public var value: Double
        public var year: Int
        public var source: String
    }

    public struct Facts: Codable, Sendable, Equatable {
        public var officialName = ""
        public var capital = ""
        /// One per line or separated by ";".
        public var languages = ""
        public var currency = ""
        public var timeZone = ""
        public var population: Figure?
        public var area: Figure?
    }

    public struct Section: Codable, Sendable, Equatable {
        public var markdown = ""
        public var sources = ""
        /// yyyy-mm-dd, the date its author last checked it.
        public var reviewed = ""
        /// The language it is written in (en, es, fr, nl).
        public var language = "en"
    }

    public var facts = Facts()
    public var sections: [String: Section] = [:]

    public func section(_ key: String) -> Section { sections[key] ?? Section() }

    var json: String { String(decoding: (try? JSONEncoder.sorted.encode(self)) ?? Data("{}".utf8), as: UTF8.self) }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

/// The parts of a profile that are edited one at a time.
enum ProfilePart: String, CaseIterable, Sendable {
    case facts, socioeconomics, government, migration, transnational

    static let sections: [ProfilePart] = [.socioeconomics, .government, .migration, .transnational]
    var titleKey: String { "countries.part.\(rawValue)" }
}

struct CreateCountryProfiles: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(CountryFigure.schema)
            .id()
            .field("country_id", .uuid, .required, .references(Country.schema, .id, onDelete: .cascade))
            .field("indicator", .string, .required)
            .field("value", .double, .required)
            .field("unit", .string, .required)
            .field("year", .int, .required)
            .field("source_name", .string, .required)
            .field("source_url", .string, .required)
            .unique(on: "country_id", "indicator")
            .create()
        try await db.schema(CountryRevision.schema)
            .id()
            .field("country_id", .uuid, .required, .references(Country.schema, .id, onDelete: .cascade))
            .field("number", .int, .required)
            .field("user_id", .uuid, .references(User.schema, .id, onDelete: .setNull))
            .field("at", .datetime, .required)
            .field("summary", .string, .required)
            .field("part", .string, .required)
            .field("content", .sql(unsafeRaw: "TEXT"), .required)
            .unique(on: "country_id", "number")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(CountryRevision.schema).delete()
        try await db.schema(CountryFigure.schema).delete()
    }
}
