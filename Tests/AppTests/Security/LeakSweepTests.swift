@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// One secret word in every members-only, network-only and unpublished field of every kind of item
/// (`SecurityWorld.secrets`, each naming its field), then every public surface crawled: as a visitor
/// no secret word may appear; as a member outside network A no network-only or unpublished one.
@Suite("Leak sweep")
struct LeakSweepTests {
    /// Secret words the application shows today where it must not, with what is wrong. The check of
    /// each is wrapped in `withKnownIssue` and fails once the leak is closed (then remove the entry).
    static let knownLeaks: [String: (roles: [SecurityRole], because: String)] = [:]

    @Test("No secret word reaches a visitor, nor a network-only or unpublished one a member outside network A, on any public surface", arguments: TestDatabase.all)
    func sweep(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given: more public documents than one OAI-PMH page holds, so that harvesting needs a resumption token
            let world = try await SecurityWorld.build(app, fillers: OAIController.pageSize + 1)

            for role in [SecurityRole.visitor, .member] {
                // when
                let sweep = Sweep(world: world, role: role)
                try await sweep.run()

                // then
                #expect(sweep.fetched.count > 300, "\(role): only \(sweep.fetched.count) responses: the crawl went nowhere")
                let canaries = role == .visitor
                    ? [SecurityWorld.publicDocumentTitle, SecurityWorld.publicEventTitle, SecurityWorld.publicDatasetTitle, "Kilimanjaro filler 100"]
                    : [SecurityWorld.publicDocumentTitle, world.documents["members"]!.document.title, world.events["members"]!.title]
                for canary in canaries {
                    #expect(sweep.seen(canary), "\(role): never met \"\(canary)\", which it may read: the sweep did not reach the content")
                }
                for secret in world.secrets where secret.isHidden(from: role) {
                    let places = sweep.findings[secret.word] ?? []
                    let message: Comment = "\(role) can read \(secret.word) (\(secret.field)) at \(places.sorted().prefix(5).joined(separator: ", "))"
                    if let known = Self.knownLeaks[secret.word], known.roles.contains(role) {
                        withKnownIssue(Comment(rawValue: known.because)) { #expect(places.isEmpty, message) }
                    } else {
                        #expect(places.isEmpty, message)
                    }
                }
                for problem in sweep.countProblems { Issue.record(Comment(rawValue: "\(role): \(problem)")) }
            }

            // A document that was public and became members-only is reported as deleted (deletedRecord=persistent).
            let visitor = TestBrowser(app)
            let identifier = "oai:cpmg.test:documents/" + world.documents["public"]!.document.id!.uuidString.lowercased()
            #expect(try await visitor.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=\(identifier)").text.contains(SecurityWorld.publicDocumentTitle),
                    "GetRecord does not know the public document as \(identifier)")
            let became = try world.documents["became-members"]!.document.requireID().uuidString.lowercased()
            let record = try await visitor.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:cpmg.test:documents/\(became)").text
            let list = try await visitor.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=type:legislation").text
            #expect(record.contains(#"<header status="deleted">"#) && !record.contains("<metadata>"), "GetRecord of a document made members-only: \(record.prefix(600))")
            #expect(list.contains(became) && list.contains(#"status="deleted""#), "ListIdentifiers does not report the document made members-only as deleted")
        }
    }
}

// MARK: - The sweep

/// What one role meets on every public surface.
final class Sweep: @unchecked Sendable {
    let world: SecurityWorld
    let role: SecurityRole
    let browser: TestBrowser
    /// Words this role must never read, lower-cased too (slugs carry them lower-cased).
    private let forbidden: [(word: String, lower: String)]
    /// A withdrawn document's address → the words its tombstone (and citation) may show.
    private let tombstones: [String: [String]]
    /// Secret word → the addresses where it appeared.
    private(set) var findings: [String: Set<String>] = [:]
    /// Address → status, of everything fetched.
    private(set) var fetched: [String: UInt] = [:]
    private var bodies: [String] = []
    /// Counts that the visible fixtures do not explain.
    private(set) var countProblems: [String] = []

    static let crawlDepth = 3
    static let crawlLimit = 250
    /// Different queries of one path followed by the crawl (facet links multiply fast).
    static let queriesPerPath = 4
    static let base = "http://cpmg.test"

