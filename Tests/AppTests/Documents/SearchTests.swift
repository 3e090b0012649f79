@testable import App
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Repository search")
struct DocumentSearchTests {
    @Test("A title match ranks above a body match", arguments: TestDatabase.all)
    func ranking(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            try await DocumentFixtures.document(app, title: "Annual statistics", body: "A long text that mentions remittances once among many other words.", by: editor)
            try await DocumentFixtures.document(app, title: "Remittances to the Caribbean", body: "Money sent home.", by: editor)
            let page = try await TestBrowser(app).get("/documents?q=remittances").text
            let title = try #require(page.range(of: "Remittances to the Caribbean"))
            let body = try #require(page.range(of: "Annual statistics"))
            #expect(title.lowerBound < body.lowerBound)
        }
    }

    @Test("Case and accents do not matter; English word forms find each other", arguments: TestDatabase.all)
    func normalisation(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            try await DocumentFixtures.document(app, title: "Labour market of Curaçao", body: "Policies for migrants arriving by sea.", by: editor)
            let browser = TestBrowser(app)
            #expect(try await browser.get("/documents?q=CURACAO").text.contains("1 document"))
            #expect(try await browser.get("/documents?q=migration").text.contains("1 document"))
            #expect(try await browser.get("/documents?q=migrant").text.contains("1 document"))
            #expect(try await browser.get("/documents?q=policy").text.contains("1 document"))
            #expect(try await browser.get("/documents?q=%22arriving+by+sea%22").text.contains("1 document"))
            #expect(try await browser.get("/documents?q=%22by+arriving+sea%22").text.contains("No documents match"))
            #expect(try await browser.get("/documents?q=migrants+-curacao").text.contains("No documents match"))
            #expect(try await browser.get("/documents?q=zebra+OR+curacao").text.contains("1 document"))
        }
    }

    @Test("Facets count the current results and filters narrow them", arguments: TestDatabase.all)
    func facets(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            try await DocumentFixtures.document(app, title: "Asylum in Jamaica", by: editor, countries: ["jm"], year: 2015)
            try await DocumentFixtures.document(app, title: "Asylum in Trinidad", by: editor, countries: ["tt"], year: 2019, kind: .study)
            try await DocumentFixtures.document(app, title: "Fisheries", by: editor, countries: ["tt"], year: 2019)
            let browser = TestBrowser(app)
            let all = try await browser.get("/documents?q=asylum").text
            #expect(all.contains("2 documents"))
            #expect(all.contains(#"value="jm"/> Jamaica <span class="count">(1)</span>"#))
            #expect(all.contains(#"value="tt"/> Trinidad and Tobago <span class="count">(1)</span>"#))
            let filtered = try await browser.get("/documents?q=asylum&country=tt").text
            #expect(filtered.contains("1 document"))
            #expect(filtered.contains("Asylum in Trinidad"))
            #expect(!filtered.contains("Asylum in Jamaica"))
            // the country facet still offers the other country while one is chosen
            #expect(filtered.contains(#"value="jm"/> Jamaica"#))
            #expect(try await browser.get("/documents?type=study").text.contains("1 document"))
            #expect(try await browser.get("/documents?from=2016&to=2020").text.contains("2 documents"))
            #expect(try await browser.get("/documents?from=2020&to=2016").text.contains("2 documents"))
            let unknown = try await browser.get("/documents?country=zz&page=abc")
            #expect(unknown.status == .ok)
            #expect(unknown.text.contains("country=zz"))
            #expect(unknown.text.contains("3 documents"))
            let past = try await browser.get("/documents?page=400")
            #expect(past.status == .ok)
            #expect(past.text.contains("no results on this page"))
        }
    }

    @Test("Past the candidate bound: the newest matches are ranked and counted, the total is estimated", arguments: TestDatabase.all)
    func bounded(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let index = SearchIndexes.make(for: app.db)
            // 12 entries mention "cassava"; the 2nd oldest has it in its title. Countries alternate;
            // every third is a study.
            for n in 1...12 {
                try await index.upsert(SearchEntry(
                    section: "documents", itemID: "doc-\(n)", visibility: .public,
                    title: n == 2 ? "Cassava exports" : "Report \(n)", body: "Notes on cassava and trade, part \(n).",
                    url: "/documents/doc-\(n)", dateKey: 20_100_000 + n * 10_000 + 101,
                    tags: [SearchTag("country", n.isMultiple(of: 2) ? "jm" : "tt"), SearchTag("type", n.isMultiple(of: 3) ? "study" : "report")]
                ), on: app.db)
            }
            var request = SearchRequest(query: SearchQuery.parse("cassava"), sections: ["documents"], limit: 3, facets: ["country", "type"])
            request.candidates = 4
            let bounded = try await index.search(request, viewer: .visitor, on: app.db)
            #expect(bounded.totalIsEstimate)
            #expect(bounded.total > 4 && bounded.total <= 12)
            #expect(bounded.pageable == 4)
            #expect(bounded.facetsSampled)
            // Only the four newest are candidates: the title match (doc-2) is not among them.
            #expect(bounded.hits.map(\.itemID) == ["doc-12", "doc-11", "doc-10"])
            #expect(bounded.facets["country"]?.map(\.count).reduce(0, +) == 4)
            request.offset = 3
            #expect(try await index.search(request, viewer: .visitor, on: app.db).hits.map(\.itemID) == ["doc-9"])
            request.offset = 4
            #expect(try await index.search(request, viewer: .visitor, on: app.db).hits.isEmpty)

            // Without the bound the title match comes first and everything is counted exactly.
            request.offset = 0
            request.candidates = 100
            let all = try await index.search(request, viewer: .visitor, on: app.db)
            #expect(!all.totalIsEstimate && all.total == 12 && all.pageable == 12)
            #expect(all.hits.first?.itemID == "doc-2")
            #expect(all.facets["country"]?.first(where: { $0.value == "jm" })?.count == 6)

            // A chosen filter: its own facet still counts the other value, over the unfiltered matches.
            request.filters = ["country": ["jm"]]
            let filtered = try await index.search(request, viewer: .visitor, on: app.db)
            #expect(filtered.total == 6)
            #expect(filtered.facets["country"]?.first(where: { $0.value == "tt" })?.count == 6)
            #expect(filtered.facets["type"]?.first(where: { $0.value == "report" })?.count == 4)
            #expect(filtered.facets["type"]?.first(where: { $0.value == "study" })?.count == 2)

            // Two chosen filters: each facet counts as if its own filter were not chosen.
            request.filters = ["country": ["jm"], "type": ["report"]]
            let both = try await index.search(request, viewer: .visitor, on: app.db)
            #expect(both.total == 4)
            #expect(both.facets["country"]?.first(where: { $0.value == "tt" })?.count == 4)
            #expect(both.facets["country"]?.first(where: { $0.value == "jm" })?.count == 4)
            #expect(both.facets["type"]?.first(where: { $0.value == "study" })?.count == 2)
            #expect(both.facets["type"]?.first(where: { $0.value == "report" })?.count == 4)

            // Newest first by publication date, past the bound too.
            request = SearchRequest(query: SearchQuery.parse("cassava"), sections: ["documents"], sort: .newest, limit: 2)
            request.candidates = 4
            #expect(try await index.search(request, viewer: .visitor, on: app.db).hits.map(\.itemID) == ["doc-12", "doc-11"])
        }
    }

    @Test("Hostile queries get an answer, never an error", arguments: TestDatabase.all)
    func hostile(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            try await DocumentFixtures.document(app, title: "Anything", body: "text", by: editor)
            let browser = TestBrowser(app)
            for query in ["%22%22%22", "***", "NEAR(a+b)", "AND", "OR", "NOT", "((((", "%7Btitle%7D%3A+x", "a%00b", String(repeating: "word+", count: 2000), "-only", "%E2%80%9Cquoted%E2%80%9D", "'%3B+DROP+TABLE+users"] {
                let response = try await browser.get("/documents?q=\(query)")
                #expect(response.status == .ok, "\(query.prefix(40))")
                let all = try await browser.get("/search?q=\(query)")
                #expect(all.status == .ok, "\(query.prefix(40))")
            }
        }
    }

    @Test("Every state of the search page is a URL", arguments: TestDatabase.all)
    func stateInURL(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, role: .editor)
            for i in 1...25 { try await DocumentFixtures.document(app, title: "Report number \(i) on asylum", by: editor) }
            let page = try await TestBrowser(app).get("/documents?q=asylum&country=jm&sort=title").text
            #expect(page.contains("25 documents"))
            #expect(page.contains(#"href="/documents?q=asylum&amp;country=jm&amp;sort=title&amp;page=2""#))
            let second = try await TestBrowser(app).get("/documents?q=asylum&country=jm&sort=title&page=2").text
            #expect(second.contains(#"<ol class="hits" start="21">"#))
        }
    }
}

