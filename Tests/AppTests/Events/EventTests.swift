@testable import App
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Calendar of events")
struct EventTests {
    static func fields(_ title: String, first: String = "2030-07-10", last: String = "2030-07-10", allDay: Bool = false, start: String = "09:00",
                       end: String = "17:00", zone: String = "America/Nassau", visibility: String = "public", status: String = "confirmed",
                       registration: Bool = false, capacity: String = "", deadline: String = "", network: String = "") -> [(String, String)] {
        var fields: [(String, String)] = [
            ("title", title), ("kind", "workshop"), ("description", "About **migration** data."),
            ("firstDay", first), ("lastDay", last), ("startTime", start), ("endTime", end), ("timeZone", zone),
            ("venue", "Baha Mar"), ("city", "Nassau"), ("country", "bs"), ("onlineLink", "https://meet.example.org/secret-room"),
            ("organisers", "IOM"), ("funders", "Funded by UNHCR."), ("network", network), ("themes[]", "refugee-protection"),
            ("visibility", visibility), ("status", status), ("contact", "events@example.org"), ("capacity", capacity), ("deadline", deadline),
        ]
        if allDay { fields.append(("allDay", "1")) }
        if registration { fields.append(("registrationOpen", "1")) }
        return fields
    }

    /// Creates an event through the form as `browser`; returns its id.
    static func create(_ app: Application, _ browser: TestBrowser, _ fields: [(String, String)]) async throws -> String {
        let response = try await browser.post("/events/new", fields)
        #expect(response.status == .seeOther, "create failed: \(response.status) \(response.text.prefix(0))")
        let location = try #require(response.headers.first(name: .location))
        return String(location.split(separator: "/").last!)
    }

    @Test("The seed events are in the calendar; lists, month grid, archive, feeds and search answer", arguments: TestDatabase.all)
    func seedAndViews(database: TestDatabase) async throws {
        try await withApp(database) { app in
            #expect(try await Event.query(on: app.db).count() == 3)
            let browser = TestBrowser(app)
            let past = try await browser.get("/events?past=1").text
            #expect(past.contains("Technical Workshop of the Refugee Specialized Thematic Network"))
            #expect(past.contains("Workshop on Human Mobility and Disasters in the Caribbean"))
            #expect(past.contains("First Meeting of the CMC Counter-Trafficking Network"))
            let april = try await browser.get("/events?month=2018-04").text
            #expect(april.contains("<table") && april.contains("First Meeting of the CMC Counter-Trafficking Network"))
            #expect(try await browser.get("/events?month=2018-13").status == .badRequest)
            #expect(try await browser.get("/events?month=2018-04&country=tt").text.contains("Counter-Trafficking"))
            #expect(!(try await browser.get("/events?month=2018-04&country=tt").text.contains("Human Mobility")))
            let ics = try await browser.get("/events.ics")
            #expect(ics.headers.contentType?.description.hasPrefix("text/calendar") == true)
            #expect(ics.text.contains("DTSTART;VALUE=DATE:20171205\r\nDTEND;VALUE=DATE:20171207"))
            #expect(try await browser.get("/feeds/events.atom").text.contains("Funded by UNHCR"))
            #expect(try await browser.get("/search?q=CDEMA").text.contains("Human Mobility and Disasters"))
            #expect(try await browser.get("/sitemap.xml").text.contains("/events/"))
        }
    }

