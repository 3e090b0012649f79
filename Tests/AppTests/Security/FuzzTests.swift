@testable import App
import Foundation
import PropertyBased
import Testing
import Vapor

/// No request can crash the process or answer 500.
///
/// The walk takes the application's route table (`app.routes.all`), so a route added tomorrow is
/// fuzzed without anyone remembering it: its path parameters get a valid fixture value or junk,
/// its query string the parameters the route reads (the table below) plus names nobody reads,
/// and, for a POST, a url-encoded or multipart body of the form's field names with generated
/// values. Every route is asked as a visitor, a member and an editor (and as the focal point or
/// the admin where those roles matter), with a valid CSRF token so that the handlers are really
/// reached, over a real HTTP connection to a running server. No answer may be 5xx (503 with `Retry-After` is load shedding, allowed), and
/// `/healthz` must answer 200 after every batch.
///
/// Cases per route and role: `CPMG_FUZZ_CASES` (default below); `CPMG_FUZZ_SEED` changes the seed.
/// A failure names the route, role, case number and the request, so it can be replayed.
@Suite("Fuzzing every route")
struct FuzzTests {
    static let defaultCases = 3

    static var cases: Int {
        ProcessInfo.processInfo.environment["CPMG_FUZZ_CASES"].flatMap { Int($0) }.map { max(1, $0) } ?? defaultCases
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["CPMG_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_260_211
    }

    // MARK: - What each route reads

    /// The query parameters and form fields each route reads, found in the controllers
    /// (`req.query[…]`, `queryPairs`, `FormInput`, the `Body` structs). A route missing here is
    /// still fuzzed (junk parameters, every field name below, random names); a row only makes
    /// the values reach further.
    struct Inputs {
        var query: [String] = []
        var form: [String] = []
        var files: [String] = []
    }

    static let documentQuery = ["q", "sort", "page", "from", "to", "type", "country", "theme", "network", "lang"]
    static let documentForm = ["title", "abstract", "authors", "publisher", "year", "month", "day", "kind", "languages[]", "countries[]", "themes[]",
                               "network", "rights", "doi", "isbn", "external_url", "visibility", "action", "comment"]
    static let eventForm = ["title", "kind", "description", "firstDay", "lastDay", "startTime", "endTime", "timeZone", "allDay", "venue", "city",
                            "country", "online", "onlineLink", "organisers", "funders", "network", "themes[]", "visibility", "status", "contact",
                            "registrationOpen", "capacity", "deadline"]
    static let countryForm = ["action", "base", "summary", "language", "reviewed", "markdown", "sources", "officialName", "capital", "currency",
                              "languages", "timeZone", "populationValue", "populationYear", "populationSource", "areaValue", "areaYear", "areaSource"]
    static let oai = ["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken"]
    static let profile = ["name", "email", "organisation", "organisation_type", "country", "position"]

    static let inputs: [String: Inputs] = [
        "GET /search": Inputs(query: ["q"]),
        "GET /documents": Inputs(query: documentQuery),
        "GET /feeds/documents.atom": Inputs(query: documentQuery),
        "GET /documents/new": Inputs(query: ["event"]),
        "POST /documents/new": Inputs(query: ["event"], form: documentForm, files: ["files[]", "files"]),
        "POST /documents/:id/edit": Inputs(form: documentForm, files: ["files[]", "files"]),
        "POST /documents/:id/review": Inputs(form: ["action", "comment"]),
        "GET /oai": Inputs(query: oai),
        "POST /oai": Inputs(form: oai),
        "GET /countries/compare": Inputs(query: ["c"]),
        "GET /countries/:code/history/diff": Inputs(query: ["from", "to"]),
        "POST /countries/:code/edit/:part": Inputs(form: countryForm),
        "GET /events": Inputs(query: ["country", "network", "theme", "type", "month", "past"]),
        "GET /events.ics": Inputs(query: ["country", "network", "theme", "type"]),
        "POST /events/new": Inputs(form: eventForm),
        "POST /events/:id/edit": Inputs(form: eventForm),
        "POST /events/:id/outcomes": Inputs(form: ["document", "role"]),
        "GET /statistics/indicators/:code": Inputs(query: ["c", "countries", "from", "to", "sex", "view", "format", "all"]),
        "POST /statistics/datasets/new": Inputs(form: ["title", "description", "source", "source_url", "licence", "caveats", "visibility", "dataset",
                                                       "decimal_comma", "digest", "filename", "action"], files: ["file"]),
        "GET /login": Inputs(query: ["return"]),
        "POST /login": Inputs(query: ["return"], form: ["email", "password"]),
        "POST /join": Inputs(form: profile + ["password", "motivation"]),
        "GET /join/confirm": Inputs(query: ["token"]),
        "POST /account": Inputs(form: profile),
        "POST /account/password": Inputs(form: ["current_password", "new_password"]),
        "POST /password/forgot": Inputs(form: ["email"]),
        "GET /password/reset": Inputs(query: ["token"]),
        "POST /password/reset": Inputs(query: ["token"], form: ["token", "password"]),
        "GET /admin/members": Inputs(query: ["status"]),
        "POST /admin/members/:id/decision": Inputs(form: ["action", "reason"]),
        "POST /admin/members/:id/roles": Inputs(form: ["role", "countries[]", "coordinates[]"]),
        "POST /admin/members/:id/suspension": Inputs(form: ["action", "reason"]),
        "GET /admin/audit": Inputs(query: ["page"]),
        "GET /admin/outbox": Inputs(query: ["page"]),
    ]

    /// Every field name of every form: what an unlisted POST route is sent.
    static let allFields = Array(Set(inputs.values.flatMap(\.form))).sorted()

    /// Values a field or parameter accepts, so that generated requests also get past the first check.
    static func plausible(_ name: String, _ world: FuzzWorld) -> [String] {
        switch name.replacingOccurrences(of: "[]", with: "") {
        case "action": ["submit", "draft", "preview", "import", "approve", "reject", "suspend", "reinstate", "publish", "return", "withdraw", "save"]
        case "visibility": ["public", "members", "network", "draft"]
        case "kind", "type": ["report", "study", "policy", "guideline", "workshop", "conference", "webinar", "meeting"]
        case "country", "countries", "c": ["jm", "tt", "JM", "bb,tt", "zz", "other", "car"]
        case "languages", "language", "lang": ["en", "es", "fr", "nl", "pap"]
        case "themes", "theme": ["border-management", "labour-migration", "refugee-protection", "diaspora"]
        case "network", "coordinates": ["counter-trafficking", "refugee-protection"]
        case "set": ["country:jm", "theme:diaspora", "type:report", "country:"]
        case "organisation_type": ["government", "international", "civil-society"]
        case "role": ["member", "editor", "admin", "report", "presentation"]
        case "status": ["pending", "active", "rejected", "suspended", "confirmed", "planned", "cancelled"]
        case "document": [world.documentID]
        case "identifier": ["oai:cpmg.test:documents/\(world.documentID)", "oai:cpmg.test:documents/x"]
        case "event": [world.eventID]
        case "dataset": [world.datasetSlug]
        case "digest": [String(repeating: "0", count: 64), world.versionDigest]
        case "timeZone": ["America/Jamaica", "UTC", "Mars/Olympus_Mons", "Etc/GMT+14"]
        case "email": ["member@example.org", "editor@example.org", "a@b", "@", "x@example.org"]
        case "password", "current_password": [Fixtures.password]
        case "new_password": ["another long enough password"]
        case "verb": ["Identify", "ListRecords", "ListIdentifiers", "GetRecord", "ListSets", "ListMetadataFormats", "identify"]
        case "metadataPrefix": ["oai_dc", "marc"]
        case "from", "until", "to", "year", "populationYear", "areaYear", "base", "page":
            ["2020", "1", "2", "2020-01-01", "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z"]
        case "sort": ["relevance", "newest", "oldest", "title"]
        case "format": ["csv", "json", "sdmx", "sdmx-csv", "svg", "xml"]
        case "view": ["chart", "table", "map", "diaspora"]
        case "sex": ["T", "M", "F", "t"]
        case "all", "past", "allDay", "online", "registrationOpen", "decimal_comma": ["1", "0", "on", "true"]
        case "month": ["2026-02", "2026-13", "0000-00", "99999-01"]
        case "return": ["/documents", "//evil.example", "/\t/evil.example", "https://evil.example"]
        case "firstDay", "lastDay", "deadline", "reviewed": ["2030-07-10", "2030-07-11"]
        case "startTime", "endTime": ["09:00", "17:00"]
        case "populationValue", "areaValue", "capacity", "value": ["1", "2800000", "10999"]
        default: []
        }
    }

    // MARK: - The walk

    @Test("No generated request to any route, as any role, answers 5xx or stops the server", arguments: TestDatabase.all)
    func everyRoute(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let probe = RouteProbe()
            app.middleware.use(probe)
            let world = try await FuzzWorld.build(app)
            try await FuzzServer.run(app) { client in
                let started = Date()
                var stats = FuzzStats()
                let routes = app.routes.all.sorted { RouteProbe.key($0) < RouteProbe.key($1) }
                var pairs = 0
                for route in routes {
                    for role in Self.roles(for: RouteProbe.key(route)) {
                        try await Self.batch(route: route, role: role, world: world, client: client, stats: &stats)
                        pairs += 1
                    }
                }
                try await Self.unrouted(world: world, client: client, stats: &stats)
                let elapsed = Date().timeIntervalSince(started)

                // Every route was reached past routing and the CSRF check, by at least one request.
                let reached = probe.reached
                for route in routes where reached[RouteProbe.key(route)] == nil {
                    Issue.record("no fuzzed request reached \(RouteProbe.key(route))")
                }
                let statuses = stats.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
                print("""
                    fuzz[\(database)]: \(routes.count) routes, \(pairs) route × role pairs × \(Self.cases) cases = \(stats.requests - stats.unrouted) requests \
                    (+\(stats.unrouted) unrouted, \(stats.healthChecks) health checks) in \(String(format: "%.1f", elapsed)) s; \
                    \(reached.values.reduce(0, +) - stats.healthChecks) reached a handler; statuses \(statuses); slowest: \(stats.slowest)
                    """)
            }
        }
    }