@Suite("Repository access rules")
struct DocumentAccessTests {
    /// A visitor, a member, a member of the network and an editor, and what each may find.
    @Test("Members-only, network, draft and pending documents never reach those who may not see them", arguments: TestDatabase.all)
    func matrix(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let owner = try await Fixtures.user(app, email: "owner@example.org")
            let member = try await Fixtures.user(app, email: "member@example.org")
            let networkMember = try await Fixtures.user(app, email: "net@example.org")
            let editor = try await Fixtures.user(app, email: "editor@example.org", role: .editor)
            let network = try #require(try await Network.query(on: app.db).filter(\.$slug == "counter-trafficking").first())
            try await NetworkMembership(userID: networkMember.requireID(), networkID: network.requireID(), kind: .member).create(on: app.db)

            let docs: [(String, Document)] = [
                ("alphapublic", try await DocumentFixtures.document(app, title: "alphapublic", body: "secretword alphapublic", by: owner)),
                ("bravomembers", try await DocumentFixtures.document(app, title: "bravomembers", body: "secretword bravomembers", by: owner, visibility: .members)),
                ("charlienetwork", try await DocumentFixtures.document(app, title: "charlienetwork", body: "secretword charlienetwork", by: owner, visibility: .network, network: "counter-trafficking")),
                ("deltadraft", try await DocumentFixtures.document(app, title: "deltadraft", body: "secretword deltadraft", by: owner, status: .draft)),
                ("echopending", try await DocumentFixtures.document(app, title: "echopending", body: "secretword echopending", by: owner, status: .pending)),
            ]
            let viewers: [(String, TestBrowser, Set<String>)] = [
                ("visitor", TestBrowser(app), ["alphapublic"]),
                ("member", try await Fixtures.login(app, as: member), ["alphapublic", "bravomembers"]),
                ("network member", try await Fixtures.login(app, as: networkMember), ["alphapublic", "bravomembers", "charlienetwork"]),
                ("editor", try await Fixtures.login(app, as: editor), ["alphapublic", "bravomembers", "charlienetwork", "deltadraft", "echopending"]),
            ]
            let searchable: Set<String> = ["alphapublic", "bravomembers", "charlienetwork"]
            for (name, browser, visible) in viewers {
                let list = try await browser.get("/documents?q=secretword").text
                let all = try await browser.get("/search?q=secretword").text
                for (title, document) in docs {
                    let path = "/documents/\(document.id!.uuidString)"
                    let page = try await browser.get(path)
                    let file = try await browser.get("\(path)/file")
                    if visible.contains(title) {
                        #expect(page.status == .ok, "\(name) should open \(title)")
                        #expect(file.status == .ok, "\(name) should download \(title)")
                    } else {
                        #expect(page.status == .notFound, "\(name) must not open \(title)")
                        #expect(file.status == .notFound, "\(name) must not download \(title)")
                        #expect(!page.text.contains(title))
                    }
                    let listed = visible.contains(title) && searchable.contains(title)
                    #expect(list.contains(title) == listed, "\(name) list \(title)")
                    #expect(all.contains(title) == listed, "\(name) /search \(title)")
                }
                let count = visible.intersection(searchable).count
                #expect(list.contains(count == 1 ? "1 document" : "\(count) documents"), "\(name) count")
            }
            // feeds, harvesting and the sitemap are public only
            let visitor = TestBrowser(app)
            for path in ["/feeds/documents.atom?q=secretword", "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/sitemap.xml"] {
                let text = try await visitor.get(path).text
                let listsPublic = text.contains(docs[0].1.id!.uuidString.lowercased()) || text.contains(docs[0].1.id!.uuidString) || text.contains("alphapublic")
                #expect(listsPublic, "\(path)")
                for (title, document) in docs.dropFirst() {
                    #expect(!text.contains(title), "\(path) leaks \(title)")
                    #expect(!text.contains(document.id!.uuidString.lowercased()) && !text.contains(document.id!.uuidString), "\(path) leaks \(title)")
                }
            }
        }
    }
}
