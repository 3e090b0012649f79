import Fluent
import FluentSQL
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import TextExtraction
import Vapor

/// Sets the application up from `settings`: database, migrations, services, middleware,
/// routes and commands. Tests call it with their own settings and database.
public func configure(_ app: Application, settings: Settings, database: DatabaseConfigurationFactory? = nil) async throws {
    // MARK: - Database
    let factory: DatabaseConfigurationFactory
    if let database {
        factory = database
        app.databases.use(database, as: DatabaseID(string: "main"))
    } else {
        factory = try configureDatabase(app, settings.database, dataDirectory: settings.dataDirectory)
    }
    // /healthz asks the database over connections of its own: under a storm of requests the
    // shared pool has a queue, and an operator's probe must not wait in it.
    app.databases.use(factory, as: .health, isDefault: false)
    app.databases.middleware.use(DocumentExposure())

    // MARK: - Migrations, in order. Append only; never renumber.
    app.migrations.add([
        CreateUsers(),                 // 1
        CreateUserSessions(),          // 2
        CreateAccountTokens(),         // 3
        CreateLoginAttempts(),         // 4
        CreateAuditEntries(),          // 5
        CreateJobs(),                  // 6
        CreateOutboxMessages(),        // 7
        CreateCountries(),             // 8
        CreateThemes(),                // 9
        CreateNetworks(),              // 10
        CreateCountryFocalPoints(),    // 11
        CreateNetworkMemberships(),    // 12
        CreateFoundationIndexes(),     // 13
        CreateSearchIndex(),           // 14
        CreateDocuments(),             // 15
        CreatePlatformSecrets(),       // 16
        UpdateSearchIndexAddPrefixes(), // 17
        CreateSearchTags(),            // 18
        CreateSearchHead(),            // 19
        UpdateSearchEntriesIndexes(),  // 20
        CreateCountryProfiles(),       // 21
        AddOutboxAttachments(),        // 22
        CreateEvents(),                // 23
        CreateStatistics(),            // 24
        CreateStatDatasetVersions(),   // 25
        AddStatObservationsIndicatorIndex(), // 26
        AddStatObservationsIndicatorDatasetIndex(), // 27
        FixStatHostedDisaggregations(), // 28
        AddDocumentsExposedPublicly(), // 29
        AddStatDatasetVersionsProposed(), // 30
        CreateStatUploadPreviews(),    // 31
    ])

    // MARK: - Services
    let mailer = Mailer(sendmailPath: settings.sendmailPath, from: settings.mailFrom)
    let extractor = TextExtractor()
    app.cpmg = Platform(
        settings: settings,
        catalog: try Catalog.load(from: settings.resourcesDirectory.appendingPathComponent("Localization")),
        mailer: mailer,
        jobs: JobQueue(handlers: [MailDelivery(mailer: mailer), ExtractionJob(extractor: extractor), EventReminder(), StatisticsExportJob(), StatisticsPreviewExpiry()]),
        assets: try Assets.load(from: settings.resourcesDirectory),
        blobs: try LocalBlobStore(root: settings.dataDirectory.appendingPathComponent("blobs")),
        references: ReferenceCache(),
        now: { Date() }
    )
    if app.environment == .testing {
        // Bcrypt's real cost is for production; tests hash hundreds of passwords.
        app.passwords.use(.bcrypt(cost: 4))
    } else {
        app.passwords.use(.bcrypt(cost: 12))
    }
    app.passwordHashing = PasswordHashing(threads: settings.passwordThreads, queue: settings.passwordQueue)

    // MARK: - HTTP
    app.http.server.configuration.hostname = settings.host
    app.http.server.configuration.port = settings.port
    app.http.server.configuration.responseCompression = .enabled
    // Compressed request bodies are inflated by `RequestBodyMiddleware`, which can answer 413 or
    // 400 with a page; the server's own decompressor could only drop the connection.
    app.http.server.configuration.requestDecompression = .disabled
    app.routes.defaultMaxBodySize = "1mb"
    ContentConfiguration.global.use(decoder: CheckedFormDataDecoder(), for: .formData)
    _ = MetricsRegistry.shared

    app.middleware = Middlewares()
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(secure: settings.secureCookies))
    app.middleware.use(LanguageMiddleware(secureCookies: settings.secureCookies))
    app.middleware.use(ErrorPagesMiddleware())
    app.middleware.use(PathParameterMiddleware())
    app.middleware.use(RequestBodyMiddleware(maxBodySize: app.routes.defaultMaxBodySize, maxUploadSize: ByteCount(value: settings.maxUploadBytes)))
    app.middleware.use(ViewerMiddleware())
    app.middleware.use(CSRFMiddleware(secure: settings.secureCookies, maxBodySize: app.routes.defaultMaxBodySize, maxUploadSize: ByteCount(value: settings.maxUploadBytes)))

    try routes(app)

    // MARK: - Commands
    app.asyncCommands.use(CreateAdminCommand(), as: "create-admin")
    app.asyncCommands.use(PurgeSessionsCommand(), as: "purge-sessions")
    app.asyncCommands.use(LoadReferenceDataCommand(), as: "load-reference-data")
    app.asyncCommands.use(ReindexCommand(), as: "reindex")
    app.asyncCommands.use(ImportDocumentsCommand(), as: "import-documents")
    app.asyncCommands.use(ImportStatisticsCommand(), as: "import-statistics")
    app.asyncCommands.use(DemoDataCommand(), as: "demo-data")
}

