@testable import App
import CSVParser
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor
import XMLSupport

@Suite("Statistics centre")
struct StatisticsTests {
    static let withData = ["CPMG_LOAD_STATISTICS": "true"]

    static func count(_ app: Application, _ slug: String) async throws -> Int {
        let sql = app.db as! any SQLDatabase
        return try await sql.raw("""
            SELECT count(*) AS n FROM stat_observations o JOIN stat_datasets d ON d.id = o.dataset_id WHERE d.slug = \(bind: slug)
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    @Test("The real data loads once, as published datasets with sources; loading again changes nothing", arguments: TestDatabase.all)
    func seed(database: TestDatabase) async throws {
        try await withApp(database, environment: Self.withData) { app in
            #expect(try await Self.count(app, "world-bank-wdi") == 10_076)
            #expect(try await Self.count(app, "undesa-ims-2024") > 1_000)
            #expect(try await Self.count(app, "unhcr-refugees") > 100)
            #expect(try await Self.count(app, "idmc-displacement") > 100)
            #expect(try await Self.count(app, "gdi-irregular-movements") > 100)
            #expect(try await Self.count(app, "undesa-ims-2020-by-destination") > 10_000)
            let before = try await StatDataset.query(on: app.db).count()
            try await StatisticsSeed.load(from: app.cpmg.settings.resourcesDirectory.appendingPathComponent("Statistics"), on: app.db, now: Date())
            #expect(try await StatDataset.query(on: app.db).count() == before)
            #expect(try await Self.count(app, "world-bank-wdi") == 10_076)
            let sql = app.db as! any SQLDatabase
            let jamaica = try await sql.raw("""
                SELECT value FROM stat_observations WHERE indicator = 'SP.POP.TOTL' AND area = 'JM' AND year = 2025
                """).first()?.decode(column: "value", as: Double.self)
            #expect(jamaica == 2_837_077)
        }
    }

    @Test("An indicator page charts and tabulates exactly the selection; downloads round-trip; bad URLs are named", arguments: TestDatabase.all)
    func indicatorPage(database: TestDatabase) async throws {
        try await withApp(database, environment: Self.withData) { app in
            let browser = TestBrowser(app)
            #expect(try await browser.get("/statistics").text.contains("Net migration"))
            let page = try await browser.get("/statistics/indicators/SM.POP.NETM?c=jm,tt&from=2000&to=2020")
            #expect(page.status == .ok)
            let svgStart = try #require(page.text.range(of: "<svg"))
            let svgEnd = try #require(page.text.range(of: "</svg>", range: svgStart.lowerBound..<page.text.endIndex))
            let svg = String(page.text[svgStart.lowerBound..<svgEnd.upperBound])
            let tree = try XMLTree.parse(svg)
            #expect(tree.name == "svg")
            #expect(svg.contains(#"data-x="2000""#))
            #expect(svg.components(separatedBy: "data-x=").count - 1 == 42, "21 years × 2 countries")
            // Every number of the table names its dataset.
            #expect(page.text.contains("Dataset: World Bank World Development Indicators (Caribbean extract)"))

            let csv = try await browser.get("/statistics/indicators/SM.POP.NETM?c=jm,tt&from=2000&to=2020&format=csv")
            #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true)
            let table = try CSV.parse(csv.text)
            #expect(table.rows.count == 42)
            #expect(Set(table.rows.compactMap { $0["area"] }) == ["JM", "TT"])
            #expect(table.rows.allSatisfy { (2000...2020).contains(Int($0["year"] ?? "") ?? 0) })
            #expect(table.rows.allSatisfy { ($0["source"] ?? "").contains("World Bank") && $0["licence"] == "CC BY 4.0" })
            let sql = app.db as! any SQLDatabase
            let jm2010 = try await sql.raw("SELECT value FROM stat_observations WHERE indicator = 'SM.POP.NETM' AND area = 'JM' AND year = 2010")
                .first()?.decode(column: "value", as: Double.self)
            let row = try #require(table.rows.first { $0["area"] == "JM" && $0["year"] == "2010" })
            #expect(Double(row["value"] ?? "") == jm2010)
            #expect(try await browser.get("/statistics/indicators/SM.POP.NETM?c=jm&format=json").text.contains(#""observations""#))
            #expect(try await browser.get("/statistics/indicators/SM.POP.NETM?c=jm&format=sdmx").text.hasPrefix("DATAFLOW,REF_AREA,INDICATOR"))
            #expect(try await browser.get("/statistics/indicators/SM.POP.NETM?c=jm&format=svg").text.hasPrefix("<svg"))

            let bad = try await browser.get("/statistics/indicators/SM.POP.NETM?countries=zz,jm&from=3000")
            #expect(bad.status == .ok)
            #expect(bad.text.contains("is not one of the countries and territories"))
            #expect(bad.text.contains("3000 is outside the years"))
            #expect(try await browser.get("/statistics/indicators/NOPE").status == .notFound)
            // Totals summed over origins are series, not bilateral tables.
            let refugees = try await browser.get("/statistics/indicators/refugees_hosted?c=bs,tt").text
            #expect(refugees.contains("chart-line") && !refugees.contains("class=\"empty\""))
            for view in ["table", "map", "sources"] {
                #expect(try await browser.get("/statistics/indicators/immigrant_stock?c=jm,tt&view=\(view)").status == .ok)
            }
            // Search, the dataset page (schema.org Dataset), the Atom feed and the sitemap.
            #expect(try await browser.get("/search?q=remittances").text.contains("/statistics/indicators/BX.TRF.PWKR.CD.DT"))
            let datasetPage = try await browser.get("/statistics/datasets/world-bank-wdi").text
            #expect(datasetPage.contains(#""@type":"Dataset""#) && datasetPage.contains("CC BY 4.0"))
            #expect(try await browser.get("/feeds/datasets.atom").text.contains("World Bank World Development Indicators"))
            #expect(try await browser.get("/sitemap.xml").text.contains("/statistics/indicators/SM.POP.NETM"))
            #expect(try await browser.get("/countries/compare?c=jm,tt").text.contains("/statistics/indicators/SM.POP.NETM?c=jm,tt"))
            // Where Jamaica's emigrants live (2020 revision): the United States first, by sex.
            let diaspora = try await browser.get("/statistics/indicators/emigrants_by_destination?c=jm&to=2020")
            #expect(diaspora.status == .ok && diaspora.text.contains("chart-stacked"))
            let firstRow = try #require(diaspora.text.range(of: #"<tbody><tr><th scope="row">"#))
            #expect(diaspora.text[firstRow.upperBound...].hasPrefix("United States"))
            let bilateral = try CSV.parse(try await browser.get("/statistics/indicators/emigrants_by_destination?c=jm&to=2020&format=csv").text)
            let usa = try #require(bilateral.rows.first { $0["counterpart"] == "USA" })
            #expect(Double(usa["total"] ?? "") == (Double(usa["female"] ?? "") ?? 0) + (Double(usa["male"] ?? "") ?? 0))
            // The same view as JSON, SDMX-CSV (with the counterpart) and a stand-alone SVG.
            let json = try await browser.get("/statistics/indicators/emigrants_by_destination?c=jm&to=2020&format=json").text
            #expect(json.contains(#""counterpart":"USA""#))
            let sdmx = try CSV.parse(try await browser.get("/statistics/indicators/emigrants_by_destination?c=jm&to=2020&format=sdmx").text)
            #expect(sdmx.rows.contains { $0["COUNTERPART_AREA"] == "USA" && $0["SEX"] == "T" && $0["OBS_VALUE"] == usa["total"] })
            let bilateralSVG = try await browser.get("/statistics/indicators/emigrants_by_destination?c=jm&to=2020&format=svg").text
            #expect(bilateralSVG.hasPrefix("<svg") && bilateralSVG.contains("chart-stacked") && bilateralSVG.contains("<style>"))
            #expect(try XMLTree.parse(bilateralSVG).name == "svg")
            // The country profile shows the key indicators with trend lines.
            let profile = try await browser.get("/countries/jm").text
            #expect(profile.contains("Key indicators") && profile.contains("/statistics/indicators/SM.POP.NETM?c=jm"))
        }
    }

    @Test("Breakdowns: a computed Caribbean sum labelled as such, age groups by sex, origins over the years, one year as bars", arguments: TestDatabase.all)
    func breakdowns(database: TestDatabase) async throws {
        try await withApp(database, environment: Self.withData) { app in
            let browser = TestBrowser(app)
            let sql = app.db as! any SQLDatabase
            // The regional sum: computed from the areas with data, flagged D, saying how many areas it covers.
            let csv = try CSV.parse(try await browser.get("/statistics/indicators/SP.POP.TOTL?c=xc,jm&from=2020&to=2020&format=csv").text)
            let region = try #require(csv.rows.first { $0["area"] == "XC" })
            let sum = try await sql.raw("""
                SELECT sum(value) AS total, count(*) AS n FROM stat_observations WHERE indicator = 'SP.POP.TOTL' AND year = 2020 AND sex = 'T' AND age = '' AND counterpart = ''
                """).first()
            #expect(Double(region["value"] ?? "") == (try sum?.decode(column: "total", as: Double.self)))
            let areas = try #require(try sum?.decode(column: "n", as: Int.self))
            #expect(region["flag"] == "D" && (region["note"] ?? "").contains("\(areas) of the 33"))
            #expect(region["area_name"]?.contains("Caribbean") == true && csv.rows.contains { $0["area"] == "JM" })
            let page = try await browser.get("/statistics/indicators/SP.POP.TOTL?c=xc,jm").text
            #expect(page.contains("Caribbean (sum of the areas with data)"))
            // The themes' headlines: the regional sum of a key indicator, over comparable years.
            let index = try await browser.get("/statistics").text
            #expect(index.contains("class=\"headline\"") && index.contains("/statistics/indicators/immigrant_stock?c=xc"))
            // A share is not summed: the page says so instead.
            #expect(try await browser.get("/statistics/indicators/SL.UEM.TOTL.ZS?c=xc,jm").text.contains("not computed for this indicator"))

            // Age groups: IDPs at the end of 2024 in Cuba, by age group and sex; the parts add up to the total.
            let idps = try await browser.get("/statistics/indicators/idps_disasters?c=cu")
            #expect(idps.status == .ok && idps.text.contains("id=\"by-age\"") && idps.text.contains("60+"))
            let parts = try await sql.raw("""
                SELECT sum(value) AS total FROM stat_observations WHERE indicator = 'idps_disasters' AND area = 'CU' AND age <> '' AND sex <> 'T'
                """).first()?.decode(column: "total", as: Double.self)
            let total = try CSV.parse(try await browser.get("/statistics/indicators/idps_disasters?c=cu&format=csv").text).rows.first { $0["sex"] == "T" }
            #expect(parts != nil && Double(total?["value"] ?? "") == parts)
            // One year only: the comparison is drawn as bars.
            #expect(try await browser.get("/statistics/indicators/idps_disasters?c=cu,ht,bs").text.contains("chart-bars"))

            // Where Jamaica's immigrants come from, over the years: one stacked bar a year.
            let origins = try await browser.get("/statistics/indicators/immigrants_by_origin?c=jm").text
            #expect(origins.contains("id=\"over-time\"") && origins.contains(">1990<") && origins.contains(">2024<"))
        }
    }

    @Test("Whole downloads: every row of an indicator or a dataset, read back by a CSV parser, then served from a kept file", arguments: TestDatabase.all)
    func wholeDownloads(database: TestDatabase) async throws {
        try await withApp(database, environment: Self.withData) { app in
            let browser = TestBrowser(app)
            // A bilateral indicator: every counterpart row is in the whole download.
            let first = try await browser.get("/statistics/indicators/emigrants_by_destination?format=csv&all=1")
            #expect(first.status == .ok && first.headers.first(name: .contentType) == "text/csv; charset=utf-8")
            let table = try CSV.parse(first.text)
            #expect(table.header == StatisticsExport.header.split(separator: ",").map(String.init))
            let sql = app.db as! any SQLDatabase
            let rows = try await sql.raw("SELECT count(*) AS n FROM stat_observations WHERE indicator = 'emigrants_by_destination'").first()?.decode(column: "n", as: Int.self)
            #expect(table.rows.count == rows)
            let usa = try #require(table.rows.first { $0["area"] == "JM" && $0["year"] == "2020" && $0["counterpart"] == "USA" && $0["sex"] == "F" })
            #expect(usa["dataset"] == "undesa-ims-2020-by-destination" && usa["licence"]?.isEmpty == false && Double(usa["value"] ?? "") != nil)
            // The second request is the kept file: the same bytes, with an ETag and ranges.
            let again = try await browser.get("/statistics/indicators/emigrants_by_destination?format=csv&all=1")
            #expect(again.text == first.text && again.headers.first(name: .eTag) != nil)
            var range = HTTPHeaders()
            range.replaceOrAdd(name: .range, value: "bytes=0-9")
            let part = try await browser.get("/statistics/indicators/emigrants_by_destination?format=csv&all=1", headers: range)
            #expect(part.status == .partialContent && part.text == "indicator,")
            // A dataset: all its indicators in one file.
            let dataset = try CSV.parse(try await browser.get("/statistics/datasets/undesa-ims-2020/data.csv").text)
            #expect(Set(dataset.rows.compactMap { $0["indicator"] }) == ["immigrant_stock_rev2020", "emigrant_stock_rev2020"])
            #expect(dataset.rows.count == (try await Self.count(app, "undesa-ims-2020")))
            #expect(try await browser.get("/statistics/datasets/undesa-ims-2020").text.contains("/statistics/datasets/undesa-ims-2020/data.csv"))
            #expect(try await browser.get("/statistics/datasets/no-such-dataset/data.csv").status == .notFound)
            // Commas, quotes and line ends in a note or an age group survive the database-written lines.
            let note = "Revised, see \"Annex 2\"\r\nsecond line"
            try await StatisticsSeed.dataset(slug: "quoting", title: "Quoting", description: "", source: "Test, with a comma", url: "", licence: "CC BY 4.0", caveats: "",
                                             observations: [.init(indicator: "SM.POP.NETM", area: "JM", year: 1950, value: -1.25, note: note, age: "15,24")], db: app.db, now: Date())
            let quoting = try CSV.parse(try await browser.get("/statistics/datasets/quoting/data.csv").text)
            #expect(quoting.rows.count == 1 && quoting.rows.first?["note"] == note && quoting.rows.first?["age"] == "15,24")
            #expect(quoting.rows.first?["value"] == "-1.25" && quoting.rows.first?["source"] == "Test, with a comma")
        }
    }

    @Test("A members-only dataset never shows to visitors", arguments: TestDatabase.all)
    func access(database: TestDatabase) async throws {
        try await withApp(database, environment: Self.withData) { app in
            try await StatisticsSeed.dataset(slug: "members-survey", title: "Members' survey", description: "", source: "Survey", url: "", licence: "Members only",
                                             caveats: "", observations: [.init(indicator: "SM.POP.NETM", area: "JM", year: 1950, value: 4242)], db: app.db, now: Date())
            let dataset = try #require(try await StatDataset.query(on: app.db).filter(\.$slug == "members-survey").first())
            dataset.visibility = .members
            try await dataset.save(on: app.db)
            let visitor = try await TestBrowser(app).get("/statistics/indicators/SM.POP.NETM?c=jm&format=csv&all=1").text
            #expect(!visitor.contains("4242"))
            #expect(!(try await TestBrowser(app).get("/statistics/datasets").text.contains("Members&#x27; survey")))
            #expect(!(try await TestBrowser(app).get("/statistics/datasets").text.contains("Members' survey")))
            #expect(try await TestBrowser(app).get("/statistics/datasets/members-survey").status == .notFound)
            #expect(try await TestBrowser(app).get("/statistics/datasets/members-survey/data.csv").status == .notFound)
            let member = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "m@example.org"))
            #expect(try await member.get("/statistics/indicators/SM.POP.NETM?c=jm&format=csv&all=1").text.contains("4242"))
        }
    }

    @Test("Members' datasets: problems by line and column, all or nothing, an editor publishes, versions replace values atomically", arguments: TestDatabase.all)
    func upload(database: TestDatabase) async throws {
        try await withApp(database, environment: Self.withData) { app in
            let memberUser = try await Fixtures.user(app, email: "m@example.org")
            let member = try await Fixtures.login(app, as: memberUser)
            let fields: [(String, String)] = [("title", "Deportations received, Jamaica"), ("source", "Ministry of National Security, Jamaica"),
                                              ("licence", "CC BY 4.0"), ("visibility", "public"), ("action", "preview")]
            let bad = "indicator,area,period,value\r\nSM.POP.NETM,JM,2021,-1200\r\nSM.POP.NETM,ZZ,2021,5\r\nSM.POP.NETM,TT,2021,12abc\r\n"
            let check = try await member.postMultipart("/statistics/datasets/new", fields, files: [("file", "deportations.csv", Data(bad.utf8))])
            #expect(check.status == .ok)
            #expect(check.text.contains("2 problems"))
            #expect(check.text.contains("<td>3</td><td>area</td>"))
            #expect(check.text.contains("<td>4</td><td>value</td>"))
            #expect(!check.text.contains(#"value="import""#))
            // Importing anyway changes nothing.
            var importing = fields
            importing[4] = ("action", "import")
            let refused = try await member.postMultipart("/statistics/datasets/new", importing, files: [("file", "deportations.csv", Data(bad.utf8))])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await StatDataset.query(on: app.db).filter(\.$slug == "deportations-received-jamaica").first() == nil)

            let good = "indicator,area,period,value\r\nSM.POP.NETM,JM,1955,-1200\r\nSM.POP.NETM,TT,1955,300\r\n"
            let imported = try await member.postMultipart("/statistics/datasets/new", importing, files: [("file", "deportations.csv", Data(good.utf8))])
            #expect(imported.status == .seeOther)
            let dataset = try #require(try await StatDataset.query(on: app.db).filter(\.$slug == "deportations-received-jamaica").first())
            #expect(dataset.status == .pending)
            #expect(try await TestBrowser(app).get("/statistics/datasets/\(dataset.slug)").status == .notFound)
            #expect(try await member.get("/statistics/datasets/\(dataset.slug)").status == .ok)
            #expect(try await member.post("/statistics/datasets/\(dataset.slug)/publish", []).status == .forbidden)
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", role: .editor))
            #expect(try await editor.get("/statistics/datasets/\(dataset.slug)").text.contains("Publish this version"))
            #expect(try await editor.post("/statistics/datasets/\(dataset.slug)/publish", []).status == .seeOther)
            let csv = try await TestBrowser(app).get("/statistics/indicators/SM.POP.NETM?c=jm,tt&from=1955&to=1955&format=csv").text
            #expect(csv.contains("JM,Jamaica,1955,T,-1200") && csv.contains("deportations-received-jamaica"))
            // The whole downloads are kept as files from here on …
            #expect(try await TestBrowser(app).get("/statistics/datasets/\(dataset.slug)/data.csv").text.contains("SM.POP.NETM,JM,1955,1955,T,,,-1200,"))
            #expect(try await TestBrowser(app).get("/statistics/indicators/SM.POP.NETM?format=csv&all=1").text.contains("SM.POP.NETM,JM,1955,1955,T,,,-1200,"))

            // A new version, from the form filled with the dataset's details: pending, the published
            // values stay until it is published.
            var version2 = StatisticsReviewTests.formValues(try await member.get("/statistics/datasets/new?dataset=\(dataset.slug)").text)
            version2.removeAll { $0.0 == "caveats" || $0.0 == "_csrf" }
            version2 += [("caveats", "Revised figures."), ("action", "import")]
            let revised = "indicator,area,period,value\r\nSM.POP.NETM,JM,1955,-1300\r\n"
            #expect(try await member.postMultipart("/statistics/datasets/new", version2, files: [("file", "v2.csv", Data(revised.utf8))]).status == .seeOther)
            #expect(try await TestBrowser(app).get("/statistics/indicators/SM.POP.NETM?c=jm&from=1955&to=1955&format=csv").text.contains("-1200"))
            #expect(try await editor.post("/statistics/datasets/\(dataset.slug)/publish", []).status == .seeOther)
            let after = try await TestBrowser(app).get("/statistics/indicators/SM.POP.NETM?c=jm,tt&from=1955&to=1955&format=csv").text
            #expect(after.contains("-1300") && !after.contains("-1200") && !after.contains("TT,Trinidad"))
            // … and a new version is never answered with the old file. The publication's job writes
            // what visitors will download and removes the earlier state's files.
            #expect(try await app.cpmg.jobs.runDue(app: app) >= 1)
            let kept = try FileManager.default.contentsOfDirectory(atPath: StatisticsExport.directory(app).path).filter { $0.hasSuffix(".csv") }
            #expect(kept.filter { $0.hasPrefix("indicator-sm-pop-netm-") }.count == 1 && kept.filter { $0.hasPrefix("dataset-" + dataset.slug + "-") }.count == 1)
            let whole = try await TestBrowser(app).get("/statistics/datasets/\(dataset.slug)/data.csv").text
            #expect(whole.contains(",-1300,") && !whole.contains(",-1200,"))
            let indicator = try await TestBrowser(app).get("/statistics/indicators/SM.POP.NETM?format=csv&all=1").text
            let file = try #require(kept.first { $0.hasPrefix("indicator-sm-pop-netm-") })
            #expect(indicator == (try String(contentsOf: StatisticsExport.directory(app).appendingPathComponent(file), encoding: .utf8)))
            #expect(indicator.contains("SM.POP.NETM,JM,1955,1955,T,,,-1300,") && !indicator.contains("SM.POP.NETM,JM,1955,1955,T,,,-1200,"))
            let first = try await TestBrowser(app).get("/statistics/datasets/\(dataset.slug)/versions/1.csv")
            #expect(first.status == .ok && first.text == good)
        }
    }
}
