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
