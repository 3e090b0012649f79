@testable import App
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Country section")
struct CountryTests {
    /// A member who is focal point for `iso2`.
    static func focalPoint(_ app: Application, _ iso2: String, email: String) async throws -> User {
        let user = try await Fixtures.user(app, email: email, name: "Focal \(iso2)")
        let country = try #require(try await Country.query(on: app.db).filter(\.$iso2 == iso2).first())
        let link = CountryFocalPoint()
        link.$user.id = try user.requireID()
        link.$country.id = try country.requireID()
        try await link.create(on: app.db)
        return user
    }

    static func sectionFields(_ text: String, base: String, summary: String = "", sources: String = "IOM 2018.") -> [(String, String)] {
        [("base", base), ("markdown", text), ("sources", sources), ("reviewed", "2026-11-01"), ("language", "en"), ("summary", summary), ("action", "save")]
    }

    @Test("All 33 are listed, each profile answers, alpha-3 and upper case redirect, unknown codes are a 404 with a way back", arguments: TestDatabase.all)
    func listAndProfiles(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            let list = try await browser.get("/countries")
            #expect(list.status == .ok)
            let countries = try await Country.query(on: app.db).all()
            #expect(countries.count == 33)
            for country in countries {
                let code = country.iso2.lowercased()
                #expect(list.text.contains(#"href="/countries/\#(code)""#), "\(code) missing from the list")
                let page = try await browser.get("/countries/\(code)")
                #expect(page.status == .ok, "\(code): \(page.status)")
                #expect(page.text.contains(#""@type":"Country""#))
            }
            #expect(list.text.contains("<svg"))
            #expect(list.text.contains("Territories of the United Kingdom"))
            let jamaica = try await browser.get("/countries/jm").text
            #expect(jamaica.contains("2,837,077 (2025)"))
            #expect(jamaica.contains("World Bank WDI SP.POP.TOTL"))
            #expect(jamaica.contains("Nothing has been written here yet"))
            let alpha3 = try await browser.get("/countries/jam")
            #expect(alpha3.status == .movedPermanently)
            #expect(alpha3.headers.first(name: .location) == "/countries/jm")
            #expect(try await browser.get("/countries/JM").headers.first(name: .location) == "/countries/jm")
            let unknown = try await browser.get("/countries/zz")
            #expect(unknown.status == .notFound)
            #expect(unknown.text.contains(#"href="/countries""#))
            #expect(try await browser.get("/countries/x%3Cscript%3E").status == .notFound)
            // Names in the interface language (another browser: the language choice is a cookie).
            let spanish = try await TestBrowser(app).get("/countries?lang=es").text
            #expect(spanish.contains("Países y territorios") || spanish.contains("Bahamas"))
            #expect(try await TestBrowser(app).get("/countries/gf?lang=fr").text.contains("Guyane française"))
            let sitemap = try await browser.get("/sitemap.xml").text
            #expect(sitemap.contains("http://cpmg.test/countries/jm"))
            let compare = try await browser.get("/countries/compare?c=jm,tt,bb,zz")
            #expect(compare.status == .ok)
            #expect(compare.text.contains("Kingston") && compare.text.contains("Port of Spain") && compare.text.contains("Bridgetown"))
            #expect(compare.text.contains("Not known, left out: zz"))
            let many = try await browser.get("/countries/compare?c=jm&c=tt&c=bb&c=gy&c=sr&c=ht").text
            #expect(many.contains("Only the first 5 are compared."))
        }
    }

    @Test("Only the country's focal points and editors edit; others are refused and nothing changes", arguments: TestDatabase.all)
    func permissions(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let fields = Self.sectionFields("Jamaica's migration history.", base: "0")
            #expect(try await TestBrowser(app).get("/countries/jm/edit/migration").status != .ok)
            let member = try await Fixtures.user(app, email: "m@example.org")
            let memberBrowser = try await Fixtures.login(app, as: member)
            #expect(try await memberBrowser.get("/countries/jm/edit/migration").status == .forbidden)
            #expect(try await memberBrowser.post("/countries/jm/edit/migration", fields).status == .forbidden)
            let trinidad = try await Self.focalPoint(app, "TT", email: "tt@example.org")
            #expect(try await Fixtures.login(app, as: trinidad).post("/countries/jm/edit/migration", fields).status == .forbidden)
            #expect(try await CountryRevision.query(on: app.db).count() == 0)

            let jamaica = try await Self.focalPoint(app, "JM", email: "jm@example.org")
            let focal = try await Fixtures.login(app, as: jamaica)
            #expect(try await focal.get("/countries/jm/edit/migration").status == .ok)
            let saved = try await focal.post("/countries/jm/edit/migration", fields)
            #expect(saved.status == .seeOther)
            let shown = try await TestBrowser(app).get("/countries/jm").text
            #expect(shown.contains("Jamaica&#x27;s migration history.") || shown.contains("Jamaica's migration history."))
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", role: .editor))
            #expect(try await editor.post("/countries/tt/edit/government", Self.sectionFields("Ministry of National Security.", base: "0")).status == .seeOther)
            // A member cannot restore; an editor can.
            #expect(try await focal.post("/countries/jm/history/1/restore", []).status == .forbidden)
            // Without the CSRF token nothing happens.
            #expect(try await editor.post("/countries/jm/edit/migration", Self.sectionFields("x", base: "1"), csrf: false).status == .forbidden)
        }
    }

    @Test("Bad input is answered at the field and nothing is saved; Markdown cannot carry HTML", arguments: TestDatabase.all)
    func badInput(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", role: .editor))
            let empty = try await editor.post("/countries/jm/edit/socioeconomics", Self.sectionFields("", base: "0"))
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.text.contains(#"id="f-markdown-error""#))
            let long = try await editor.post("/countries/jm/edit/socioeconomics", Self.sectionFields(String(repeating: "a", count: 20_001), base: "0"))
            #expect(long.status == .unprocessableEntity)
            #expect(long.text.contains(String(repeating: "a", count: 100)), "the text is kept in the form")
            var badDate = Self.sectionFields("Text", base: "0")
            badDate[3] = ("reviewed", "2026-02-30")
            #expect(try await editor.post("/countries/jm/edit/socioeconomics", badDate).text.contains(#"id="f-reviewed-error""#))
            let facts: [(String, String)] = [
                ("base", "0"), ("officialName", "Jamaica"), ("capital", "Kingston"), ("languages", "English"), ("currency", "JMD"),
                ("timeZone", "Mars/Olympus"), ("populationValue", "2837077"), ("populationYear", ""), ("populationSource", ""),
                ("areaValue", "abc"), ("areaYear", "2023"), ("areaSource", "World Bank"), ("action", "save"),
            ]
            let answer = try await editor.post("/countries/jm/edit/facts", facts)
            #expect(answer.status == .unprocessableEntity)
            for field in ["timeZone", "populationYear", "populationSource", "areaValue"] {
                #expect(answer.text.contains(#"id="f-\#(field)-error""#), "\(field) not named")
            }
            #expect(try await CountryRevision.query(on: app.db).count() == 0)

            let hostile = "<script>alert(1)</script>\n\n[click](javascript:alert(2)) and [x](http://a\" onmouseover=\"alert(3))\n\n<img src=x onerror=alert(4)>"
            #expect(try await editor.post("/countries/jm/edit/government", Self.sectionFields(hostile, base: "0")).status == .seeOther)
            let page = try await TestBrowser(app).get("/countries/jm").text
            #expect(!page.contains("<script>alert"))
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || page.contains("&lt;script>alert(1)&lt;/script>"))
            #expect(!page.contains("javascript:"))
            #expect(!page.contains("<img"))
            #expect(!page.contains(#"" onmouseover=""#))
            // Preview shows the rendered text without saving.
            var preview = Self.sectionFields("**Bold** words", base: "1")
            preview[6] = ("action", "preview")
            let shown = try await editor.post("/countries/jm/edit/government", preview)
            #expect(shown.status == .ok && shown.text.contains("<strong>Bold</strong>"))
            #expect(try await CountryRevision.query(on: app.db).count() == 1)
        }
    }

    @Test("A figure too large for an Int is refused at its field; an old revision holding one still renders everywhere", arguments: TestDatabase.all)
    func hugeFigures(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given: an editor, and a revision saved before the limit existed, with 1e30 people
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", role: .editor))
            func facts(_ population: String) -> [(String, String)] {
                [("base", "0"), ("officialName", "Jamaica"), ("capital", "Kingston"), ("languages", "English"), ("currency", "JMD"),
                 ("timeZone", "America/Jamaica"), ("populationValue", population), ("populationYear", "2023"), ("populationSource", "World Bank"),
                 ("areaValue", "10990"), ("areaYear", "2023"), ("areaSource", "World Bank"), ("action", "save")]
            }
            // when / then: out-of-range values are named at the field, nothing saved
            for huge in ["1e30", "9223372036854775808", "99999999999", "1e308", "inf", "nan", "-1"] {
                let answer = try await editor.post("/countries/jm/edit/facts", facts(huge))
                #expect(answer.status == .unprocessableEntity, "\(huge)")
                #expect(answer.text.contains(#"id="f-populationValue-error""#), "\(huge)")
            }
            #expect(try await CountryRevision.query(on: app.db).count() == 0)
            #expect(try await editor.post("/countries/jm/edit/facts", facts("2837077")).status == .seeOther)
            let country = try #require(try await Country.query(on: app.db).filter(\.$iso2 == "JM").first())
            var content = try await CountryProfiles.current(country, db: app.db).content
            content.facts.population?.value = 1e30
            let revision = CountryRevision()
            revision.$country.id = try country.requireID()
            revision.number = 2
            revision.$user.id = try #require(try await User.query(on: app.db).first()?.requireID())
            revision.at = Date()
            revision.summary = "stored before limits"
            revision.part = "facts"
            revision.contentJSON = content.json
            try await revision.create(on: app.db)
            // then: every page that shows the value answers, and the process lives on
            for path in ["/countries/jm", "/countries/jm/history", "/countries/jm/history/diff?from=1&to=2", "/countries/jm/edit/facts",
                         "/countries/jm/history/diff?from=0&to=99999999999999999999", "/countries/compare?c=jm,tt"] {
                let answer = try await editor.get(path)
                #expect(answer.status.code < 500, "\(path): \(answer.status)")
            }
            #expect(try await editor.get("/countries/jm/edit/facts").text.contains("1e+30"))
            #expect(try await TestBrowser(app).get("/healthz").status == .ok)
        }
    }

    @Test("Every save is a revision; the history compares two and an editor restores an old one", arguments: TestDatabase.all)
    func historyDiffRestore(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", name: "Erin Editor", role: .editor))
            #expect(try await editor.post("/countries/jm/edit/migration", Self.sectionFields("Emigration to the United Kingdom after 1948.", base: "0", summary: "First text")).status == .seeOther)
            #expect(try await editor.post("/countries/jm/edit/migration", Self.sectionFields("Emigration to Canada after 1967.", base: "1", summary: "Second text")).status == .seeOther)
            let history = try await editor.get("/countries/jm/history").text
            #expect(history.contains("First text") && history.contains("Second text") && history.contains("Erin Editor"))
            let diff = try await editor.get("/countries/jm/history/diff?from=1&to=2")
            #expect(diff.status == .ok)
            #expect(diff.text.contains("<del>United Kingdom</del>") || diff.text.contains("<del>the United Kingdom</del>"))
            #expect(diff.text.contains("<ins>Canada</ins>"))
            #expect(try await editor.post("/countries/jm/history/1/restore", []).status == .seeOther)
            let page = try await TestBrowser(app).get("/countries/jm").text
            #expect(page.contains("United Kingdom after 1948"))
            let revisions = try await CountryRevision.query(on: app.db).sort(\.$number).all()
            #expect(revisions.map(\.number) == [1, 2, 3])
            #expect(revisions.last?.part == "restore")
            #expect(try await editor.post("/countries/jm/history/99/restore", []).status == .notFound)
        }
    }

    @Test("Two people editing the same part: the second is told and loses nothing; other parts merge", arguments: TestDatabase.all)
    func conflicts(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let first = try await Fixtures.login(app, as: try await Self.focalPoint(app, "JM", email: "a@example.org"))
            let second = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "b@example.org", role: .editor))
            // Both opened the form at revision 0.
            #expect(try await first.post("/countries/jm/edit/migration", Self.sectionFields("First person's text.", base: "0")).status == .seeOther)
            let clash = try await second.post("/countries/jm/edit/migration", Self.sectionFields("Second person's careful text.", base: "0"))
            #expect(clash.status == .conflict)
            #expect(clash.text.contains("Second person") && clash.text.contains("careful text."))
            #expect(clash.text.contains("First person"))
            #expect(clash.text.contains(#"name="base" value="1""#))
            #expect(try await CountryRevision.query(on: app.db).count() == 1)
            // Another part, from the old base, merges without a conflict.
            #expect(try await second.post("/countries/jm/edit/government", Self.sectionFields("Parliamentary democracy.", base: "0")).status == .seeOther)
            let page = try await TestBrowser(app).get("/countries/jm").text
            #expect(page.contains("First person") && page.contains("Parliamentary democracy."))
        }
    }

    @Test("Profiles are in the shared search: Papiamento finds Aruba and Curaçao, prose is found after a save", arguments: TestDatabase.all)
    func search(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            let papiamento = try await browser.get("/search?q=Papiamento").text
            #expect(papiamento.contains(#"href="/countries/aw""#))
            #expect(papiamento.contains(#"href="/countries/cw""#))
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", role: .editor))
            #expect(try await editor.post("/countries/bb/edit/transnational", Self.sectionFields("Sargassum seaweed affects fisheries.", base: "0")).status == .seeOther)
            #expect(try await browser.get("/search?q=sargassum").text.contains(#"href="/countries/bb""#))
        }
    }
}