    init(world: SecurityWorld, role: SecurityRole) {
        self.world = world
        self.role = role
        self.browser = world.browser(role)
        forbidden = world.secrets.filter { $0.isHidden(from: role) }.map { ($0.word, $0.word.lowercased()) }
        var tombstones: [String: [String]] = [:]
        for fixture in world.documents.values where fixture.document.status == .withdrawn {
            let metadata = ([fixture.document.title, fixture.document.abstract] + fixture.document.authors).joined(separator: " ")
            tombstones["/documents/" + fixture.document.id!.uuidString.lowercased()] = world.secrets.map(\.word).filter { metadata.contains($0) }
        }
        self.tombstones = tombstones
    }

    func seen(_ text: String) -> Bool { bodies.contains { $0.contains(text) } }

    /// Fetches each of `paths` and notes every forbidden word in its headers and body.
    @discardableResult
    func fetch(_ paths: [String], echo: String? = nil) async throws -> [(path: String, response: TestingHTTPResponse)] {
        var answers: [(path: String, response: TestingHTTPResponse)] = []
        for path in paths {
            let response = try await browser.get(path)
            scan(path, response, echo: echo)
            answers.append((path, response))
        }
        return answers
    }

    @discardableResult
    func fetch(_ path: String, echo: String? = nil) async throws -> TestingHTTPResponse {
        try await fetch([path], echo: echo)[0].response
    }

    /// What the request said is no leak: a page may repeat its own address (language links) and
    /// its query (a search for a secret word says what it searched for).
    private func scan(_ path: String, _ response: TestingHTTPResponse, echo: String?) {
        let bare = String(path.prefix { $0 != "?" })
        var text = response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n" + response.text
        for echoed in [path, bare, echo].compactMap({ $0 }) { text = text.replacingOccurrences(of: echoed, with: "") }
        let lower = text.lowercased()
        let document = bare.lowercased().replacingOccurrences(of: "/cite.bib", with: "").replacingOccurrences(of: "/cite.ris", with: "")
        let allowed = tombstones[document] ?? []
        for (word, wordLower) in forbidden where lower.contains(wordLower) && !allowed.contains(word) { findings[word, default: []].insert(path) }
        fetched[path] = response.status.code
        bodies.append(response.text)
    }

    func run() async throws {
        try await crawl()
        try await feeds()
        try await harvest()
        try await sitemap()
        try await downloads()
        try await searches()
        try await hiddenAddresses()
        if role != .visitor { try await ownPages() }
    }

    // MARK: Crawl

    /// Every page linked from the home page, to depth 3, on this site only. The same page in
    /// another language (`?lang=`) is left out: secrets are not translated.
    private func crawl() async throws {
        var frontier = ["/"]
        var queued: Set<String> = ["/"]
        var queries: [String: Int] = [:]
        for depth in 0...Self.crawlDepth {
            frontier = Array(frontier.prefix(max(0, Self.crawlLimit - fetched.count)))
            var next: [String] = []
            for (_, response) in try await fetch(frontier) {
                guard depth < Self.crawlDepth, response.status == .ok, response.headers.contentType?.subType == "html" else { continue }
                for link in Self.links(in: response.text) where !queued.contains(link) && !link.contains("lang=") {
                    let bare = String(link.prefix { $0 != "?" })
                    if link.contains("?") {
                        guard queries[bare, default: 0] < Self.queriesPerPath else { continue }
                        queries[bare, default: 0] += 1
                    }
                    queued.insert(link)
                    next.append(link)
                }
            }
            frontier = next
        }
    }

