import Fluent
import FluentSQL
import Foundation
import StatImport
import Vapor

/// One uploaded version of a dataset: the file as sent (in the blob store, always downloadable),
/// waiting for an editor or published.
public final class StatDatasetVersion: Model, @unchecked Sendable {
    public static let schema = "stat_dataset_versions"
    public enum Status: String, Codable, Sendable { case pending, published, superseded }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "dataset_id") public var dataset: StatDataset
    @Field(key: "number") public var number: Int
    @Field(key: "sha256") public var sha256: String
    @Field(key: "filename") public var filename: String
    @Field(key: "rows") public var rows: Int
    @Field(key: "decimal_comma") public var decimalComma: Bool
    @Enum(key: "status") public var status: Status
    @OptionalParent(key: "created_by_id") public var creator: User?
    /// Changes to the dataset's details sent with this version, applied when it is published
    /// (`DatasetMetadata.Patch` as JSON; nil when none).
    @OptionalField(key: "proposed") public var proposed: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    public init() {}

    var proposedPatch: DatasetMetadata.Patch? {
        proposed.flatMap { try? JSONDecoder().decode(DatasetMetadata.Patch.self, from: Data($0.utf8)) }
    }
}

struct CreateStatDatasetVersions: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(StatDatasetVersion.schema)
            .id()
            .field("dataset_id", .uuid, .required, .references(StatDataset.schema, .id, onDelete: .cascade))
            .field("number", .int, .required)
            .field("sha256", .string, .required)
            .field("filename", .string, .required)
            .field("rows", .int, .required)
            .field("decimal_comma", .bool, .required)
            .field("status", .string, .required)
            .field("created_by_id", .uuid, .references(User.schema, .id, onDelete: .setNull))
            .field("created_at", .datetime)
            .unique(on: "dataset_id", "number")
            .create()
    }

    func revert(on db: any Database) async throws { try await db.schema(StatDatasetVersion.schema).delete() }
}

/// A member's new version of a published dataset may also change its details; they wait on the
/// version until it is published.
struct AddStatDatasetVersionsProposed: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(StatDatasetVersion.schema).field("proposed", .sql(unsafeRaw: "TEXT")).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(StatDatasetVersion.schema).deleteField("proposed").update()
    }
}

/// A dataset's details as the upload form edits them.
struct DatasetMetadata: Equatable, Sendable {
    var title = "", description = "", source = "", sourceURL = "", licence = "", caveats = ""
    var visibility = Visibility.public

    init() {}

    init(_ dataset: StatDataset) {
        title = dataset.title
        description = dataset.descriptionText
        source = dataset.source
        sourceURL = dataset.sourceURL
        licence = dataset.licence
        caveats = dataset.caveats
        visibility = dataset.visibility
    }

    /// Sets all the details (a new dataset).
    func assign(to dataset: StatDataset) {
        dataset.title = title
        dataset.descriptionText = description
        dataset.source = source
        dataset.sourceURL = sourceURL
        dataset.licence = licence
        dataset.caveats = caveats
        dataset.visibility = visibility
    }

    /// Only the details that change (nil: unchanged).
    struct Patch: Codable, Equatable, Sendable {
        var title, description, source, sourceURL, licence, caveats: String?
        var visibility: Visibility?

        /// What turns `dataset`'s details into `wanted`.
        init(from dataset: StatDataset, to wanted: DatasetMetadata) {
            let current = DatasetMetadata(dataset)
            func changed(_ path: KeyPath<DatasetMetadata, String>) -> String? { current[keyPath: path] == wanted[keyPath: path] ? nil : wanted[keyPath: path] }
            title = changed(\.title)
            description = changed(\.description)
            source = changed(\.source)
            sourceURL = changed(\.sourceURL)
            licence = changed(\.licence)
            caveats = changed(\.caveats)
            visibility = current.visibility == wanted.visibility ? nil : wanted.visibility
        }

        var isEmpty: Bool { changes.isEmpty }

