@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import XMLSupport

@Suite("Harvesting, feeds and citations")
struct FeedTests {
    @Test("OAI-PMH: every verb, sets, deleted records and errors", arguments: TestDatabase.all)
    func oai(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            let kept = try await DocumentFixtures.document(app, title: "Harvested report", by: editor, countries: ["jm"])
            let gone = try await DocumentFixtures.document(app, title: "Withdrawn report", by: editor, countries: ["tt"])
            _ = try await DocumentLibrary.transition(.withdraw, document: gone, comment: "Superseded", viewer: Viewer(userID: editor.id, role: .editor), user: editor, app: app, db: app.db, now: Date())
            try await DocumentFixtures.document(app, title: "Members only", by: editor, visibility: .members)
            let browser = TestBrowser(app)
            func get(_ query: String) async throws -> XMLTree {
                let response = try await browser.get("/oai?\(query)")
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.description.contains("xml") == true)
                return try XMLTree.parse(response.text)
            }

            let identify = try await get("verb=Identify")
            #expect(identify.descendants("protocolVersion").first?.text == "2.0")
            #expect(identify.descendants("deletedRecord").first?.text == "persistent")

            let formats = try await get("verb=ListMetadataFormats")
            #expect(formats.descendants("metadataPrefix").first?.text == "oai_dc")

            let sets = try await get("verb=ListSets")
            #expect(sets.descendants("setSpec").map(\.text).contains("country:jm"))
            #expect(sets.descendants("setSpec").map(\.text).contains("theme:border-management"))

            let records = try await get("verb=ListRecords&metadataPrefix=oai_dc")
            let headers = records.descendants("header")
            #expect(headers.count == 2)
            #expect(headers.filter { $0.attributes["status"] == "deleted" }.count == 1)
            #expect(records.descendants("title").map(\.text) == ["Harvested report"])
            #expect(!records.descendants("title").map(\.text).contains("Members only"))

            let identifiers = try await get("verb=ListIdentifiers&metadataPrefix=oai_dc&set=country:jm")
            #expect(identifiers.descendants("header").count == 1)
            let identifier = try #require(identifiers.descendants("identifier").first?.text)
            #expect(identifier.hasSuffix(kept.id!.uuidString.lowercased()))

            let record = try await get("verb=GetRecord&metadataPrefix=oai_dc&identifier=\(identifier)")
            #expect(record.descendants("creator").first?.text == "López, María")

            let errors: [(String, String)] = [
                ("verb=Nonsense", "badVerb"), ("", "badVerb"),
                ("verb=ListRecords", "badArgument"), ("verb=Identify&extra=1", "badArgument"),
                ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
                ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:nowhere:documents/x", "idDoesNotExist"),
                ("verb=ListRecords&metadataPrefix=oai_dc&set=country:zz", "noRecordsMatch"),
                ("verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch"),
                ("verb=ListRecords&resumptionToken=forged", "badResumptionToken"),
                ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2019-01-01", "badArgument"),
            ]
            for (query, code) in errors {
                let response = try await get(query)
                #expect(response.descendants("error").first?.attributes["code"] == code, "\(query) → \(code)")
            }
        }
    }

    @Test("OAI-PMH pages long lists with resumption tokens", arguments: TestDatabase.all)
    func resumption(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            for i in 1...(OAIController.pageSize + 5) { try await DocumentFixtures.document(app, title: "Report \(i)", by: editor) }
            let browser = TestBrowser(app)
            let first = try XMLTree.parse(try await browser.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").text)
            #expect(first.descendants("header").count == OAIController.pageSize)
            let token = try #require(first.descendants("resumptionToken").first)
            #expect(token.attributes["completeListSize"] == String(OAIController.pageSize + 5))
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let second = try XMLTree.parse(try await browser.get("/oai?verb=ListIdentifiers&resumptionToken=\(token.text.addingPercentEncoding(withAllowedCharacters: allowed)!)").text)
            #expect(second.descendants("header").count == 5)
            #expect(second.descendants("resumptionToken").first?.text == "")
            let ids = Set((first.descendants("identifier") + second.descendants("identifier")).map(\.text))
            #expect(ids.count == OAIController.pageSize + 5)
        }
    }

    @Test("The Atom feed follows the search filters and parses back", arguments: TestDatabase.all)
    func atom(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            try await DocumentFixtures.document(app, title: "Jamaica & the sea <report>", body: "The sea.", by: editor, countries: ["jm"])
            try await DocumentFixtures.document(app, title: "Trinidad report", by: editor, countries: ["tt"])
            let response = try await TestBrowser(app).get("/feeds/documents.atom?country=jm")
            #expect(response.headers.contentType?.description.hasPrefix("application/atom+xml") == true)
            let feed = try XMLTree.parse(response.text)
            #expect(feed.name == "feed")
            let entries = feed.descendants("entry")
            #expect(entries.count == 1)
            #expect(entries.first?.descendants("title").first?.text == "Jamaica & the sea <report>")
            #expect(entries.first?.descendants("link").contains { $0.attributes["rel"] == "enclosure" } == true)
        }
    }

    @Test("Citations: BibTeX, RIS, Highwire tags and JSON-LD", arguments: TestDatabase.all)
    func citations(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            let document = try await DocumentFixtures.document(app, title: "Núñez on border posts", body: "text", by: editor)
            let browser = TestBrowser(app)
            let path = "/documents/\(document.id!.uuidString)"
            let bib = try await browser.get("\(path)/cite.bib")
            #expect(bib.text.hasPrefix("@techreport{"))
            #expect(bib.text.contains("Núñez on border posts"))
            let ris = try await browser.get("\(path)/cite.ris")
            #expect(ris.text.hasPrefix("TY  - RPRT"))
            #expect(ris.text.contains("AU  - López, María"))
            let page = try await browser.get(path).text
            #expect(page.contains(#"<meta name="citation_title" content="Núñez on border posts"/>"#))
            #expect(page.contains(#"<meta name="citation_author" content="López, María"/>"#))
            #expect(page.contains(#"<meta name="citation_publication_date" content="2018"/>"#))
            #expect(page.contains(#"<script type="application/ld+json">"#))
            #expect(page.contains(#""@type":"Report""#))
        }
    }

    @Test("The sitemap lists public documents", arguments: TestDatabase.all)
    func sitemap(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            let document = try await DocumentFixtures.document(app, title: "Listed", by: editor)
            let xml = try XMLTree.parse(try await TestBrowser(app).get("/sitemap.xml").text)
            #expect(xml.descendants("loc").map(\.text).contains("http://cpmg.test/documents/\(document.id!.uuidString)"))
        }
    }
}