    /// Same-site addresses of a page's links and sources, without fragments.
    static func links(in html: String) -> [String] {
        var result: [String] = []
        for attribute in ["href=\"", "src=\""] {
            var rest = Substring(html)
            while let start = rest.range(of: attribute) {
                rest = rest[start.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { break }
                var link = String(rest[..<end]).replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#x27;", with: "'")
                rest = rest[end...]
                if link.hasPrefix(base) { link = String(link.dropFirst(base.count)) }
                link = String(link.prefix { $0 != "#" })
                guard link.hasPrefix("/"), !link.hasPrefix("//"), !link.hasPrefix("/assets/") else { continue }
                result.append(link)
            }
        }
        return result
    }

    // MARK: Feeds, harvesting, sitemap

    private func feeds() async throws {
        try await fetch(["/feeds/documents.atom", "/feeds/events.atom", "/feeds/datasets.atom", "/feeds/documents.atom?sort=newest&type=study",
                         "/feeds/documents.atom?network=counter-trafficking", "/feeds/documents.atom?country=bb"])
    }

    /// OAI-PMH: all six verbs, every set, every resumption token, and every fixture document's
    /// identifier asked for by name (hidden ones too).
    private func harvest() async throws {
        try await fetch(["/oai?verb=Identify", "/oai?verb=ListMetadataFormats"])
        let sets = Self.values(of: "setSpec", in: try await fetch("/oai?verb=ListSets").text)
        var identifiers: Set<String> = []
        var lists: [String] = []
        for verb in ["ListIdentifiers", "ListRecords"] {
            lists += ([nil] + sets.map(Optional.some)).map { set in "/oai?verb=\(verb)&metadataPrefix=oai_dc" + (set.map { "&set=\(Self.encoded($0))" } ?? "") }
        }
        while !lists.isEmpty {
            var next: [String] = []
            for (path, response) in try await fetch(lists) {
                identifiers.formUnion(Self.values(of: "identifier", in: response.text).filter { $0.hasPrefix("oai:") })
                if let token = Self.values(of: "resumptionToken", in: response.text).first, !token.isEmpty {
                    next.append("/oai?verb=\(path.contains("ListRecords") ? "ListRecords" : "ListIdentifiers")&resumptionToken=\(Self.encoded(token))")
                }
            }
            lists = next
        }
        #expect(identifiers.count > OAIController.pageSize, "\(role): the harvest saw \(identifiers.count) records, fewer than one page: no resumption token was walked")
        var records: [String] = []
        for (key, fixture) in world.documents where !key.hasPrefix("filler-") {
            let identifier = Self.encoded("oai:cpmg.test:documents/" + fixture.document.id!.uuidString.lowercased())
            records += ["/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=\(identifier)", "/oai?verb=ListMetadataFormats&identifier=\(identifier)"]
        }
        try await fetch(records)
    }

    private func sitemap() async throws {
        let locations = Self.values(of: "loc", in: try await fetch("/sitemap.xml").text)
        #expect(!locations.isEmpty, "the sitemap lists nothing")
        try await fetch(locations.filter { $0.hasPrefix(Self.base) }.map { String($0.dropFirst(Self.base.count)) }.filter { fetched[$0] == nil })
    }

    // MARK: Downloads

    private func downloads() async throws {
        var paths = ["/events.ics", "/events.ics?country=jm", "/events?past=1", "/events?month=2030-07", "/countries/compare?c=jm,tt,bb,bs"]
        for code in world.indicators.values.sorted() {
            paths.append("/statistics/indicators/\(code)?format=csv&all=1")
            paths += ["csv", "json", "sdmx", "svg"].map { "/statistics/indicators/\(code)?c=jm,tt,bs,bb&from=2015&to=2022&format=\($0)" }
            paths += ["table", "map", "sources"].map { "/statistics/indicators/\(code)?c=jm,tt,bs,bb&from=2015&to=2022&view=\($0)" }
        }
        paths += ["public", "with-pending-version"].compactMap { world.datasets[$0]?.slug }.map { "/statistics/datasets/\($0)/data.csv" }
        try await fetch(paths)
    }

    // MARK: Search

    /// Each secret word searched for, where search is offered; and the repository's counts and
    /// facets, which must be those of the documents this role may find.
    private func searches() async throws {
        // Every word this role may not read, and the stem they share; each must find nothing.
        for query in [SecretWord.stem.lowercased()] + forbidden.map(\.lower) {
            let counted = query != SecretWord.stem.lowercased() || role == .visitor
            let paths = ["/search?q=\(query)", "/documents?q=\(query)"] + (query == SecretWord.stem.lowercased() ? ["/feeds/documents.atom?q=\(query)"] : [])
            for (path, response) in try await fetch(paths, echo: query) where counted && !path.hasPrefix("/feeds") {
                let count = Self.resultCount(response.text)
                if count != 0 { countProblems.append("\(path) counts \(count.map(String.init) ?? "no result line") for a word it may not read") }
                let facets = Self.facets(in: response.text)
                if !facets.isEmpty { countProblems.append("\(path) shows facets \(facets) for a word it may not read") }
            }
        }
        let listed = world.listedDocuments(for: role)
        let page = try await fetch("/documents").text
        if Self.resultCount(page) != listed.count {
            countProblems.append("/documents counts \(Self.resultCount(page).map(String.init) ?? "nothing"), the visible documents are \(listed.count)")
        }
        var expected: [String: [String: Int]] = [:]
        for fixture in listed {
            expected["type", default: [:]][fixture.kind, default: 0] += 1
            for country in fixture.countries { expected["country", default: [:]][country, default: 0] += 1 }
            for theme in fixture.themes { expected["theme", default: [:]][theme, default: 0] += 1 }
            expected["lang", default: [:]][fixture.language, default: 0] += 1
            if let network = fixture.network { expected["network", default: [:]][network, default: 0] += 1 }
        }
        let facets = Self.facets(in: page)
        for name in DocumentSearchState.facets where facets[name, default: [:]] != expected[name, default: [:]] {
            countProblems.append("/documents facet \(name) counts \(facets[name, default: [:]].sorted { $0.key < $1.key }), the visible documents \(expected[name, default: [:]].sorted { $0.key < $1.key })")
        }
    }

    /// The number of the page's result line ("3 documents", "About 3 documents", "0 results").
    static func resultCount(_ html: String) -> Int? {
        guard let marker = html.range(of: "class=\"result-count\"") else { return nil }
        let rest = html[marker.upperBound...].drop { $0 != ">" }.dropFirst()
        let line = rest.prefix { $0 != "<" }
        let digits = line.drop { !$0.isNumber }.prefix { $0.isNumber || $0 == "," }.filter(\.isNumber)
        return Int(digits)
    }

    /// Facet name → value → count, as the repository's search page shows them.
    static func facets(in html: String) -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        var rest = Substring(html)
        while let label = rest.range(of: "class=\"facet-value\"") {
            rest = rest[label.upperBound...]
            let end = rest.range(of: "</label>")?.lowerBound ?? rest.endIndex
            let item = String(rest[..<end])
            guard let name = attribute("name", in: item), let value = attribute("value", in: item),
                  let open = item.range(of: "class=\"count\">("), let close = item[open.upperBound...].firstIndex(of: ")"),
                  let count = Int(item[open.upperBound..<close].filter(\.isNumber)) else { continue }
            result[name, default: [:]][value] = count
        }
        return result
    }

