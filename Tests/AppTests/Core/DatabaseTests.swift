@testable import App
import Fluent
import FluentSQL
import Foundation
import Testing

@Suite("Database and reference data")
struct DatabaseTests {
    @Test("A fresh install has the 33 countries and territories, 11 thematic areas and 7 networks", arguments: TestDatabase.all)
    func referenceData(database: TestDatabase) async throws {
        try await withApp(database) { app in
            #expect(try await Country.query(on: app.db).count() == 33)
            #expect(try await Theme.query(on: app.db).count() == 11)
            #expect(try await Network.query(on: app.db).count() == 7)
            let jamaica = try #require(try await Country.query(on: app.db).filter(\.$iso2 == "JM").first())
            #expect(jamaica.iso3 == "JAM")
            #expect(jamaica.timeZone == "America/Jamaica")
            #expect(jamaica.cmcParticipant && jamaica.needsAssessment2018)
            let curacao = try #require(try await Country.query(on: app.db).filter(\.$iso2 == "CW").first())
            #expect(curacao.currency == "XCG")
            #expect(curacao.sovereignState == "Kingdom of the Netherlands")
        }
    }

    @Test("Loading the reference data again changes nothing and keeps an editor's change", arguments: TestDatabase.all)
    func idempotent(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given an editor renamed a network
            let network = try #require(try await Network.query(on: app.db).filter(\.$slug == "diaspora").first())
            network.name = "Diaspora Engagement Network"
            try await network.save(on: app.db)
            // when the platform starts again
            try await prepareDatabase(app)
            let summary = try await ReferenceData.load(from: app.cpmg.settings.resourcesDirectory.appendingPathComponent("Seed"), on: app.db)
            // then
            #expect(summary == ReferenceData.Summary())
            #expect(try await Country.query(on: app.db).count() == 33)
            #expect(try await Network.query(on: app.db).count() == 7)
            #expect(try await Network.query(on: app.db).filter(\.$slug == "diaspora").first()?.name == "Diaspora Engagement Network")
        }
    }

    @Test("Every migration reverts, and the schema comes back", arguments: TestDatabase.all)
    func revert(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await app.autoRevert()
            let sql = app.db as! any SQLDatabase
            await #expect(throws: (any Error).self) { try await sql.raw("SELECT COUNT(*) FROM users").run() }
            try await prepareDatabase(app)
            #expect(try await Country.query(on: app.db).count() == 33)
        }
    }

    @Test("SQLite runs in WAL mode with foreign keys on")
    func sqlitePragmas() async throws {
        try await withApp(.sqlite) { app in
            let sql = app.db as! any SQLDatabase
            let mode = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            #expect(mode == "wal")
            let keys = try await sql.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
            #expect(keys == 1)
        }
    }
}
