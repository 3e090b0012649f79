import Fluent
import FluentSQL
import Foundation

/// An indicator of the statistics centre: what is measured, in what unit, from where.
public final class StatIndicator: Model, @unchecked Sendable {
    public static let schema = "stat_indicators"

    @ID(key: .id) public var id: UUID?
    /// "SM.POP.TOTL", "immigrant_stock" …
    @Field(key: "code") public var code: String
    @Field(key: "name") public var name: String
    @Field(key: "definition") public var definition: String
    @Field(key: "unit") public var unit: String
    /// Values are × 10^multiplier of the unit (0 for most).
    @Field(key: "multiplier") public var multiplier: Int
    /// Statistics themes, comma-separated slugs (`StatTheme`).
    @Field(key: "themes") public var themes: String
    @Field(key: "source") public var source: String
    @Field(key: "licence") public var licence: String
    /// "sex", "origin" … comma-separated.
    @Field(key: "disaggregations") public var disaggregations: String
    @Field(key: "sdg") public var sdg: String
    /// How a derived series was computed ("" when published as is).
    @Field(key: "derivation") public var derivation: String
    public init() {}
}

/// A published set of observations with its source, licence and caveats.
public final class StatDataset: Model, @unchecked Sendable {
    public static let schema = "stat_datasets"
    public enum Status: String, Codable, Sendable { case draft, pending, published }

    @ID(key: .id) public var id: UUID?
    @Field(key: "slug") public var slug: String
    @Field(key: "title") public var title: String
    @Field(key: "description") public var descriptionText: String
    @Field(key: "source") public var source: String
    @Field(key: "source_url") public var sourceURL: String
    @Field(key: "licence") public var licence: String
    @Field(key: "caveats") public var caveats: String
    @Enum(key: "status") public var status: Status
    @Field(key: "visibility") public var visibility: Visibility
    @Field(key: "version") public var version: Int
    @OptionalParent(key: "submitted_by_id") public var submitter: User?
    @OptionalField(key: "published_at") public var publishedAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?
    public init() {}
}

extension StatDataset: AccessControlledModel {
    public static let accessColumns = AccessColumns(status: "status", listedStatuses: [Status.published.rawValue], pendingStatus: Status.pending.rawValue)
    public var accessVisibility: Visibility { visibility }
    public var accessState: ItemState {
        switch status {
        case .draft: .draft
        case .pending: .pending
        case .published: .published
        }
    }
    public var accessOwnerID: UUID? { $submitter.id }
    public var accessNetworkID: UUID? { nil }
}

/// The statistics themes of the centre (the issue's list), in display order.
enum StatTheme: String, CaseIterable, Sendable {
    case migrantStock = "migrant-stock", diaspora, remittances, refugees = "refugees-asylum", climate = "climate-disasters",
         labour = "labour-migration", population = "population-development", gender = "gender-migration",
         border = "border-irregular", health = "migration-health", emergency = "emergency-preparedness"
    var titleKey: String { "statistics.theme.\(rawValue)" }

    /// The indicator whose regional sum heads the theme on `/statistics` (counts only: shares and
    /// rates have no regional sum).
    var headline: String? {
        switch self {
        case .migrantStock: "immigrant_stock"
        case .diaspora: "emigrant_stock_rev2020"
        case .remittances: "BX.TRF.PWKR.CD.DT"
        case .refugees: "refugees_hosted"
        case .climate: "disaster_displacements"
        case .population: "SP.POP.TOTL"
        case .border: "encounters_usa_southwest_border"
        case .emergency: "missing_migrants_in_area"
        case .labour, .gender, .health: nil
        }
    }
}

struct CreateStatistics: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(StatIndicator.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("definition", .sql(unsafeRaw: "TEXT"), .required)
            .field("unit", .string, .required)
            .field("multiplier", .int, .required)
            .field("themes", .string, .required)
            .field("source", .sql(unsafeRaw: "TEXT"), .required)
            .field("licence", .string, .required)
            .field("disaggregations", .string, .required)
            .field("sdg", .string, .required)
            .field("derivation", .sql(unsafeRaw: "TEXT"), .required)
            .unique(on: "code")
            .create()
        try await db.schema(StatDataset.schema)
            .id()
            .field("slug", .string, .required)
            .field("title", .string, .required)
            .field("description", .sql(unsafeRaw: "TEXT"), .required)
            .field("source", .sql(unsafeRaw: "TEXT"), .required)
            .field("source_url", .string, .required)
            .field("licence", .string, .required)
            .field("caveats", .sql(unsafeRaw: "TEXT"), .required)
            .field("status", .string, .required)
            .field("visibility", .string, .required)
            .field("version", .int, .required)
            .field("submitted_by_id", .uuid, .references(User.schema, .id, onDelete: .setNull))
            .field("published_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "slug")
            .create()
        let sql = db as! any SQLDatabase
        let key = sql.dialect.name == "postgresql" ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY"
        // Observations: indicator × area × period × disaggregation → value, with the dataset it came from.
        try await sql.raw("""
            CREATE TABLE stat_observations (
                id \(unsafeRaw: key),
                dataset_id \(unsafeRaw: sql.dialect.name == "postgresql" ? "UUID" : "BLOB") NOT NULL REFERENCES stat_datasets(id) ON DELETE CASCADE,
                indicator TEXT NOT NULL,
                area TEXT NOT NULL,
                year INTEGER NOT NULL,
                period TEXT NOT NULL,
                sex TEXT NOT NULL DEFAULT 'T',
                age TEXT NOT NULL DEFAULT '',
                counterpart TEXT NOT NULL DEFAULT '',
                value DOUBLE PRECISION NOT NULL,
                flag TEXT NOT NULL DEFAULT '',
                note TEXT NOT NULL DEFAULT ''
            )
            """).run()
        try await sql.raw("CREATE INDEX stat_observations_series ON stat_observations (indicator, area, year)").run()
        try await sql.raw("CREATE INDEX stat_observations_dataset ON stat_observations (dataset_id)").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP TABLE stat_observations").run()
        try await db.schema(StatDataset.schema).delete()
        try await db.schema(StatIndicator.schema).delete()
    }
}

/// Whole-indicator downloads walk `(indicator, id)` in order instead of sorting the indicator's
/// rows for every chunk.
struct AddStatObservationsIndicatorIndex: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("CREATE INDEX IF NOT EXISTS stat_observations_indicator_id ON stat_observations (indicator, id)").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP INDEX stat_observations_indicator_id").run()
    }
}

/// Whole downloads walk one dataset's rows of an indicator in id order, and find which datasets
/// hold an indicator from the index alone: `(indicator, dataset_id, id)` replaces `(indicator, id)`.
struct AddStatObservationsIndicatorDatasetIndex: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX IF NOT EXISTS stat_observations_indicator_dataset ON stat_observations (indicator, dataset_id, id)").run()
        try await sql.raw("DROP INDEX IF EXISTS stat_observations_indicator_id").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX IF NOT EXISTS stat_observations_indicator_id ON stat_observations (indicator, id)").run()
        try await sql.raw("DROP INDEX IF EXISTS stat_observations_indicator_dataset").run()
    }
}

/// UNHCR's hosted totals were first marked as disaggregated by origin, which made their pages
/// look for a bilateral table: they are sums over origins (one value per area and year).
struct FixStatHostedDisaggregations: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("""
            UPDATE stat_indicators SET disaggregations = '' WHERE code IN ('refugees_hosted', 'asylum_seekers_hosted') AND disaggregations = 'origin'
            """).run()
    }

    func revert(on db: any Database) async throws {}
}