    private static func attribute(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: " \(name)=\"") else { return nil }
        return String(text[start.upperBound...].prefix { $0 != "\"" })
    }

    // MARK: Hidden addresses and own pages

    /// The addresses of what this role may not open: their error pages must say nothing.
    private func hiddenAddresses() async throws {
        var paths: [String] = []
        let listed = Set(world.listedDocuments(for: role).map { $0.document.id })
        for fixture in world.documents.values where !listed.contains(fixture.document.id) {
            let id = fixture.document.id!.uuidString.lowercased()
            paths += ["", "/file", "/files/\(fixture.fileIDs[0].uuidString.lowercased())", "/cite.bib", "/cite.ris", "/history", "/edit"].map { "/documents/\(id)\($0)" }
        }
        for event in world.events.values { paths += ["/events/\(event.code)", "/events/\(event.code).ics"] }
        for dataset in world.datasets.values {
            paths += ["", "/data.csv", "/versions/1.csv", "/versions/2.csv"].map { "/statistics/datasets/\(dataset.slug)\($0)" }
        }
        try await fetch(paths)
    }

    /// A member's own pages: the account (with the events they registered for), their lists, their private calendar.
    private func ownPages() async throws {
        try await fetch(["/account", "/documents/mine", "/account/calendar", "/statistics/datasets/new", "/documents/new"])
        let page = try await browser.post("/account/calendar", [])
        if let start = page.text.range(of: "/calendar/"), let end = page.text[start.upperBound...].range(of: ".ics") {
            try await fetch("/calendar/" + page.text[start.upperBound..<end.lowerBound] + ".ics")
        } else {
            Issue.record("\(role): no private calendar address on /account/calendar")
        }
    }

    // MARK: Reading XML

    /// The text of every `<name …>…</name>` element.
    static func values(of element: String, in xml: String) -> [String] {
        var result: [String] = []
        var rest = Substring(xml)
        while let open = rest.range(of: "<\(element)") {
            rest = rest[open.upperBound...]
            guard let first = rest.first, first == ">" || first == " " else { continue }
            guard let close = rest.firstIndex(of: ">"), let end = rest.range(of: "</\(element)>") else { break }
            let text = rest[rest.index(after: close)..<end.lowerBound]
            result.append(text.replacingOccurrences(of: "&amp;", with: "&").trimmingCharacters(in: .whitespacesAndNewlines))
            rest = rest[end.upperBound...]
        }
        return result
    }

    static func encoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
