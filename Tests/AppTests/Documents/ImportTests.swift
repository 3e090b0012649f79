@testable import App
import CSVParser
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Bulk import and reindex")
struct ImportTests {
    @Test("A manifest imports good rows, names the bad ones, and a second run imports nothing twice", arguments: TestDatabase.all)
    func importManifest(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let admin = try await Fixtures.user(app, email: "admin@example.org", role: .admin)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try DocumentFixtures.pdf(pages: ["Seaports and their screening"]).write(to: folder.appendingPathComponent("a.pdf"))
            try Data("Plain notes about labour mobility".utf8).write(to: folder.appendingPathComponent("b.txt"))
            let manifest = """
            file,title,authors,year,type,languages,countries,themes,visibility
            a.pdf,Seaports,"López, María",2018,report,en,jm;tt,border-management,public
            b.txt,Labour notes,"Pérez, Ana",2019,study,en;es,regional,,members
            missing.pdf,Ghost,"X, Y",2018,report,en,jm,,public
            a.pdf,Bad year,"X, Y",1800,report,en,jm,,public
            b.txt,Bad country,"X, Y",2018,report,en,zz,,public
            """
            let table = try CSV.parse(manifest)

            // a dry run changes nothing
            let dry = try await ImportDocumentsCommand.importManifest(table, directory: folder, submitter: admin, dryRun: true, app: app)
            #expect(dry.checked == 2)
            #expect(try await Document.query(on: app.db).count() == 0)

            // the real run
            let report = try await ImportDocumentsCommand.importManifest(table, directory: folder, submitter: admin, dryRun: false, app: app)
            #expect(report.imported == 2)
            #expect(report.failures.map(\.line) == [4, 5, 6])
            #expect(report.failures[0].message.contains("missing.pdf"))
            #expect(report.failures[1].message.contains("year"))
            #expect(report.failures[2].message.contains("countries"))
            #expect(try await Document.query(on: app.db).count() == 2)

            // again: nothing twice
            let again = try await ImportDocumentsCommand.importManifest(table, directory: folder, submitter: admin, dryRun: false, app: app)
            #expect(again.imported == 0)
            #expect(again.skipped == 2)
            #expect(try await Document.query(on: app.db).count() == 2)

            // imported documents are extracted and found
            try await app.cpmg.jobs.runDue(app: app)
            #expect(try await TestBrowser(app).get("/documents?q=screening").text.contains("1 document"))
        }
    }

    @Test("Reindex rebuilds the index from the database", arguments: TestDatabase.all)
    func reindex(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            try await DocumentFixtures.document(app, title: "Kept across a rebuild", body: "quetzalcoatl", by: editor)
            let index = SearchIndexes.make(for: app.db)
            try await index.removeAll(section: DocumentLibrary.section, on: app.db)
            #expect(try await TestBrowser(app).get("/documents?q=quetzalcoatl").text.contains("No documents match"))
            try await ReferenceIndexing.reindexEverything(app: app)
            #expect(try await TestBrowser(app).get("/documents?q=quetzalcoatl").text.contains("1 document"))
        }
    }

    @Test("Demo data makes searchable documents with metadata spread over the reference lists", arguments: TestDatabase.all)
    func demoData(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let submitter = try await DemoData.submitter(app.db)
            let references = try await DemoData.References.load(app.db)
            var generator = DemoData.Generator(seed: 7, words: 300)
            for _ in 0..<30 { try await DemoData.create(generator.document(references), submitter: submitter, app: app, db: app.db) }
            #expect(try await Document.query(on: app.db).count() == 30)
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, role: .editor))
            let page = try await editor.get("/documents?q=migration").text
            #expect(page.contains("documents"))
            #expect(!page.contains("No documents match"))
        }
    }
}