@discardableResult
func configureDatabase(_ app: Application, _ kind: Settings.DatabaseKind, dataDirectory: URL) throws -> DatabaseConfigurationFactory {
    switch kind {
    case .sqlite(let path):
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true
        )
        let factory = DatabaseConfigurationFactory.sqlite(.file(path), sqlLogLevel: .debug)
        app.databases.use(factory, as: .sqlite)
        return factory
    case .postgres(let url):
        let factory = try DatabaseConfigurationFactory.postgres(url: url, sqlLogLevel: .debug)
        app.databases.use(factory, as: .psql)
        return factory
    }
}

/// What `serve` does before it listens: bring the schema up to date, tune SQLite, and load the
/// reference data. `create-admin` does the same so it works on a fresh install.
public func prepareDatabase(_ app: Application) async throws {
    if let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" {
        // WAL lets readers go on while one writer writes; it is a property of the file and stays set.
        // Foreign keys are switched on by the driver on every connection, and its busy handler
        // waits for a lock instead of failing.
        _ = try await sql.raw("PRAGMA journal_mode=WAL").all()
    }
    try await app.autoMigrate()
    let summary = try await ReferenceData.load(
        from: app.cpmg.settings.resourcesDirectory.appendingPathComponent("Seed"), on: app.db
    )
    // The statistics centre's published datasets, once each (several seconds on a first start).
    let addedStatistics = app.cpmg.settings.loadStatistics
        ? try await StatisticsSeed.load(from: app.cpmg.settings.resourcesDirectory.appendingPathComponent("Statistics"), on: app.db, now: app.cpmg.now())
        : false
    // The events of the platform's description, once each.
    try await EventSeed.load(on: app.db)
    // What the search index holds of each section, in one query: statistics are indexed when new
    // datasets were loaded or none are indexed, events when none are, and countries until their
    // entries link to their profiles (installs before the country section linked to the home page).
    var indexed: [String: Int] = [:]
    for row in try await (app.db as! any SQLDatabase).raw("""
        SELECT section, count(*) AS n FROM search_entries
        WHERE section IN ('statistics', 'events') OR (section = 'countries' AND url LIKE '/countries/%') GROUP BY section
        """).all() {
        indexed[try row.decode(column: "section", as: String.self)] = try row.decode(column: "n", as: Int.self)
    }
    if addedStatistics || indexed["statistics", default: 0] == 0 { try await StatisticsIndexing.indexAll(app: app, db: app.db) }
    // Whole downloads of what visitors see are written in the background on a new install, after
    // new datasets were loaded, or when the kept files are gone.
    if app.cpmg.settings.loadStatistics && (addedStatistics || !FileManager.default.fileExists(atPath: StatisticsExport.directory(app).path)) {
        StatisticsExport.clear(app)
        try await StatisticsExportJob.enqueue("*", db: app.db)
    }
    if indexed["events", default: 0] == 0 { try await EventIndexing.indexAll(app: app, db: app.db) }
    // The reference data joins the search index on a new install (and whenever it was added to).
    let countries = try await Country.query(on: app.db).count()
    if summary != ReferenceData.Summary() || indexed["countries", default: 0] < countries {
        try await ReferenceIndexing.indexAll(app: app, db: app.db)
    }
    if summary != ReferenceData.Summary() {
        app.logger.notice("reference data loaded", metadata: [
            "countries": "\(summary.countriesAdded)", "themes": "\(summary.themesAdded)", "networks": "\(summary.networksAdded)",
            "figures": "\(summary.figuresAdded)",
        ])
    }
}