    /// Who asks a route: a visitor, a member and an editor everywhere; the focal point where
    /// country profiles are kept, the admin where accounts are run.
    static func roles(for key: String) -> [FuzzRole] {
        var roles: [FuzzRole] = [.visitor, .member, .editor]
        if key.contains(" /countries") { roles.append(.focalPoint) }
        if key.contains(" /admin") || key.hasSuffix(" /metrics") { roles.append(.admin) }
        return roles
    }

    /// `cases` requests to one route as one role, then a health check.
    static func batch(route: Route, role: FuzzRole, world: FuzzWorld, client: RawHTTPClient, stats: inout FuzzStats) async throws {
        let key = RouteProbe.key(route)
        // A session of its own for each batch: a logout or a password change in one batch ends no other's.
        let session = try await world.session(role)
        var rng = Xoshiro(seed: (seed, fuzzHash(key), fuzzHash(role.rawValue), 0x5eed))
        var failures = 0
        let started = Date()
        defer { stats.seconds[key, default: 0] += Date().timeIntervalSince(started) }
        for index in 0..<cases {
            let request = FuzzRequestBuilder(route: route, key: key, world: world).make(&rng)
            let answer = try await client.send(request.bytes(session: session))
            stats.count(answer)
            if let problem = Self.problem(answer, to: request), failures < 3 {
                failures += 1
                Issue.record("\(key) as \(role), case \(index) (seed \(seed)): \(problem)\n\(request)")
            }
        }
        try await healthy(client, after: "\(key) as \(role)", stats: &stats)
    }

