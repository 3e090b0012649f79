@testable import App
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Repository: upload, review, extraction")
struct UploadTests {
    @Test("A member uploads a PDF; an editor publishes it; a visitor finds a word from page 3 and downloads it", arguments: TestDatabase.all)
    func journey(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app, email: "member@example.org", name: "Maria Member")
            let editor = try await Fixtures.user(app, email: "editor@example.org", name: "Eda Editor", role: .editor)
            let memberBrowser = try await Fixtures.login(app, as: member)
            let pdf = DocumentFixtures.pdf(pages: ["Regional overview", "Border posts", "The word zanzibarite is on page three"])

            // when the member uploads
            let upload = try await memberBrowser.postMultipart("/documents/new", DocumentFixtures.form(), files: [("files[]", "Informe Migración.pdf", pdf)])
            #expect(upload.status == .seeOther)
            let document = try #require(try await Document.query(on: app.db).first())
            #expect(document.status == .pending)
            #expect(document.authors == ["López, María", "Pérez, Ana"])
            let path = "/documents/\(document.id!.uuidString)"
            #expect(upload.location == path)

            // then the text is extracted in the background, with the page count
            #expect(try await app.cpmg.jobs.runDue(app: app) >= 1)
            let file = try #require(try await DocumentFile.query(on: app.db).first())
            #expect(file.extraction == .done)
            #expect(file.pageCount == 3)
            #expect(file.kind == "pdf")
            #expect(app.cpmg.blobs.contains(file.sha256))

            // and nobody else sees it before review
            let visitor = TestBrowser(app)
            #expect(try await visitor.get(path).status == .notFound)
            #expect(try await visitor.get("/documents?q=zanzibarite").text.contains("No documents match"))
            #expect(try await memberBrowser.get(path).text.contains("Waiting for review"))

            // when the editor publishes
            let reviewer = try await Fixtures.login(app, as: editor)
            #expect(try await reviewer.get("/documents/review").text.contains("Border management in the Eastern Caribbean"))
            let publish = try await reviewer.post("\(path)/review", [("action", "publish")])
            #expect(publish.status == .seeOther)
            #expect(try await Fixtures.lastMail(app, to: member.email)?.subject.contains("Published") == true)

            // then a visitor finds it by a word of page 3, with the word highlighted
            let results = try await visitor.get("/documents?q=zanzibarite")
            #expect(results.text.contains("1 document"))
            #expect(results.text.contains("<mark>zanzibarite</mark>"))
            #expect(try await visitor.get("/search?q=zanzibarite").text.contains("Border management in the Eastern Caribbean"))

