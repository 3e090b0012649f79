@testable import App
import ConsoleKit
import CSVParser
import Fluent
import FluentPostgresDriver
import FluentSQL
import FluentSQLiteDriver
import Foundation
import StatImport
import Testing
import Vapor

/// The statistics centre against hostile and careless use: files checked and abandoned, other
/// people's files, formulas in downloads, bad slugs and numbers, huge cells.
@Suite("Statistics centre: hostile input")
struct StatisticsSafetyTests {
    static let newDataset: [(String, String)] = [("title", "Checked file"), ("source", "Ministry"), ("licence", "CC BY 4.0"), ("visibility", "public")]

    /// Bytes of the files under `folder`.
    static func diskUse(_ folder: URL) -> Int {
        guard let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return 0 }
        var total = 0
        for case let url as URL in files {
            let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            if values?.isRegularFile == true { total += values?.fileSize ?? 0 }
        }
        return total
    }

    /// A valid tidy file of about `rows` × 30 bytes, with one unknown indicator named `marker`
    /// (which its own preview shows).
    static func bigFile(rows: Int, marker: String) -> Data {
        var text = "indicator,area,period,value\r\n\(marker),JM,2001,1\r\n"
        for row in 0..<rows { text += "TEST.PERSONS,JM,\(1950 + row % 70),\(row)\r\n" }
        return Data(text.utf8)
    }

    static func token(_ html: String) -> String { StatisticsReviewTests.formValues(html).first { $0.0 == "token" }?.1 ?? "" }

    @Test("Checked files are their uploader's: another member's token or digest reveals nothing; abandoned files expire and disk use returns to baseline",
          arguments: TestDatabase.all)
    func abandonedPreviews(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await StatisticsSeed.indicator(code: "TEST.PERSONS", name: "Persons", definition: "", unit: "persons", themes: "migrant-stock", source: "Test",
                                               licence: "CC BY 4.0", db: app.db)
            let blobs = app.cpmg.settings.dataDirectory.appendingPathComponent("blobs")
            let baseline = Self.diskUse(blobs)
            let a = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "a@example.org"))
            let b = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "b@example.org"))

            // given three large files a member checks and never imports
            var tokens: [String] = []
            var size = 0
            for n in 1...3 {
                let file = Self.bigFile(rows: 10_000, marker: "SECRETMARKER\(n)")
                size += file.count
                let page = try await a.postMultipart("/statistics/datasets/new", Self.newDataset + [("action", "preview")], files: [("file", "private-\(n).csv", file)])
                #expect(page.status == .ok && page.text.contains("SECRETMARKER\(n)"))
                tokens.append(Self.token(page.text))
            }
            #expect(Set(tokens).count == 3 && tokens.allSatisfy { $0.count >= 40 })
            #expect(Self.diskUse(blobs) >= baseline + size)

            // when another member sends the first file's token, or its SHA-256 as the old form did
            let digest = try LocalBlobStore.digest(ofData: Self.bigFile(rows: 10_000, marker: "SECRETMARKER1"))
            for fields in [[("token", tokens[0])], [("digest", digest), ("filename", "private-1.csv")], [("token", tokens[0]), ("digest", digest)]] {
                let stolen = try await b.postMultipart("/statistics/datasets/new", Self.newDataset + fields + [("action", "preview")], files: [])
                // then they get the form asking for a file, and nothing of the file
                #expect(stolen.status == .unprocessableEntity && stolen.text.contains("Choose a CSV file."))
                #expect(!stolen.text.contains("SECRETMARKER") && !stolen.text.contains("private-1") && !stolen.text.contains("10001 rows"))
            }
            // nor can they import it
            let imported = try await b.postMultipart("/statistics/datasets/new", Self.newDataset + [("token", tokens[1]), ("action", "import")], files: [])
            #expect(imported.status == .unprocessableEntity)
            #expect(try await StatDataset.query(on: app.db).count() == 0)

            // when the previews' time runs out and the jobs run
            let later = Date().addingTimeInterval(StatisticsPreviews.lifetime + 60)
            app.cpmg.now = { later }
            try await app.cpmg.jobs.runDue(app: app, now: { later })
            // then the files are gone: disk use is back where it was
            #expect(try await StatUploadPreview.query(on: app.db).count() == 0)
            #expect(Self.diskUse(blobs) == baseline)
            // and the member's own token no longer brings the file back
            let expired = try await a.postMultipart("/statistics/datasets/new", Self.newDataset + [("token", tokens[2]), ("action", "preview")], files: [])
            #expect(expired.status == .unprocessableEntity && !expired.text.contains("SECRETMARKER3"))
        }
    }

    @Test("A checked file goes when its check is cancelled or replaced, and stays with the version it is imported into", arguments: TestDatabase.all)
    func cancelledAndImportedPreviews(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await StatisticsSeed.indicator(code: "TEST.PERSONS", name: "Persons", definition: "", unit: "persons", themes: "migrant-stock", source: "Test",
                                               licence: "CC BY 4.0", db: app.db)
            let blobs = app.cpmg.settings.dataDirectory.appendingPathComponent("blobs")
            let baseline = Self.diskUse(blobs)
            let a = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "a@example.org"))
            // given a checked file
            let first = try await a.postMultipart("/statistics/datasets/new", Self.newDataset + [("action", "preview")],
                                                  files: [("file", "one.csv", StatisticsReviewTests.csv(["TEST.PERSONS,JM,2001,1"]))])
            #expect(first.text.contains(#"value="cancel""#))
            // when another file replaces it, then only the new one is kept
            let second = try await a.postMultipart("/statistics/datasets/new", Self.newDataset + [("token", Self.token(first.text)), ("action", "preview")],
                                                   files: [("file", "two.csv", StatisticsReviewTests.csv(["TEST.PERSONS,JM,2002,2"]))])
            #expect(second.status == .ok && second.text.contains("two.csv") && Self.token(second.text) != Self.token(first.text))
            #expect(try await StatUploadPreview.query(on: app.db).count() == 1)
            // when it is cancelled, then it is gone
            let cancelled = try await a.postMultipart("/statistics/datasets/new", [("token", Self.token(second.text)), ("action", "cancel")], files: [])
            #expect(cancelled.status == .seeOther)
            #expect(try await StatUploadPreview.query(on: app.db).count() == 0 && Self.diskUse(blobs) == baseline)

            // when a checked file is imported, then the preview goes and the version keeps the file, also after expiry
            let data = StatisticsReviewTests.csv(["TEST.PERSONS,JM,2003,3"])
            let third = try await a.postMultipart("/statistics/datasets/new", Self.newDataset + [("action", "preview")], files: [("file", "three.csv", data)])
            let done = try await a.postMultipart("/statistics/datasets/new", Self.newDataset + [("token", Self.token(third.text)), ("action", "import")], files: [])
            #expect(done.status == .seeOther)
            #expect(try await StatUploadPreview.query(on: app.db).count() == 0)
            let later = Date().addingTimeInterval(StatisticsPreviews.lifetime + 60)
            app.cpmg.now = { later }
            try await app.cpmg.jobs.runDue(app: app, now: { later })
            #expect(Self.diskUse(blobs) == baseline + data.count)
            let slug = try #require(try await StatDataset.query(on: app.db).first()?.slug)
            #expect(try await a.get("/statistics/datasets/\(slug)/versions/1.csv").text == String(decoding: data, as: UTF8.self))
        }
    }

    // MARK: - Downloads

    static let notes = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB first", "\r\nline end first", "=\u{301}combining", "plain, with a comma",
                        "quote \"inside\"", "-"]
    static let values: [Double] = [-1200, 0.5, 1e20, 123.25, -0.001, 42, 7, 0, 3.5, -8]

    /// A dataset whose source, licence, unit, notes and age groups start like formulas.
    static func formulaDataset(_ app: Application) async throws -> [StatisticsSeed.Observation] {
        try await StatisticsSeed.indicator(code: "TEST.FORMULA", name: "Formula test", definition: "", unit: "persons, 'counted' 100%", themes: "migrant-stock",
                                           source: "Test", licence: "CC BY 4.0", db: app.db)
        try await StatisticsSeed.indicator(code: "TEST.BILATERAL", name: "Bilateral test", definition: "", unit: "persons", themes: "diaspora", source: "Test",
                                           licence: "CC BY 4.0", disaggregations: "origin", db: app.db)
        var observations = zip(notes, values).enumerated().map { index, pair in
            StatisticsSeed.Observation(indicator: "TEST.FORMULA", area: "JM", year: 2001 + index, value: pair.1, note: pair.0)
        }
        observations.append(.init(indicator: "TEST.FORMULA", area: "JM", year: 2001, value: 5, age: "=A1"))
        observations += [("F", 10.0), ("M", 15.0), ("T", 25.0)].map { sex, value in
            .init(indicator: "TEST.BILATERAL", area: "JM", year: 2010, sex: sex, value: value, note: "@origin", counterpart: "USA")
        }
        try await StatisticsSeed.dataset(slug: "formula-test", title: "Formula test", description: "", source: "=HYPERLINK(\"http://evil.example\")", url: "",
                                         licence: "@licence", caveats: "", observations: observations, db: app.db, now: Date())
        return observations
    }

    /// Every cell of `table` outside `numeric` is text that cannot start a formula; numeric cells are numbers.
    static func expectSafe(_ table: CSVTable, numeric: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!table.rows.isEmpty, sourceLocation: sourceLocation)
        for row in table.rows {
            for (name, cell) in zip(table.header, row.fields) {
                if numeric.contains(name) {
                    #expect(cell.isEmpty || Double(cell) != nil, "\(name): \(cell)", sourceLocation: sourceLocation)
                } else if let first = cell.unicodeScalars.first {
                    #expect(!CSVCell.formulaStarters.contains(first), "\(name): \(cell.debugDescription)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test("Formulas in notes, sources, licences, units and age groups come out as text in every download; numbers stay numbers", arguments: TestDatabase.all)
    func formulaInjection(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a dataset whose texts start like spreadsheet formulas
            let observations = try await Self.formulaDataset(app)
            let browser = TestBrowser(app)

            // when the selection is downloaded as CSV and SDMX-CSV, then each reads back through a CSV parser,
            // every text cell guarded, every number a number
            let selection = try CSV.parse(try await browser.get("/statistics/indicators/TEST.FORMULA?c=jm&from=2001&to=2010&format=csv").text)
            Self.expectSafe(selection, numeric: ["year", "value"])
            #expect(selection.rows.compactMap { $0["note"] } == Self.notes.map { CSVCell.formulaStarters.contains($0.unicodeScalars.first!) ? "'" + $0 : $0 })
            #expect(selection.rows.compactMap { $0["value"].flatMap(Double.init) } == Self.values)
            #expect(selection.rows.first?["source"] == "'=HYPERLINK(\"http://evil.example\")" && selection.rows.first?["licence"] == "'@licence")
            let sdmx = try CSV.parse(try await browser.get("/statistics/indicators/TEST.FORMULA?c=jm&from=2001&to=2010&format=sdmx").text)
            Self.expectSafe(sdmx, numeric: ["TIME_PERIOD", "OBS_VALUE"])
            #expect(sdmx.rows.first?["COMMENT"] == "'=cmd|' /C calc'!A0" && sdmx.rows.first?["OBS_VALUE"] == "-1200")
            let bilateral = try CSV.parse(try await browser.get("/statistics/indicators/TEST.BILATERAL?c=jm&to=2010&format=csv").text)
            Self.expectSafe(bilateral, numeric: ["year", "female", "male", "total"])
            #expect(bilateral.rows.first?["total"] == "25")
            Self.expectSafe(try CSV.parse(try await browser.get("/statistics/indicators/TEST.BILATERAL?c=jm&to=2010&format=sdmx").text),
                            numeric: ["TIME_PERIOD", "OBS_VALUE"])

            // the whole indicator, the whole dataset and the kept file of the export job are, byte for
            // byte, what the one cell writer writes (so SQLite and PostgreSQL write the same file)
            let text = CSVCell.text
            func lines(_ code: String) -> [String] {
                observations.filter { $0.indicator == code }.map { o in
                    CSVCell.record([text(o.indicator), text(o.area), CSVCell.number(o.year), text(o.period ?? String(o.year)), text(o.sex), text(o.age),
                                    text(o.counterpart), CSVCell.number(o.value), text(code == "TEST.FORMULA" ? "persons, 'counted' 100%" : "persons"), text(o.flag),
                                    text(o.note), text("formula-test"), text("=HYPERLINK(\"http://evil.example\")"), text("@licence")])
                }
            }
            let expectedDataset = ([StatisticsExport.header] + lines("TEST.BILATERAL") + lines("TEST.FORMULA")).joined(separator: "\r\n") + "\r\n"
            let expectedIndicator = ([StatisticsExport.header] + lines("TEST.FORMULA")).joined(separator: "\r\n") + "\r\n"
            #expect(try await browser.get("/statistics/datasets/formula-test/data.csv").text == expectedDataset)
            let whole = try await browser.get("/statistics/indicators/TEST.FORMULA?format=csv&all=1").text
            #expect(whole == expectedIndicator)
            Self.expectSafe(try CSV.parse(whole), numeric: ["year", "value"])
            StatisticsExport.clear(app)
            try await StatisticsExportJob.enqueue("formula-test", db: app.db)
            try await app.cpmg.jobs.runDue(app: app)
            let kept = try FileManager.default.contentsOfDirectory(atPath: StatisticsExport.directory(app).path).sorted()
            #expect(kept.count == 3)
            // codes are written as stored, so a code that a cell would change never gets in
            await #expect(throws: StatisticsSeed.UnsafeCode.self) {
                try await StatisticsSeed.dataset(slug: "bad-code", title: "Bad code", description: "", source: "S", url: "", licence: "L", caveats: "",
                                                 observations: [.init(indicator: "TEST.FORMULA", area: "=A1", year: 2001, value: 1)], db: app.db, now: Date())
            }
            #expect(try await StatDataset.query(on: app.db).filter(\.$slug == "bad-code").count() == 0)
            for name in kept {
                let file = try String(contentsOf: StatisticsExport.directory(app).appendingPathComponent(name), encoding: .utf8)
                #expect(file == (name.hasPrefix("dataset-") ? expectedDataset : name.hasPrefix("indicator-test-formula") ? expectedIndicator
                                 : ([StatisticsExport.header] + lines("TEST.BILATERAL")).joined(separator: "\r\n") + "\r\n"))
            }
        }
    }

    @Test("The attendee list of an event goes through the same cell writer", arguments: TestDatabase.all)
    func attendeeCSV(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given an attendee whose name and organisation start like formulas
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "editor@example.org", role: .editor))
            let id = try await EventTests.create(app, editor, EventTests.fields("Data workshop", registration: true, capacity: "10"))
            let user = try await Fixtures.user(app, email: "attendee@example.org", name: "=cmd|' /C calc'!A0")
            user.organisation = "@Ministry"
            try await user.save(on: app.db)
            #expect(try await Fixtures.login(app, as: user).post("/events/\(id)/register", []).status == .seeOther)
            // when the organiser downloads the list, then it reads back with the cells guarded
            let text = try await editor.get("/events/\(id)/attendees.csv").text
            let table = try CSV.parse(String(text.drop { $0 == "\u{FEFF}" }))
            Self.expectSafe(table, numeric: [])
            #expect(table.rows.first?["name"] == "'=cmd|' /C calc'!A0" && table.rows.first?["organisation"] == "'@Ministry")
        }
    }

    @Test("The whole downloads' SQL carries every value as a bound parameter")
    func boundExportSQL() async throws {
        // given a part whose indicator, unit, dataset and source hold quotes, percent signs and SQL
        let indicator = StatIndicator()
        indicator.code = "X'; DROP TABLE stat_observations; --"
        indicator.unit = "per 1000 'people' 50%"
        let dataset = StatDataset()
        dataset.id = UUID()
        dataset.slug = "slug"
        dataset.source = "O'Brien"
        dataset.licence = "CC"
        let part = StatisticsExport.Part(indicator: indicator, dataset: dataset)
        // when the query of each engine is written
        for (postgres, dialect) in [(true, "postgresql"), (false, "sqlite")] {
            let query = StatisticsExport.query(part, dataset: dataset.id!, postgres: postgres, after: 5, separator: "'\r\n")
            var serializer = SQLSerializer(database: FakeSQL(dialectName: dialect))
            query.serialize(to: &serializer)
            // then its text has no string literal at all: the values are all binds
            #expect(!serializer.sql.contains("'"), "\(dialect): \(serializer.sql)")
            let binds = serializer.binds.compactMap { $0 as? String }
            #expect(binds.contains(indicator.code) && binds.contains { $0.contains("per 1000 'people' 50") })
        }
    }

    // MARK: - Input

    @Test("import-statistics --dataset takes only a slug the upload page would make, and says which option is wrong", arguments: TestDatabase.all)
    func commandSlug(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await StatisticsSeed.indicator(code: "TEST.PERSONS", name: "Persons", definition: "", unit: "persons", themes: "migrant-stock", source: "Test",
                                               licence: "CC BY 4.0", db: app.db)
            let file = app.cpmg.settings.dataDirectory.appendingPathComponent("figures.csv")
            try StatisticsReviewTests.csv(["TEST.PERSONS,JM,2001,1"]).write(to: file)
            func run(_ slug: String) async throws {
                var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["cpmg", file.path, "--dataset", slug, "--title", "Figures",
                                                                                                   "--source", "Ministry", "--licence", "CC BY 4.0"]))
                context.application = app
                try await ImportStatisticsCommand().run(using: &context)
            }
            // given slugs the web form would never make
            for bad in ["Bad Slug!", "UPPER", "a--b", "under_score", "trailing-", String(repeating: "x", count: 61), "a/b", "ünïcödé", "x\u{1B}[2J",
                        "one-two-three-four-five-six-seven-eight-nine", "../etc"] {
                // when one is given, then the command stops naming the option, and nothing is created
                await #expect { try await run(bad) } throws: { ($0 as? CommandFailure)?.description.hasPrefix("--dataset: ") == true }
            }
            #expect(try await StatDataset.query(on: app.db).count() == 0)
            // a slug like the form's is imported
            try await run("figures-2001")
            #expect(try await StatDataset.query(on: app.db).filter(\.$slug == "figures-2001").first()?.status == .published)
        }
    }

    @Test("A 10 MB cell is echoed as 100 characters: the preview page stays small")
    func hugeCell() throws {
        // given a file with a 10 MB value, area and column name
        let huge = String(repeating: "A", count: 10_000_000)
        let file = Data("indicator,area,period,value,\(huge)\r\nTEST.PERSONS,JM,2001,\(huge),\r\nTEST.PERSONS,\(huge),2001,1,\r\n".utf8)
        // when it is checked and its preview shown on the upload page
        let preview = StatImporter.parse(file, rules: ImportRules(indicators: [IndicatorSpec(code: "TEST.PERSONS", unit: "persons")], areas: ["JM": "JM"]))
        let context = PageContext(t: Localizer(language: .en, catalog: try Catalog.load(from: Self.localization)), viewer: .visitor, userName: nil,
                                  csrfToken: "t", path: "/", query: [], stylesheet: .stylesheet(version: "1"), notice: nil)
        let html = StatisticsUploadPages.form(StatisticsUploadController.Form(), errors: FormErrors(), preview: preview, datasets: [], context: context).render()
        // then the problems name line and column, show the start of each cell, and the page is small
        #expect(html.contains("<td>2</td><td>value</td>") && html.contains("<td>3</td><td>area</td>") && html.contains(String(repeating: "A", count: 100) + "…"))
        #expect(html.utf8.count < 20_000, "page of \(html.utf8.count) bytes")
    }

    static let localization = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Resources/Localization")

    @Test("A large cell and a large text field come back cut short, end to end", arguments: TestDatabase.all)
    func largeCellThroughTheForm(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await StatisticsSeed.indicator(code: "TEST.PERSONS", name: "Persons", definition: "", unit: "persons", themes: "migrant-stock", source: "Test",
                                               licence: "CC BY 4.0", db: app.db)
            let a = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "a@example.org"))
            // given a file with a 300 kB value and 300 kB in a text field of the form
            let large = String(repeating: "A", count: 300_000)
            let file = StatisticsReviewTests.csv(["TEST.PERSONS,JM,2001,\(large)"])
            // when it is checked
            let page = try await a.postMultipart("/statistics/datasets/new", Self.setting(Self.newDataset, "description", large) + [("action", "preview")],
                                                 files: [("file", "large.csv", file)])
            // then both are named, and the page is small
            #expect(page.status == .unprocessableEntity && page.text.contains("Description: This is too long."))
            #expect(page.text.contains("<td>2</td><td>value</td>") && page.text.contains(String(repeating: "A", count: 100) + "…"))
            #expect(page.text.utf8.count < 50_000, "page of \(page.text.utf8.count) bytes")
        }
    }

    static func setting(_ fields: [(String, String)], _ name: String, _ value: String) -> [(String, String)] {
        fields.filter { $0.0 != name } + [(name, value)]
    }

    @Test("Huge numbers, NaN, 1e400 and control characters in every field of the upload form are refused with a message, never a 500", arguments: TestDatabase.all)
    func hostileForm(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await StatisticsSeed.indicator(code: "TEST.PERSONS", name: "Persons", definition: "", unit: "persons", themes: "migrant-stock", source: "Test",
                                               licence: "CC BY 4.0", db: app.db)
            let a = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "a@example.org"))
            let good = StatisticsReviewTests.csv(["TEST.PERSONS,JM,2001,1"])
            let hostile = ["9223372036854775808", "-9223372036854775809", "1e400", "NaN", "inf", "-0", "\u{0}", "a\u{1}b", "\u{1B}[2J", "\u{7F}",
                           String(repeating: "9", count: 100_000), "\"><script>alert(1)</script>"]
            let fields = ["title", "description", "source", "source_url", "licence", "caveats", "visibility", "dataset", "decimal_comma", "token", "prefilled", "action"]
            // given each hostile value in each field of an otherwise good form
            for field in fields {
                for value in hostile {
                    let response = try await a.postMultipart("/statistics/datasets/new", Self.setting(Self.newDataset + [("action", "preview")], field, value),
                                                             files: [("file", "good.csv", good)])
                    // then the answer is a page, never a server error, and the value is never echoed unescaped
                    #expect(response.status.code < 500, "\(field) = \(value.prefix(20).debugDescription): \(response.status)")
                    #expect(!response.text.contains("<script>alert(1)"))
                    #expect(response.text.utf8.count < 150_000)
                }
            }
            // a 1 MB text is refused as too long, and shown cut to the field's length
            let long = try await a.postMultipart("/statistics/datasets/new", Self.setting(Self.newDataset + [("action", "preview")], "caveats", String(repeating: "9", count: 1_000_000)),
                                                 files: [("file", "good.csv", good)])
            #expect(long.status == .unprocessableEntity && long.text.contains("Caveats: This is too long.") && long.text.utf8.count < 50_000)
            // control and bidirectional characters never reach the dataset's details
            let control = try await a.postMultipart("/statistics/datasets/new", Self.setting(Self.newDataset + [("action", "import")], "title", "Figures\u{1B}[2J\u{0}\u{202E}"),
                                                    files: [("file", "good.csv", good)])
            #expect(control.status == .seeOther)
            #expect(try await StatDataset.query(on: app.db).all().map(\.title) == ["Figures[2J"])

            // and the same in the file: each bad number or control character is a problem at its line and column
            let file = StatisticsReviewTests.csv(["TEST.PERSONS,JM,2001,1e400", "TEST.PERSONS,JM,2002,NaN", "TEST.PERSONS,JM,99999999999999999999,1",
                                                  "TEST.PERSONS,JM,2003,9223372036854775808"])
            let page = try await a.postMultipart("/statistics/datasets/new", Self.newDataset + [("action", "preview")], files: [("file", "numbers.csv", file)])
            #expect(page.status == .ok)
            #expect(page.text.contains("<td>2</td><td>value</td>") && page.text.contains("<td>3</td><td>value</td>") && page.text.contains("<td>4</td><td>period</td>"))
            let notes = Data("indicator,area,period,value,note\r\nTEST.PERSONS,JM,2001,1,\"\u{1B}[2J\"\r\n".utf8)
            let noted = try await a.postMultipart("/statistics/datasets/new", Self.newDataset + [("action", "preview")], files: [("file", "notes.csv", notes)])
            #expect(noted.text.contains("<td>2</td><td>note</td>") && noted.text.contains("U+001B"))
            // and numbers in addresses
            let browser = TestBrowser(app)
            #expect(try await browser.get("/statistics/indicators/TEST.PERSONS?from=99999999999999999999&to=NaN").status == .ok)
            #expect(try await browser.get("/statistics/datasets/x/versions/-1.csv").status == .notFound)
        }
    }
}

/// Only a dialect, for writing queries without a database.
private struct FakeSQL: SQLDatabase {
    let dialectName: String
    var logger: Logger { Logger(label: "fake") }
    var eventLoop: any EventLoop { fatalError("no database") }
    var dialect: any SQLDialect { dialectName == "postgresql" ? PostgresDialect() : SQLiteDialect() }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> { fatalError("no database") }
}