    /// Paths no route has: very long, deep, traversing, with bytes that are not UTF-8.
    static func unrouted(world: FuzzWorld, client: RawHTTPClient, stats: inout FuzzStats) async throws {
        var rng = Xoshiro(seed: (seed, fuzzHash("unrouted"), 0, 0x5eed))
        let fixed: [[UInt8]] = [
            Array("/..%2f..%2f..%2fetc/passwd".utf8), Array("/assets/..%2f..%2fPackage.swift".utf8), Array("/%2e%2e/%2e%2e/".utf8),
            Array("//".utf8), Array("/documents//edit".utf8), Array("/documents/%00".utf8), Array("/\u{202E}".utf8),
            Array("/".utf8) + [0xFF, 0xFE], Array("/documents/".utf8) + [0xC0, 0x80], Array("/".utf8) + Array(repeating: UInt8(ascii: "a"), count: 100_000),
            Array(String(repeating: "/documents", count: 2_000).utf8), Array("/documents/x?".utf8) + Array(repeating: UInt8(ascii: "&"), count: 50_000),
            Array("/assets/site.%FF.css".utf8), Array("/robots.txt/..".utf8), Array("/healthz?lang=%ED%A0%80".utf8),
        ]
        var targets = fixed
        for _ in 0..<(cases * 4) {
            let segments = (0..<Int.random(in: 1...6, using: &rng)).map { _ in FuzzGen.value.run(using: &rng).urlEncoded.filter { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") } }
            targets.append(segments.reduce([UInt8]()) { $0 + [UInt8(ascii: "/")] + $1 })
        }
        let session = try await world.session(.member)
        for target in targets {
            for method in ["GET", "POST"] {
                let request = FuzzRequest(method: method, target: target, headers: [], body: [])
                let answer = try await client.send(request.bytes(session: session))
                stats.count(answer)
                stats.unrouted += 1
                if let problem = Self.problem(answer, to: request) {
                    Issue.record("unrouted: \(problem)\n\(request)")
                }
            }
        }
        try await healthy(client, after: "the unrouted paths", stats: &stats)
    }

    /// What is wrong with an answer, if anything: a 5xx that is not load shedding, or none at all
    /// to a request that an HTTP parser can read.
    static func problem(_ answer: RawHTTPClient.Answer?, to request: FuzzRequest) -> String? {
        guard let answer else { return request.isWellFormed ? "no answer (connection closed or timed out)" : nil }
        if answer.status == 503 && answer.header("Retry-After") != nil { return nil }
        return answer.status >= 500 ? "answered \(answer.status): \(answer.body.prefix(300))" : nil
    }

    static func healthy(_ client: RawHTTPClient, after: String, stats: inout FuzzStats) async throws {
        let answer = try await client.send(FuzzRequest(method: "GET", target: Array("/healthz".utf8), headers: [], body: []).bytes(session: nil))
        stats.healthChecks += 1
        #expect(answer?.status == 200, "/healthz after \(after): \(answer.map { String($0.status) } ?? "no answer")")
    }
}

// MARK: - Defects the fuzzing found

@Suite("Fuzzing: regressions")
struct FuzzRegressionTests {
    /// A multipart body whose part has `name` in its Content-Disposition broken by a raw line end,
    /// so that the next "header" starts with "é" (bytes C3 A9).
    static func brokenMultipart(boundary: String, csrf: String?) -> ByteBuffer {
        var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\r\né: x\"\r\n\r\nvalue\r\n"
        if let csrf { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n" }
        return ByteBuffer(string: body + "--\(boundary)--\r\n")
    }

    @Test("A multipart part with a byte ≥ 0x80 in a header name is a 400 (MultipartKit traps on it), token in the form or in the header",
          arguments: TestDatabase.all)
    func multipartHeaderName(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a visitor with a CSRF cookie
            let visitor = TestBrowser(app)
            try await visitor.get("/")
            let token = try #require(visitor.csrfToken)
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=fuzz")

            // when the token travels in the form (read by the CSRF check) and in the header (read by the handler)
            let inForm = try await visitor.send(.POST, "/join", headers: headers, body: Self.brokenMultipart(boundary: "fuzz", csrf: token))
            headers.replaceOrAdd(name: "X-CSRF-Token", value: token)
            let inHeader = try await visitor.send(.POST, "/login", headers: headers, body: Self.brokenMultipart(boundary: "fuzz", csrf: nil))

            // then both are refused as bad forms, and the server still answers
            #expect(inForm.status == .badRequest)
            #expect(inHeader.status == .badRequest)
            #expect(try await visitor.get("/healthz").status == .ok)
        }
    }

    @Test("The multipart check lets through what browsers send: UTF-8 file names, several parts, a preamble")
    func multipartCheckKeepsGoodForms() {
        let good = "preamble\r\n--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nRapport été\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"été – résumé.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\u{FF}\r\n--b--\r\n"
        #expect(CheckedFormDataDecoder.isReadable(ByteBuffer(string: good), boundary: "b"))
        #expect(!CheckedFormDataDecoder.isReadable(Self.brokenMultipart(boundary: "b", csrf: nil), boundary: "b"))
        // The first delimiter needs no line end before it; a byte ≥ 0x80 in the second part's header name.
        #expect(!CheckedFormDataDecoder.isReadable(ByteBuffer(string: "--b\r\nA: 1\r\n\r\nx\r\n--b\r\nÄ: 1\r\n\r\ny\r\n--b--"), boundary: "b"))
        #expect(!CheckedFormDataDecoder.isReadable(ByteBuffer(string: "x"), boundary: ""))
    }
}

extension FuzzRegressionTests {
    @Test("A path parameter holding NUL names nothing: 404, not PostgreSQL's error as a 500", arguments: TestDatabase.all)
    func nulInPathParameter(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a visitor
            let visitor = TestBrowser(app)
            // when slugs and codes that reach a query by name hold NUL
            for path in ["/statistics/datasets/a%00b", "/statistics/datasets/a%00b/data.csv", "/statistics/datasets/a%00b/versions/1.csv",
                         "/statistics/indicators/%00%3D", "/countries/j%00m", "/events/%00", "/calendar/%00.ics"] {
                let status = try await visitor.get(path).status
                // then each is not found
                #expect(status == .notFound, "\(path)")
            }
        }
    }
}