        /// The changed details by form field name, in the form's order.
        var changes: [(field: String, value: String)] {
            [("title", title), ("description", description), ("source", source), ("source_url", sourceURL), ("licence", licence), ("caveats", caveats),
             ("visibility", visibility?.rawValue)].compactMap { field, value in value.map { (field, $0) } }
        }

        func apply(to dataset: StatDataset) {
            if let title { dataset.title = title }
            if let description { dataset.descriptionText = description }
            if let source { dataset.source = source }
            if let sourceURL { dataset.sourceURL = sourceURL }
            if let licence { dataset.licence = licence }
            if let caveats { dataset.caveats = caveats }
            if let visibility { dataset.visibility = visibility }
        }

        var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }
    }
}

/// Checking an upload against the catalogue, and publishing a version (all or nothing).
enum StatisticsImport {
    /// The catalogue's indicators and the 33 areas (ISO2 and ISO3) as import rules.
    static func rules(db: any Database, decimalComma: Bool, now: Date) async throws -> ImportRules {
        let indicators = try await StatIndicator.query(on: db).all().map {
            IndicatorSpec(code: $0.code, unit: $0.unit, allowsSex: true, allowsOriginDestination: $0.disaggregations.contains("origin"))
        }
        var areas: [String: String] = [:]
        for country in try await Country.query(on: db).all() {
            areas[country.iso2.uppercased()] = country.iso2
            areas[country.iso3.uppercased()] = country.iso2
        }
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        var rules = ImportRules(indicators: indicators, areas: areas, yearRange: 1950...year)
        rules.decimalComma = decimalComma
        return rules
    }

    static func preview(_ data: Data, decimalComma: Bool, db: any Database, now: Date) async throws -> ImportPreview {
        StatImporter.parse(data, rules: try await rules(db: db, decimalComma: decimalComma, now: now))
    }

    /// Replaces the dataset's observations with those of `version`, in one transaction: the published
    /// data stay as they were until the new version is complete.
    static func publish(_ version: StatDatasetVersion, dataset: StatDataset, app: Application, db: any Database, now: Date,
                        progress: (@Sendable (Int) -> Void)? = nil) async throws -> ImportPreview {
        guard let data = FileManager.default.contents(atPath: app.cpmg.blobs.url(for: version.sha256).path) else {
            throw Abort(.internalServerError, reason: "missing upload")
        }
        let preview = try await preview(data, decimalComma: version.decimalComma, db: db, now: now)
        guard preview.isImportable else { return preview }
        let rows = preview.observations.map { o in
            StatisticsSeed.Observation(indicator: o.indicator, area: o.area, year: Int(o.period.prefix(4)) ?? 0, sex: o.sex, value: o.value, flag: o.flag, note: o.note,
                                       period: o.period, age: o.age, counterpart: o.counterpart)
        }
        try await db.transaction { db in
            let id = try dataset.requireID()
            try await (db as! any SQLDatabase).raw("DELETE FROM stat_observations WHERE dataset_id = \(bind: id)").run()
            try await StatisticsSeed.insert(rows, dataset: id, db: db, progress: progress)
            try await StatDatasetVersion.query(on: db).filter(\.$dataset.$id == id).filter(\.$status == .published).set(\.$status, to: .superseded).update()
            version.status = .published
            try await version.save(on: db)
            // The details sent with the version change with its data, not before.
            version.proposedPatch?.apply(to: dataset)
            dataset.version = version.number
            dataset.status = .published
            dataset.publishedAt = now
            try await dataset.save(on: db)
            try await StatisticsIndexing.reindex(dataset, db: db)
        }
        try await StatisticsExportJob.enqueue(dataset.slug, db: db)
        return preview
    }

    static func slug(_ title: String) -> String { Slug.from(title, fallback: "dataset") }

    /// A dataset slug as the upload page makes them (`slug`): lower-case letters and digits, words
    /// joined by single hyphens, at most eight words and 60 characters.
    static func isValidSlug(_ text: String) -> Bool {
        !text.isEmpty && Slug.from(text, fallback: "") == text
    }
}