    @Test("Creating: bad input is named at the field; timed events keep their zone; edits raise SEQUENCE", arguments: TestDatabase.all)
    func createAndEdit(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "m@example.org"))
            #expect(try await member.get("/events/new").status == .forbidden)
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", role: .editor))
            let bad = try await editor.post("/events/new", Self.fields("Bad", first: "2030-07-10", last: "2030-07-09", zone: "Mars/Olympus", capacity: "-3"))
            #expect(bad.status == .unprocessableEntity)
            for field in ["timeZone", "capacity"] { #expect(bad.text.contains(#"id="f-\#(field)-error""#), "\(field)") }
            let backwards = try await editor.post("/events/new", Self.fields("Backwards", first: "2030-07-10", last: "2030-07-09"))
            #expect(backwards.text.contains(#"id="f-endTime-error""#))
            #expect(try await Event.query(on: app.db).count() == 3)

            let id = try await Self.create(app, editor, Self.fields("Data workshop in Nassau"))
            let ics = try await TestBrowser(app).get("/events/\(id).ics").text
            #expect(ics.contains("DTSTART;TZID=America/Nassau:20300710T090000"))
            #expect(ics.contains("BEGIN:VTIMEZONE\r\nTZID:America/Nassau"))
            #expect(ics.contains("SEQUENCE:0"))
            #expect(!ics.contains("secret-room"), "the online link is for members")
            var edited = Self.fields("Data workshop in Nassau", status: "cancelled")
            edited.append(("ignored", "x"))
            #expect(try await editor.post("/events/\(id)/edit", edited).status == .seeOther)
            let after = try await TestBrowser(app).get("/events/\(id).ics").text
            #expect(after.contains("SEQUENCE:1") && after.contains("STATUS:CANCELLED"))
            #expect(try await TestBrowser(app).get("/events/\(UUID().uuidString).ics").status == .notFound)
            #expect(try await TestBrowser(app).get("/events/nonsense").status == .notFound)
        }
    }

    @Test("Members-only events stay out of visitors' lists, feeds, .ics and search; the private feed has them", arguments: TestDatabase.all)
    func access(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editorUser = try await Fixtures.user(app, email: "e@example.org", role: .editor)
            let editor = try await Fixtures.login(app, as: editorUser)
            let id = try await Self.create(app, editor, Self.fields("Closed-door consultation on quotas", visibility: "members"))
            let visitor = TestBrowser(app)
            #expect(!(try await visitor.get("/events").text.contains("Closed-door")))
            #expect(try await visitor.get("/events/\(id)").status == .notFound)
            #expect(try await visitor.get("/events/\(id).ics").status == .notFound)
            #expect(!(try await visitor.get("/events.ics").text.contains("Closed-door")))
            #expect(!(try await visitor.get("/feeds/events.atom").text.contains("Closed-door")))
            #expect(!(try await visitor.get("/search?q=quotas").text.contains("Closed-door")))
            #expect(!(try await visitor.get("/sitemap.xml").text.contains(id)))
            let memberUser = try await Fixtures.user(app, email: "m@example.org")
            let member = try await Fixtures.login(app, as: memberUser)
            #expect(try await member.get("/events").text.contains("Closed-door"))
            #expect(try await member.get("/events/\(id)").text.contains("secret-room"))
            // The private feed: a token in the address, replaced on demand.
            let page = try await member.post("/account/calendar", []).text
            let url = try #require(page.range(of: #"http://cpmg.test/calendar/[A-Za-z0-9_-]+\.ics"#, options: .regularExpression).map { String(page[$0]) })
            let path = String(url.dropFirst("http://cpmg.test".count))
            let feed = try await TestBrowser(app).get(path)
            #expect(feed.status == .ok && feed.text.contains("Closed-door consultation"))
            _ = try await member.post("/account/calendar", [])
            #expect(try await TestBrowser(app).get(path).status == .notFound)
        }
    }

    @Test("Registration: capacity, waiting list moving up with mail, no duplicates, deadline, own cancellations only", arguments: TestDatabase.all)
    func registration(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", role: .editor))
            let id = try await Self.create(app, editor, Self.fields("Training on screening", registration: true, capacity: "1"))
            let aUser = try await Fixtures.user(app, email: "a@example.org", name: "Ann")
            let bUser = try await Fixtures.user(app, email: "b@example.org", name: "Ben")
            let cUser = try await Fixtures.user(app, email: "c@example.org", name: "Cy")
            let a = try await Fixtures.login(app, as: aUser)
            let b = try await Fixtures.login(app, as: bUser)
            let c = try await Fixtures.login(app, as: cUser)
            // A visitor is sent to sign in, and nothing is registered.
            let visitor = try await TestBrowser(app).post("/events/\(id)/register", [])
            #expect(visitor.status == .seeOther && visitor.location?.hasPrefix("/login") == true, "\(visitor.status) \(visitor.location ?? "")")
            #expect(try await EventRegistration.query(on: app.db).count() == 0)
            #expect(try await a.post("/events/\(id)/register", []).status == .seeOther)
            #expect(try await a.post("/events/\(id)/register", []).status == .seeOther)
            #expect(try await b.post("/events/\(id)/register", []).status == .seeOther)
            #expect(try await c.post("/events/\(id)/register", []).status == .seeOther)
            let registrations = try await EventRegistration.query(on: app.db).all()
            #expect(registrations.count == 3, "no duplicate for a second try")
            #expect(registrations.filter { $0.status == .registered }.map { $0.$user.id } == [aUser.id!])
            let confirmation = try #require(try await Fixtures.lastMail(app, to: "a@example.org"))
            #expect(confirmation.subject.contains("Registered"))
            #expect(confirmation.attachmentName == "event.ics" && confirmation.attachment?.contains("BEGIN:VEVENT") == true)
            #expect(try await a.get("/account").text.contains("Training on screening"))
            // C cannot cancel someone else's place: the cancel form only touches C's own registration.
            #expect(try await c.post("/events/\(id)/cancel", []).status == .seeOther)
            #expect(try await EventRegistration.query(on: app.db).filter(\.$user.$id == aUser.id!).first()?.status == .registered)
            // A cancels: B (first on the waiting list) moves up and is told.
            #expect(try await a.post("/events/\(id)/cancel", []).status == .seeOther)
            #expect(try await EventRegistration.query(on: app.db).filter(\.$user.$id == bUser.id!).first()?.status == .registered)
            let promoted = try #require(try await Fixtures.lastMail(app, to: "b@example.org"))
            #expect(promoted.subject.contains("A place for you"))
            // Attendee list for organisers, as CSV too.
            let csv = try await editor.get("/events/\(id)/attendees.csv")
            #expect(csv.status == .ok && csv.text.contains("b@example.org") && !csv.text.contains("a@example.org"))
            #expect(try await b.get("/events/\(id)/attendees.csv").status == .forbidden)
            // A closed registration is answered plainly.
            let closed = try await Self.create(app, editor, Self.fields("Past deadline", first: "2030-07-10", last: "2030-07-10", registration: true, deadline: "2020-01-01"))
            #expect(try await a.post("/events/\(closed)/register", []).status == .seeOther)
            #expect(try await EventRegistration.query(on: app.db).filter(\.$event.$id == UUID(uuidString: closed)!).count() == 0)
        }
    }

    @Test("Outcomes follow each viewer's access rules and link both ways; home and country pages list upcoming events", arguments: TestDatabase.all)
    func outcomes(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editorUser = try await Fixtures.user(app, email: "e@example.org", role: .editor)
            let editor = try await Fixtures.login(app, as: editorUser)
            let id = try await Self.create(app, editor, Self.fields("Regional workshop on displacement"))
            let open = try await DocumentFixtures.document(app, title: "Workshop report on displacement", by: editorUser)
            let closed = try await DocumentFixtures.document(app, title: "Internal conclusions of the workshop", by: editorUser, visibility: .members)
            #expect(try await editor.post("/events/\(id)/outcomes", [("document", "http://cpmg.test/documents/\(open.id!.uuidString)"), ("role", "report")]).status == .seeOther)
            #expect(try await editor.post("/events/\(id)/outcomes", [("document", closed.id!.uuidString), ("role", "conclusions")]).status == .seeOther)
            #expect(try await editor.post("/events/\(id)/outcomes", [("document", "nonsense"), ("role", "report")]).status == .seeOther)
            #expect(try await EventOutcome.query(on: app.db).count() == 2)
            let visitor = try await TestBrowser(app).get("/events/\(id)").text
            #expect(visitor.contains("Workshop report on displacement"))
            #expect(!visitor.contains("Internal conclusions"))
            #expect(visitor.contains("Sign in to see all documents"))
            let member = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "m@example.org"))
            #expect(try await member.get("/events/\(id)").text.contains("Internal conclusions of the workshop"))
            #expect(try await TestBrowser(app).get("/documents/\(open.id!.uuidString)").text.contains(#"href="/events/\#(id)""#))
            // An organiser uploads a new document straight into the outcomes.
            let pdf = DocumentFixtures.pdf(pages: ["Presentation on displacement data."])
            let upload = try await editor.postMultipart("/documents/new?event=\(id)", DocumentFixtures.form(title: "Slides on displacement data"),
                                                         files: [("files[]", "slides.pdf", pdf)])
            #expect(upload.status == .seeOther)
            #expect(try await EventOutcome.query(on: app.db).count() == 3)
            #expect(try await TestBrowser(app).get("/events/\(id)").text.contains("Slides on displacement data"))
            // A member cannot attach outcomes.
            #expect(try await member.post("/events/\(id)/outcomes", [("document", open.id!.uuidString), ("role", "report")]).status == .forbidden)
            // Upcoming events on the home page and the host country's page.
            #expect(try await TestBrowser(app).get("/").text.contains("Regional workshop on displacement"))
            #expect(try await TestBrowser(app).get("/countries/bs").text.contains("Regional workshop on displacement"))
            #expect(!(try await TestBrowser(app).get("/countries/jm").text.contains("Regional workshop on displacement")))
        }
    }
}
