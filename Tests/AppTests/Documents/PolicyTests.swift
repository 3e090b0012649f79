@testable import App
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor

/// Defects found when the repository and calendar were tried as an attacker would, each closed
/// by the one access policy.
@Suite("Repository and calendar under the one policy")
struct PolicyTests {
    /// A member coordinating `network` (slug).
    static func coordinator(_ app: Application, network slug: String, email: String = "coord@example.org") async throws -> User {
        let user = try await Fixtures.user(app, email: email, name: "Cora Coordinator")
        let network = try #require(try await Network.query(on: app.db).filter(\.$slug == slug).first())
        try await NetworkMembership(userID: user.requireID(), networkID: network.requireID(), kind: .coordinator).create(on: app.db)
        return user
    }

    @Test("A harvested document that becomes members-only or is withdrawn is reported deleted; one never public is never named", arguments: TestDatabase.all)
    func oaiDeletions(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given: one public document harvested, one members-only from the start
            let editor = try await Fixtures.user(app, email: "e@example.org", role: .editor)
            let harvested = try await DocumentFixtures.document(app, title: "Reported then restricted", by: editor)
            let secret = try await DocumentFixtures.document(app, title: "Members from the start", by: editor, visibility: .members)
            let scheme = "oai:cpmg.test:documents/"
            let browser = TestBrowser(app)
            let before = try await browser.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=\(scheme)\(harvested.requireID().uuidString.lowercased())").text
            #expect(before.contains("Reported then restricted") && !before.contains("status=\"deleted\""))

            // when: an editor makes it members-only
            let signedIn = try await Fixtures.login(app, as: editor)
            var form = DocumentFixtures.form(title: "Reported then restricted", visibility: "members")
            form.removeAll { $0.0 == "action" }
            #expect(try await signedIn.postMultipart("/documents/\(harvested.requireID().uuidString)/edit", form, files: []).status == .seeOther)

            // then: the record is deleted, with no metadata and no sets
            let after = try await browser.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=\(scheme)\(harvested.requireID().uuidString.lowercased())").text
            #expect(after.contains("status=\"deleted\""))
            #expect(!after.contains("Reported then restricted") && !after.contains("<setSpec>"))
            let list = try await browser.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").text
            #expect(list.contains(try harvested.requireID().uuidString.lowercased()) && list.contains("status=\"deleted\""))
            // and the one never public is unknown
            let never = try await browser.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=\(scheme)\(secret.requireID().uuidString.lowercased())").text
            #expect(never.contains("idDoesNotExist") && !never.contains("Members from the start"))
            #expect(!list.contains(try secret.requireID().uuidString.lowercased()))
            let records = try await browser.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").text
            #expect(!records.contains("Members from the start") && !records.contains("Reported then restricted"))
        }
    }

    @Test("A coordinator's upload does what the form says: published for their network, reviewed otherwise", arguments: TestDatabase.all)
    func coordinatorForm(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given
            let coordinator = try await Fixtures.login(app, as: try await Self.coordinator(app, network: "counter-trafficking"))
            // when: the form is opened
            let form = try await coordinator.get("/documents/new").text
            // then: it does not promise review for everything, and names the network that publishes at once
            #expect(!form.contains(">Submit for review<"))
            #expect(form.contains("Documents for a network you coordinate"))
            // when: uploading for their network, and for none
            let pdf = DocumentFixtures.pdf(pages: ["Text"])
            let own = try await coordinator.postMultipart("/documents/new", DocumentFixtures.form(title: "For the network", network: "counter-trafficking"),
                                                         files: [("files[]", "a.pdf", pdf)])
            let other = try await coordinator.postMultipart("/documents/new", DocumentFixtures.form(title: "For no network"), files: [("files[]", "b.pdf", pdf)])
            #expect(own.status == .seeOther && other.status == .seeOther)
            // then
            let statuses = Dictionary(uniqueKeysWithValues: try await Document.query(on: app.db).all().map { ($0.title, $0.status) })
            #expect(statuses["For the network"] == .published)
            #expect(statuses["For no network"] == .pending)
            // A plain member is told the truth too.
            let member = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "m@example.org"))
            #expect(try await member.get("/documents/new").text.contains(">Submit for review<"))
        }
    }

    @Test("Only editors bring back a withdrawn document: a coordinator's forged publish is refused", arguments: TestDatabase.all)
    func withdrawnStaysWithdrawn(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given: a network document, withdrawn by an editor
            let editor = try await Fixtures.user(app, email: "e@example.org", role: .editor)
            let document = try await DocumentFixtures.document(app, title: "Withdrawn by the secretariat", by: editor, network: "counter-trafficking")
            let editorBrowser = try await Fixtures.login(app, as: editor)
            let path = "/documents/\(try document.requireID().uuidString)"
            #expect(try await editorBrowser.post("\(path)/review", [("action", "withdraw"), ("comment", "Outdated")]).status == .seeOther)
            // when: the network's coordinator posts "publish" without a button to press
            let coordinator = try await Fixtures.login(app, as: try await Self.coordinator(app, network: "counter-trafficking"))
            let page = try await coordinator.get(path)
            #expect(page.status == .gone && !page.text.contains("transition-publish"))
            let forged = try await coordinator.post("\(path)/review", [("action", "publish")])
            // then
            #expect(forged.status == .forbidden || forged.status == .conflict)
            #expect(try await Document.find(document.requireID(), on: app.db)?.status == .withdrawn)
            // and an editor can
            #expect(try await editorBrowser.post("\(path)/review", [("action", "publish")]).status == .seeOther)
            #expect(try await Document.find(document.requireID(), on: app.db)?.status == .published)
        }
    }

    @Test("A member registered for an event later made network-only can give up the place, and sees no title", arguments: TestDatabase.all)
    func cancelRestrictedEvent(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given: a member registered for a public event
            let member = try await Fixtures.user(app, email: "m@example.org")
            let browser = try await Fixtures.login(app, as: member)
            let event = try #require(try await Event.query(on: app.db).first())
            event.title = "Closed door consultation"
            event.startsAt = Date().addingTimeInterval(30 * 86_400)
            event.endsAt = Date().addingTimeInterval(31 * 86_400)
            event.registrationOpen = true
            event.registrationDeadline = nil
            event.capacity = nil
            try await event.save(on: app.db)
            #expect(try await browser.post("/events/\(event.code)/register", []).status == .seeOther)
            #expect(try await EventRegistration.query(on: app.db).filter(\.$status == .registered).count() == 1)
            // when: the event is restricted to a network the member is not in
            let network = try #require(try await Network.query(on: app.db).first())
            event.visibility = .network
            event.$network.id = try network.requireID()
            try await event.save(on: app.db)
            // then: the page is hidden, the account names no title but offers to give up the place
            #expect(try await browser.get("/events/\(event.code)").status == .notFound)
            let account = try await browser.get("/account").text
            #expect(!account.contains("Closed door consultation"))
            #expect(account.contains("/events/\(event.code)/cancel"))
            let cancelled = try await browser.post("/events/\(event.code)/cancel", [])
            #expect(cancelled.status == .seeOther && cancelled.location == "/account")
            #expect(try await EventRegistration.query(on: app.db).filter(\.$status == .registered).count() == 0)
            // and someone never registered learns nothing
            let other = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "o@example.org"))
            #expect(try await other.post("/events/\(event.code)/cancel", []).status == .notFound)
        }
    }

    @Test("The search index is written in the transaction of the row it mirrors: a failed index write changes nothing", arguments: TestDatabase.all)
    func indexInTransaction(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given: a pending document, and an index that refuses writes
            let member = try await Fixtures.user(app, email: "m@example.org")
            let editor = try await Fixtures.user(app, email: "e@example.org", role: .editor)
            let document = try await DocumentFixtures.document(app, title: "Waiting for the index", by: member, status: .pending)
            let sql = app.db as! any SQLDatabase
            if database == .postgres {
                try await sql.raw("CREATE FUNCTION refuse_index() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'index down'; END; $$ LANGUAGE plpgsql").run()
                try await sql.raw("CREATE TRIGGER refuse_index BEFORE INSERT ON search_entries FOR EACH ROW EXECUTE FUNCTION refuse_index()").run()
            } else {
                try await sql.raw("CREATE TRIGGER refuse_index BEFORE INSERT ON search_entries BEGIN SELECT RAISE(ABORT, 'index down'); END").run()
            }
            let viewer = Viewer(userID: editor.id, role: .editor)
            // when: an editor publishes it
            await #expect(throws: (any Error).self) {
                _ = try await DocumentLibrary.transition(.publish, document: document, comment: "", viewer: viewer, user: editor, app: app, db: app.db, now: Date())
            }
            // then: nothing happened: still pending, no revision, no mail, not in search
            let stored = try #require(try await Document.find(document.requireID(), on: app.db))
            #expect(stored.status == .pending)
            #expect(try await DocumentRevision.query(on: app.db).filter(\.$action == "publish").count() == 0)
            #expect(try await Fixtures.lastMail(app, to: member.email) == nil)
            // when: the index works again, the same publication goes through whole
            try await sql.raw("DROP TRIGGER refuse_index\(unsafeRaw: database == .postgres ? " ON search_entries" : "")").run()
            #expect(try await DocumentLibrary.transition(.publish, document: stored, comment: "", viewer: viewer, user: editor, app: app, db: app.db, now: Date()) == nil)
            let found = try await TestBrowser(app).get("/documents?q=index").text
            #expect(found.contains("Waiting for the index"))
        }
    }
}
