import Fluent
import Foundation
import Vapor

/// Feeds the reference data into the shared search index, with its names in every interface
/// language so that "Jamaïque" finds Jamaica; countries with their profiles.
enum ReferenceIndexing {
    static func indexAll(app: Application, db: any Database) async throws {
        let index = SearchIndexes.make(for: db)
        let catalog = app.cpmg.catalog
        // Countries: their whole profile (key facts and sections), see `CountryProfiles`.
        try await CountryProfiles.indexAll(app: app, db: db)
        for network in try await Network.query(on: db).all() {
            try await index.upsert(SearchEntry(
                section: "networks", itemID: network.slug, visibility: .public,
                title: network.name, authors: Language.allCases.map { catalog.localizer($0)("network.\(network.slug)") }.joined(separator: "; "),
                abstract: network.summary, body: Language.allCases.map { catalog.localizer($0)("network.\(network.slug).summary") }.joined(separator: "\n"),
                url: "/#networks", summary: ""
            ), on: db)
        }
        for theme in try await Theme.query(on: db).all() {
            try await index.upsert(SearchEntry(
                section: "themes", itemID: theme.slug, visibility: .public,
                title: theme.name, authors: Language.allCases.map { catalog.localizer($0)("theme.\(theme.slug)") }.joined(separator: "; "),
                url: SiteURL.documents(query: [URLQueryItem(name: "theme", value: theme.slug)]).path, summary: ""
            ), on: db)
        }
    }

    /// Rebuilds the whole index: reference data and every published document.
    static func reindexEverything(app: Application, progress: (Int, Int) -> Void = { _, _ in }) async throws {
        let db = app.db
        try await indexAll(app: app, db: db)
        try await EventIndexing.indexAll(app: app, db: db)
        try await StatisticsIndexing.indexAll(app: app, db: db)
        let index = SearchIndexes.make(for: db)
        try await index.removeAll(section: DocumentLibrary.section, on: db)
        let total = try await Document.query(on: db).filter(\.$status == .published).count()
        var done = 0
        var lastID: UUID? = nil
        while true {
            let query = Document.query(on: db).filter(\.$status == .published).sort(\.$id).limit(200)
            if let lastID { query.filter(\.$id > lastID) }
            let batch = try await query.all()
            guard !batch.isEmpty else { break }
            try await db.transaction { db in
                for document in batch { try await index.upsert(try await DocumentLibrary.searchEntry(document, app: app, db: db), on: db) }
            }
            done += batch.count
            lastID = batch.last?.id
            progress(done, total)
        }
    }
}