            // and downloads it under its own name
            let download = try await visitor.get("\(path)/file")
            #expect(download.status == .ok)
            #expect(download.headers.contentType?.description.hasPrefix("application/pdf") == true)
            #expect(download.headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''Informe%20Migraci%C3%B3n.pdf") == true)
            #expect(download.body.readableBytes == pdf.count)
            #expect(try await Document.find(document.id, on: app.db)?.downloadCount == 1)
        }
    }

    @Test("Downloads resume with Range and revalidate with ETag", arguments: TestDatabase.all)
    func rangeAndETag(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            let document = try await DocumentFixtures.document(app, title: "Ranges", body: String(repeating: "0123456789", count: 100), by: editor)
            let browser = TestBrowser(app)
            let path = "/documents/\(document.id!.uuidString)/file"
            let partial = try await browser.get(path, headers: ["Range": "bytes=10-19"])
            #expect(partial.status == .partialContent)
            #expect(partial.body.string == "0123456789")
            #expect(partial.headers.first(name: .contentRange) == "bytes 10-19/1000")
            let full = try await browser.get(path)
            let etag = try #require(full.headers.first(name: .eTag))
            #expect(try await browser.get(path, headers: ["If-None-Match": etag]).status == .notModified)
        }
    }

    @Test("Missing metadata is named at each field and nothing is stored", arguments: TestDatabase.all)
    func invalidUpload(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = try await Fixtures.login(app, as: try await Fixtures.user(app))
            let form = DocumentFixtures.form(title: "", countries: ["zz"], extra: [("doi", "not a doi")]).filter { $0.0 != "year" }
            let response = try await browser.postMultipart("/documents/new", form, files: [])
            #expect(response.status == .unprocessableEntity)
            for field in ["title", "year", "countries", "doi", "files"] {
                #expect(response.text.contains("href=\"#f-\(field)\""), "\(field)")
            }
            #expect(response.text.contains(#"value="Border"#) == false)
            #expect(try await Document.query(on: app.db).count() == 0)
        }
    }

    @Test("An empty file is refused and leaves no blob behind", arguments: TestDatabase.all)
    func emptyFile(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = try await Fixtures.login(app, as: try await Fixtures.user(app))
            let good = DocumentFixtures.pdf(pages: ["fine"])
            let response = try await browser.postMultipart("/documents/new", DocumentFixtures.form(), files: [("files[]", "a.pdf", good), ("files[]", "empty.pdf", Data())])
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("One of the files is empty"))
            #expect(try await Document.query(on: app.db).count() == 0)
            let blobs = app.cpmg.blobs as! LocalBlobStore
            let stored = try FileManager.default.subpathsOfDirectory(atPath: blobs.root.path).filter { $0.count > 60 && !$0.hasPrefix("tmp") && !$0.hasPrefix("text") }
            #expect(stored.isEmpty)
        }
    }

    @Test("A database failure half-way leaves no rows and no blob", arguments: TestDatabase.all)
    func halfWay(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let user = try await Fixtures.user(app)
            var references = try await DocumentLibrary.References.load(app.db)
            // A country that is not in the database makes the transaction fail after the document row.
            let ghost = Country()
            references.countries["jm"] = ghost
            var form = DocumentForm()
            (form.title, form.year, form.kind, form.languages, form.countries, form.authors) = ("Half", "2018", "report", ["en"], ["jm"], "A")
            let files = try DocumentLibrary.store([.init(name: "a.txt", data: ByteBuffer(string: "unique text \(UUID())"))], in: app.cpmg.blobs)
            do {
                _ = try await DocumentLibrary.create(form, files: files, status: .pending, by: user, references: references, app: app, db: app.db, now: Date())
                Issue.record("creation should have failed")
            } catch {
                DocumentLibrary.discard(files, in: app.cpmg.blobs)
            }
            #expect(try await Document.query(on: app.db).count() == 0)
            #expect(try await DocumentFile.query(on: app.db).count() == 0)
            #expect(try await Job.query(on: app.db).count() == 0)
            #expect(!app.cpmg.blobs.contains(files[0].sha256))
        }
    }

    @Test("The same file uploaded twice is stored once and the uploader is told", arguments: TestDatabase.all)
    func duplicate(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = try await Fixtures.login(app, as: try await Fixtures.user(app))
            let pdf = DocumentFixtures.pdf(pages: ["same content"])
            try await browser.postMultipart("/documents/new", DocumentFixtures.form(title: "First"), files: [("files[]", "a.pdf", pdf)])
            let second = try await browser.postMultipart("/documents/new", DocumentFixtures.form(title: "Second"), files: [("files[]", "b.pdf", pdf)])
            #expect(second.status == .seeOther)
            let page = try await browser.get(second.location!)
            #expect(page.text.contains("already in the repository"))
            let shas = try await DocumentFile.query(on: app.db).all().map(\.sha256)
            #expect(shas.count == 2 && Set(shas).count == 1)
        }
    }

    @Test("Content decides the type: a PNG named .pdf is stored but not searched", arguments: TestDatabase.all)
    func lyingType(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = try await Fixtures.login(app, as: try await Fixtures.user(app))
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 64))
            let response = try await browser.postMultipart("/documents/new", DocumentFixtures.form(), files: [("files[]", "report.pdf", png)])
            #expect(response.status == .seeOther)
            let file = try #require(try await DocumentFile.query(on: app.db).first())
            #expect(file.kind == "png")
            #expect(file.extraction == .notSearchable)
            #expect(try await Job.query(on: app.db).count() == 0)
        }
    }

    @Test("A corrupt PDF is flagged for editors, can be retried, and the document is kept", arguments: TestDatabase.all)
    func corrupt(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            let browser = try await Fixtures.login(app, as: editor)
            let broken = Data("%PDF-1.4\nthis is not really a pdf".utf8)
            let upload = try await browser.postMultipart("/documents/new", DocumentFixtures.form(), files: [("files[]", "broken.pdf", broken)])
            try await app.cpmg.jobs.runDue(app: app)
            let file = try #require(try await DocumentFile.query(on: app.db).first())
            #expect(file.extraction == .failed)
            let page = try await browser.get(upload.location!)
            #expect(page.text.contains("could not be read"))
            #expect(try await browser.get("/documents/review").text.contains("broken.pdf"))
            let retry = try await browser.post("\(upload.location!)/files/\(file.id!.uuidString)/extract", [])
            #expect(retry.status == .seeOther)
            #expect(try await DocumentFile.find(file.id, on: app.db)?.extraction == .pending)
            #expect(try await Document.query(on: app.db).count() == 1)
        }
    }

    @Test("An upload over the size limit is answered 413 with the limit", arguments: TestDatabase.all)
    func tooLarge(database: TestDatabase) async throws {
        try await withApp(database, environment: ["CPMG_MAX_UPLOAD_MB": "1"]) { app in
            let browser = try await Fixtures.login(app, as: try await Fixtures.user(app))
            let big = Data(repeating: 0x41, count: 1_200_000)
            let response = try await browser.postMultipart("/documents/new", DocumentFixtures.form(), files: [("files[]", "big.txt", big)])
            #expect(response.status == .payloadTooLarge)
            #expect(response.text.contains("(1 MB)"))
            #expect(try await Document.query(on: app.db).count() == 0)
        }
    }

    @Test("Returning with a comment mails the submitter; edits keep revisions; withdrawal leaves a tombstone", arguments: TestDatabase.all)
    func lifecycle(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app, email: "member@example.org")
            let editor = try await Fixtures.user(app, email: "editor@example.org", role: .editor)
            let memberBrowser = try await Fixtures.login(app, as: member)
            let reviewer = try await Fixtures.login(app, as: editor)
            try await memberBrowser.postMultipart("/documents/new", DocumentFixtures.form(), files: [("files[]", "a.pdf", DocumentFixtures.pdf(pages: ["x"]))])
            let document = try #require(try await Document.query(on: app.db).first())
            let path = "/documents/\(document.id!.uuidString)"

            // returned with a comment
            #expect(try await reviewer.post("\(path)/review", [("action", "return"), ("comment", "")]).status == .seeOther)
            #expect(try await Document.find(document.id, on: app.db)?.status == .pending, "a return needs a comment")
            #expect(try await reviewer.post("\(path)/review", [("action", "return"), ("comment", "Please add the abstract.")]).status == .seeOther)
            #expect(try await Document.find(document.id, on: app.db)?.status == .draft)
            #expect(try await Fixtures.lastMail(app, to: member.email)?.body.contains("Please add the abstract.") == true)

            // the submitter edits the draft; the change is a revision
            var form = DocumentFixtures.form(title: "Border management, revised edition")
            form.removeAll { $0.0 == "action" }
            let edit = try await memberBrowser.postMultipart("\(path)/edit", form + [("action", "save")], files: [])
            #expect(edit.status == .seeOther)
            let revisions = try await DocumentRevision.query(on: app.db).filter(\.$document.$id == document.id!).filter(\.$action == "edited").all()
            #expect(revisions.count == 1)
            #expect(revisions.first?.changesJSON.contains("revised edition") == true)
            #expect(try await memberBrowser.get("\(path)/history").text.contains("revised edition"))

            // a member cannot publish their own document
            #expect(try await memberBrowser.post("\(path)/review", [("action", "submit")]).status == .seeOther)
            #expect(try await memberBrowser.post("\(path)/review", [("action", "publish")]).status == .forbidden)
            #expect(try await reviewer.post("\(path)/review", [("action", "publish")]).status == .seeOther)

            // withdrawn: a tombstone, gone from search
            #expect(try await reviewer.post("\(path)/review", [("action", "withdraw"), ("comment", "Superseded by the 2020 edition.")]).status == .seeOther)
            let tombstone = try await TestBrowser(app).get(path)
            #expect(tombstone.status == .gone)
            #expect(tombstone.text.contains("withdrawn"))
            #expect(tombstone.text.contains("Superseded by the 2020 edition."))
            #expect(try await TestBrowser(app).get("\(path)/file").status == .notFound)
            #expect(try await TestBrowser(app).get("/documents?q=revised").text.contains("No documents match"))
        }
    }

    @Test("Content already stored that goes away while an upload of the same bytes is saved is written again, so the document keeps its file", arguments: TestDatabase.all)
    func sharedContentRemovedMidUpload(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given the bytes already in the store (held by, say, a statistics preview)
            let member = try await Fixtures.user(app)
            let bytes = ByteBuffer(string: "Shared report text for the race")
            _ = try DocumentLibrary.store([.init(name: "first.txt", data: bytes)], in: app.cpmg.blobs)
            // when a document upload finds them there, and they are removed before its rows exist
            let uploads: [DocumentLibrary.Upload] = [.init(name: "report.txt", data: bytes)]
            let stored = try DocumentLibrary.store(uploads, in: app.cpmg.blobs)
            #expect(stored.first?.existed == true)
            try FileManager.default.removeItem(at: app.cpmg.blobs.url(for: stored[0].sha256))
            var form = DocumentForm()
            form.title = "Shared bytes"
            form.authors = "López, María"
            form.year = "2018"
            form.kind = "report"
            form.languages = ["en"]
            form.countries = ["jm"]
            form.visibility = "public"
            let references = try await DocumentLibrary.References.load(app.db)
            let document = try await DocumentLibrary.create(form, files: stored, status: .published, by: member, references: references, app: app, db: app.db, now: Date())
            try DocumentLibrary.restoreMissing(stored, from: uploads, in: app.cpmg.blobs)
            // then the document's file is there to download
            let download = try await TestBrowser(app).get("/documents/\(try document.requireID().uuidString)/file")
            #expect(download.status == .ok)
            #expect(download.text == "Shared report text for the race")
        }
    }
}
