@testable import App
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor

/// Members' datasets under review: their details, their versions and the files checked on the
/// upload page stay with their uploader and the editors until an editor publishes.
@Suite("Statistics centre: review of members' datasets")
struct StatisticsReviewTests {
    /// What a browser would send from the first form of `html`: inputs (not files or buttons), text
    /// areas, the selected option of each select, the checked boxes.
    static func formValues(_ html: String) -> [(String, String)] {
        func unescape(_ text: Substring) -> String {
            text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        }
        func attribute(_ name: String, in tag: Substring) -> String? {
            guard let match = tag.firstMatch(of: try! Regex(" \(name)=\"([^\"]*)\"")) else { return nil }
            return match.output[1].substring.map(unescape)
        }
        guard let start = html.range(of: "<form id=\"dataset-form\""), let end = html.range(of: "</form>", range: start.upperBound..<html.endIndex) else { return [] }
        let form = html[start.lowerBound..<end.upperBound]
        var values: [(String, String)] = []
        for match in form.matches(of: /<input[^>]*>/) {
            let tag = match.output
            guard let name = attribute("name", in: tag), name != "_csrf", let type = attribute("type", in: tag), type != "file" else { continue }
            if type == "checkbox" && !tag.contains(" checked") { continue }
            values.append((name, attribute("value", in: tag) ?? ""))
        }
        for match in form.matches(of: /<textarea([^>]*)>([^<]*)<\/textarea>/) {
            if let name = attribute("name", in: match.output.1) { values.append((name, unescape(match.output.2))) }
        }
        for match in form.matches(of: /<select([^>]*)>(.*?)<\/select>/) {
            guard let name = attribute("name", in: match.output.1) else { continue }
            let selected = match.output.2.firstMatch(of: /<option value="([^"]*)" selected/)?.output.1
            values.append((name, selected.map(unescape) ?? ""))
        }
        return values
    }

    static func setting(_ values: [(String, String)], _ changes: [String: String]) -> [(String, String)] {
        values.filter { changes[$0.0] == nil } + changes.map { ($0.key, $0.value) }
    }

    /// A catalogue indicator of the test's own, and a published dataset of `owner` holding one value.
    @discardableResult
    static func dataset(_ app: Application, slug: String, title: String, owner: User?, visibility: Visibility, value: Double) async throws -> StatDataset {
        try await StatisticsSeed.indicator(code: "TEST.PERSONS", name: "Persons counted in a test", definition: "", unit: "persons", themes: "migrant-stock",
                                           source: "Test", licence: "CC BY 4.0", db: app.db)
        try await StatisticsSeed.dataset(slug: slug, title: title, description: "As counted.", source: "Ministry", url: "", licence: "CC BY 4.0", caveats: "",
                                         observations: [.init(indicator: "TEST.PERSONS", area: "JM", year: 2001, value: value)], db: app.db, now: Date())
        let dataset = try #require(try await StatDataset.query(on: app.db).filter(\.$slug == slug).first())
        dataset.visibility = visibility
        dataset.$submitter.id = owner?.id
        try await dataset.save(on: app.db)
        return dataset
    }

    static func csv(_ rows: [String]) -> Data { Data((["indicator,area,period,value"] + rows).joined(separator: "\r\n").utf8) }

    @Test("A member's new version of a members-only dataset leaves it members-only; changed details wait for the editor who publishes", arguments: TestDatabase.all)
    func newVersionKeepsVisibility(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a published members-only dataset of a member, with a value visitors must not see
            let ownerUser = try await Fixtures.user(app, email: "owner@example.org")
            var dataset = try await Self.dataset(app, slug: "border-survey", title: "Border survey", owner: ownerUser, visibility: .members, value: 4242)
            let owner = try await Fixtures.login(app, as: ownerUser)
            let visitor = TestBrowser(app)
            #expect(try await visitor.get("/statistics/datasets/border-survey").status == .notFound)

            // when the owner opens the new-version form, it shows the dataset's details, visibility included
            let page = try await owner.get("/statistics/datasets/new?dataset=border-survey").text
            let form = Self.formValues(page)
            #expect(form.contains { $0 == ("visibility", "members") } && form.contains { $0 == ("title", "Border survey") })
            #expect(form.contains { $0 == ("dataset", "border-survey") } && form.contains { $0 == ("prefilled", "border-survey") })

            // when the owner sends a new version from that form as it is
            let sent = try await owner.postMultipart("/statistics/datasets/new", form + [("action", "import")],
                                                     files: [("file", "v2.csv", Self.csv(["TEST.PERSONS,JM,2001,4343"]))])
            // then the version waits, and the dataset is as private as before
            #expect(sent.status == .seeOther)
            dataset = try #require(try await StatDataset.find(dataset.id, on: app.db))
            #expect(dataset.visibility == .members)
            #expect(try await visitor.get("/statistics/datasets/border-survey").status == .notFound)
            #expect(try await visitor.get("/statistics/datasets/border-survey/data.csv").status == .notFound)
            #expect(!(try await visitor.get("/statistics/indicators/TEST.PERSONS?format=csv&all=1").text.contains("4242")))

            // when an old form that still says "public" is sent for the dataset (it was never filled with its details)
            let stale = try await owner.postMultipart("/statistics/datasets/new", [("dataset", "border-survey"), ("title", "Border survey"), ("source", "Ministry"),
                                                                                  ("licence", "CC BY 4.0"), ("visibility", "public"), ("action", "import")],
                                                      files: [("file", "v3.csv", Self.csv(["TEST.PERSONS,JM,2001,4444"]))])
            // then nothing is imported: the form comes back filled with the dataset's own details
            #expect(stale.status == .ok && Self.formValues(stale.text).contains { $0 == ("visibility", "members") })
            #expect(try await StatDatasetVersion.query(on: app.db).filter(\.$dataset.$id == dataset.requireID()).count() == 1)

            // when the owner chooses "public" and a new title on the filled form
            let changed = Self.setting(form, ["visibility": "public", "title": "Border survey, revised", "action": "import"])
            #expect(try await owner.postMultipart("/statistics/datasets/new", changed, files: [("file", "v3.csv", Self.csv(["TEST.PERSONS,JM,2001,4545"]))]).status == .seeOther)
            // then the published dataset keeps its visibility and title until an editor publishes
            dataset = try #require(try await StatDataset.find(dataset.id, on: app.db))
            #expect(dataset.visibility == .members && dataset.title == "Border survey")
            #expect(try await visitor.get("/statistics/datasets/border-survey").status == .notFound)
            #expect(!(try await visitor.get("/search?q=revised").text.contains("border-survey")))

            // a visibility missing from the form, or not one of the choices, is refused and named
            let missing = try await owner.postMultipart("/statistics/datasets/new", changed.filter { $0.0 != "visibility" },
                                                        files: [("file", "v4.csv", Self.csv(["TEST.PERSONS,JM,2001,1"]))])
            #expect(missing.status == .unprocessableEntity && missing.text.contains("Who can see it: Fill this in."))
            let unknown = try await owner.postMultipart("/statistics/datasets/new", Self.setting(changed, ["visibility": "everyone"]),
                                                        files: [("file", "v4.csv", Self.csv(["TEST.PERSONS,JM,2001,1"]))])
            #expect(unknown.status == .unprocessableEntity && unknown.text.contains("Who can see it: Choose one of the options."))
            dataset = try #require(try await StatDataset.find(dataset.id, on: app.db))
            #expect(dataset.visibility == .members)

            // when the editor looks at the dataset, the proposed changes are shown; publishing applies them with the data
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "editor@example.org", role: .editor))
            let review = try await editor.get("/statistics/datasets/border-survey").text
            #expect(review.contains("With this version, Who can see it: Everyone") && review.contains("With this version, Title: Border survey, revised"))
            #expect(try await editor.post("/statistics/datasets/border-survey/publish", []).status == .seeOther)
            dataset = try #require(try await StatDataset.find(dataset.id, on: app.db))
            #expect(dataset.visibility == .public && dataset.title == "Border survey, revised")
            #expect(try await visitor.get("/statistics/indicators/TEST.PERSONS?format=csv&all=1").text.contains(",4545,"))
        }
    }

    @Test("An editor's explicit change of a published dataset's details applies at once", arguments: TestDatabase.all)
    func editorChangesAtOnce(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a published public dataset of a member
            let ownerUser = try await Fixtures.user(app, email: "owner@example.org")
            var dataset = try await Self.dataset(app, slug: "arrivals", title: "Arrivals", owner: ownerUser, visibility: .public, value: 10)
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "editor@example.org", role: .editor))
            // when an editor sends a new version making it members-only
            let form = Self.formValues(try await editor.get("/statistics/datasets/new?dataset=arrivals").text)
            let sent = try await editor.postMultipart("/statistics/datasets/new", Self.setting(form, ["visibility": "members", "action": "import"]),
                                                      files: [("file", "v2.csv", Self.csv(["TEST.PERSONS,JM,2001,11"]))])
            // then the dataset is members-only at once, its new data still waiting
            #expect(sent.status == .seeOther)
            dataset = try #require(try await StatDataset.find(dataset.id, on: app.db))
            #expect(dataset.visibility == .members && dataset.version == 1)
            #expect(try await TestBrowser(app).get("/statistics/datasets/arrivals").status == .notFound)
        }
    }

    @Test("A version under review is seen by its uploader and the editors only: 404 and no trace for everyone else", arguments: TestDatabase.all)
    func pendingVersions(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a public dataset whose owner sent a second version, not yet published
            let ownerUser = try await Fixtures.user(app, email: "owner@example.org")
            try await Self.dataset(app, slug: "returns", title: "Returns", owner: ownerUser, visibility: .public, value: 7)
            let dataset = try #require(try await StatDataset.query(on: app.db).filter(\.$slug == "returns").first())
            let first = StatDatasetVersion()
            first.$dataset.id = try dataset.requireID()
            first.number = 1
            let published = Self.csv(["TEST.PERSONS,JM,2001,7"])
            let temporary = try app.cpmg.blobs.temporaryURL()
            try published.write(to: temporary)
            first.sha256 = try app.cpmg.blobs.put(movingFileAt: temporary).sha256
            first.filename = "returns.csv"
            first.rows = 1
            first.decimalComma = false
            first.status = .published
            try await first.create(on: app.db)
            let owner = try await Fixtures.login(app, as: ownerUser)
            let form = Self.formValues(try await owner.get("/statistics/datasets/new?dataset=returns").text)
            let secret = Self.csv(["TEST.PERSONS,JM,2001,987654"])
            #expect(try await owner.postMultipart("/statistics/datasets/new", form + [("action", "import")], files: [("file", "confidential-revision.csv", secret)]).status == .seeOther)
            let other = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "other@example.org"))
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "editor@example.org", role: .editor))

            for browser in [TestBrowser(app), other] {
                // when someone else opens the dataset page and the versions' files
                let page = try await browser.get("/statistics/datasets/returns")
                // then the published version is there, the pending one leaves no trace
                #expect(page.status == .ok && page.text.contains("/statistics/datasets/returns/versions/1.csv"))
                #expect(!page.text.contains("versions/2.csv") && !page.text.contains("Version 2") && !page.text.contains("waits for an editor"))
                #expect(!page.text.contains("confidential-revision") && !page.text.contains("987654"))
                #expect(try await browser.get("/statistics/datasets/returns/versions/2.csv").status == .notFound)
                #expect(try await browser.get("/statistics/datasets/returns/versions/1.csv").text == String(decoding: published, as: UTF8.self))
                #expect(try await browser.get("/statistics/datasets/returns/versions/99999999999999999999999.csv").status == .notFound)
            }
            // the uploader and the editors see it and its file
            for browser in [owner, editor] {
                #expect(try await browser.get("/statistics/datasets/returns").text.contains("Version 2"))
                #expect(try await browser.get("/statistics/datasets/returns/versions/2.csv").text == String(decoding: secret, as: UTF8.self))
            }
            #expect(try await editor.get("/statistics/datasets/returns").text.contains("987654"))
        }
    }

    @Test("The upload form's hidden values go through the one escaping helper")
    func hiddenValuesEscaped() throws {
        var form = StatisticsUploadController.Form()
        form.token = "\"><script>alert(1)</script>"
        form.prefilled = "a'b"
        let context = PageContext(t: Localizer(language: .en, catalog: Catalog(strings: [:])), viewer: .visitor, userName: nil, csrfToken: "t", path: "/",
                                  query: [], stylesheet: .stylesheet(version: "1"), notice: nil)
        let html = StatisticsUploadPages.form(form, errors: FormErrors(), preview: nil, datasets: [], context: context).render()
        #expect(!html.contains("<script>") && html.contains("value=\"" + Escape.attribute(form.token) + "\""))
        #expect(html.contains("value=\"a&#39;b\""))
    }
}
