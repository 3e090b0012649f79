@testable import App
import AsyncHTTPClient
import Fluent
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SQLiteNIO
import Testing
import Vapor
import VaporTesting

#if canImport(Glibc)
import Glibc
#endif

/// The application listening on a free port of 127.0.0.1, and a client with room for many
/// connections at once (the default allows eight per host).
struct LiveServer {
    let port: Int
    let client: HTTPClient

    struct Answer: Sendable {
        let status: HTTPResponseStatus
        let headers: HTTPHeaders
        let body: String
        let seconds: Double
    }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil) async throws -> Answer {
        var request = try HTTPClient.Request(url: "http://127.0.0.1:\(port)\(path)", method: method, headers: headers)
        if let body { request.body = .byteBuffer(body) }
        let start = ContinuousClock.now
        let response = try await client.execute(request: request).get()
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Answer(status: response.status, headers: response.headers, body: response.body.map { String(buffer: $0) } ?? "", seconds: seconds)
    }

    static func run(_ app: Application, _ body: (LiveServer) async throws -> Void) async throws {
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        let client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: .init(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(5), read: .seconds(40)),
                connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 300)
            )
        )
        do {
            try await body(LiveServer(port: port, client: client))
        } catch {
            try? await client.shutdown()
            await app.server.shutdown()
            throw error
        }
        try await client.shutdown()
        await app.server.shutdown()
    }

    /// Sends `head` and `body` on a plain socket, then closes it without waiting for an answer:
    /// an upload that the browser gave up on.
    func abandon(head: String, body: Data) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let bytes = Data(head.utf8) + body
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

/// What the server answered, seen from inside: every response status and every error that
/// escaped, recorded by a middleware in front of all the others.
final class StatusRecorder: AsyncMiddleware, @unchecked Sendable {
    private let box = NIOLockedValueBox<[(path: String, status: UInt)]>([])

    var all: [(path: String, status: UInt)] { box.withLockedValue { $0 } }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            let response = try await next.respond(to: request)
            box.withLockedValue { $0.append((request.url.path, response.status.code)) }
            return response
        } catch {
            box.withLockedValue { $0.append((request.url.path, 500)) }
            throw error
        }
    }
}

/// A password hasher that holds every call until the gate opens: a hashing pool kept busy for
/// as long as a test needs.
final class GatedHasher: PasswordHasher, @unchecked Sendable {
    private let lock = NIOLockedValueBox((open: false, waiting: 0, calls: 0))
    private let condition = NSCondition()

    var waiting: Int { lock.withLockedValue { $0.waiting } }
    var calls: Int { lock.withLockedValue { $0.calls } }

    func open() {
        condition.lock()
        lock.withLockedValue { $0.open = true }
        condition.broadcast()
        condition.unlock()
    }

    private func pass() {
        condition.lock()
        lock.withLockedValue { $0.waiting += 1; $0.calls += 1 }
        while !lock.withLockedValue({ $0.open }) { condition.wait() }
        lock.withLockedValue { $0.waiting -= 1 }
        condition.unlock()
    }

    func hash<Password: DataProtocol>(_ password: Password) throws -> [UInt8] {
        pass()
        return Array("gated:".utf8) + Array(password)
    }

    func verify<Password: DataProtocol, Digest: DataProtocol>(_ password: Password, created digest: Digest) throws -> Bool {
        pass()
        return Array(digest) == Array("gated:".utf8) + Array(password)
    }
}

@Suite("Robustness: load shedding, broken bodies, clean input")
struct RobustnessTests {
    // MARK: - Load

    /// The two databases one after the other: two storms at once on two cores would measure each other.
    @Test("50 logins and 50 searches at once: no 500, every 503 says when to retry, /healthz is never starved", .serialized, arguments: TestDatabase.all)
    func storm(database: TestDatabase) async throws {
        try await withApp(database, environment: ["CPMG_TRUST_PROXY": "true"]) { app in
            // given Bcrypt at its production cost, one member, and the server listening
            app.passwords.use(.bcrypt(cost: 12))
            let member = try await Fixtures.user(app)
            try await LiveServer.run(app) { server in
                let login = try await server.send(.GET, "/login")
                let csrf = try #require(login.headers[.setCookie].first { $0.hasPrefix("cpmg_csrf=") }).split(separator: ";")[0]
                let token = String(csrf.split(separator: "=", maxSplits: 1)[1])
                // (an operator probes all the time, so the probe's connection is open before the storm)
                #expect(try await server.send(.GET, "/healthz").status == .ok)

                // when 50 people log in (45 guesses from 45 addresses, 5 members who know their password)
                // and 50 search, all at once, while an operator probes /healthz
                let storm = Task {
                    try await withThrowingTaskGroup(of: (String, LiveServer.Answer).self) { group in
                        for i in 0..<50 {
                            group.addTask {
                                var headers: HTTPHeaders = ["Cookie": String(csrf), "X-Forwarded-For": "198.51.100.\(i + 1)"]
                                headers.contentType = .urlEncodedForm
                                let email = i < 5 ? member.email : "guest\(i)@example.org"
                                let password = i < 5 ? Fixtures.password : "a wrong password \(i)"
                                let body = TestBrowser.encode([("email", email), ("password", password), ("_csrf", token)])
                                return ("login", try await server.send(.POST, "/login", headers: headers, body: ByteBuffer(string: body)))
                            }
                            group.addTask {
                                ("search", try await server.send(.GET, "/search?q=\(["migration", "trafficking", "curacao", "border", "refugee"][i % 5])+\(i)"))
                            }
                        }
                        return try await group.reduce(into: [(String, LiveServer.Answer)]()) { $0.append($1) }
                    }
                }
                var probes: [LiveServer.Answer] = []
                try await Task.sleep(for: .milliseconds(100))
                for _ in 0..<15 {
                    probes.append(try await server.send(.GET, "/healthz"))
                    try await Task.sleep(for: .milliseconds(200))
                }
                let answers = try await storm.value

                // then every answer is one a client can act on
                var tally: [String: Int] = [:]
                for (kind, answer) in answers { tally["\(kind) \(answer.status.code)", default: 0] += 1 }
                print("storm on \(database): \(tally.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
                print("storm on \(database): /healthz in \(probes.map { String(format: "%.3f", $0.seconds) }.joined(separator: " ")) s")
                for (kind, answer) in answers {
                    #expect(answer.status.code < 500 || answer.status == .serviceUnavailable, "\(kind) answered \(answer.status)")
                    if answer.status == .serviceUnavailable || answer.status == .tooManyRequests {
                        #expect(answer.headers.first(name: .retryAfter).flatMap(Int.init) != nil, "\(kind) \(answer.status) without Retry-After")
                        #expect(answer.body.contains("<h1>"))
                    }
                }
                #expect(answers.contains { $0.0 == "login" && ($0.1.status == .seeOther || $0.1.status == .unauthorized) }, "some logins were served")
                // and the operator's probe never waited
                #expect(probes.allSatisfy { $0.status == .ok })
                // Timing belongs to the benchmark (bench/storm.py: under 1 s, measured alone); here, with
                // the rest of the suite on the same two cores, the probe must only never be starved
                // (it waited up to 11 s behind logins before Bcrypt had its own pool).
                #expect(probes.map(\.seconds).max() ?? 99 < 5.0, "slowest /healthz: \(probes.map(\.seconds).max() ?? 0) s")
            }
        }
    }

    @Test("A full password queue answers 503 with Retry-After at once instead of waiting", arguments: TestDatabase.all)
    func passwordQueue(database: TestDatabase) async throws {
        try await withApp(database, environment: ["CPMG_PASSWORD_THREADS": "1", "CPMG_PASSWORD_QUEUE": "1"]) { app in
            // given a hashing pool of one thread and one waiting place, both taken by hashes that wait for a gate
            let gated = GatedHasher()
            app.passwords.use { _ in gated }
            let (hashing, hasher) = (app.passwordHashing, app.password)
            let held = (0..<2).map { i in Task { try await hashing.hash("a held password \(i)", using: hasher) } }
            while gated.waiting < 1 { try await Task.sleep(for: .milliseconds(10)) }
            // when someone logs in
            let response = try await TestBrowser(app).post("/login", [("email", "someone@example.org"), ("password", "any password at all")])
            // then they are told to come back, without a password check
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers.first(name: .retryAfter) != nil)
            #expect(response.text.contains("<h1>"))
            #expect(try await LoginAttempt.query(on: app.db).count() == 0)
            #expect(gated.calls == 1, "only the first held hash has started")
            // and once the queue has room the login goes through
            gated.open()
            for task in held { _ = try await task.value }
            #if os(Linux)
            // on hashing threads that yield the cores to everything else
            func nice(_ stat: String) -> Int? {
                stat.split(separator: ")").last.flatMap { Int($0.split(separator: " ")[16]) }
            }
            let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
            let nices = tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/stat", encoding: .utf8) }.compactMap(nice)
            #expect(nices.contains(10))
            #expect(nice(try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)) == 0)
            #endif
            let member = try await Fixtures.user(app)
            _ = try await Fixtures.login(app, as: member)
        }
    }

    @Test("A database that is busy or out of connections is a 503 with Retry-After, never a 500", arguments: TestDatabase.all)
    func databaseErrors(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a real "database is locked": a transaction that read, while another connection wrote
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("busy-\(UUID().uuidString).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let reader = try await SQLiteConnection.open(storage: .file(path: path))
            let writer = try await SQLiteConnection.open(storage: .file(path: path))
            _ = try await reader.query("PRAGMA journal_mode=WAL")
            _ = try await reader.query("CREATE TABLE t (x INTEGER)")
            _ = try await reader.query("BEGIN")
            _ = try await reader.query("SELECT count(*) FROM t")
            _ = try await writer.query("INSERT INTO t VALUES (1)")
            var busy: (any Error)?
            do { _ = try await reader.query("INSERT INTO t VALUES (2)") } catch { busy = error }
            _ = try? await reader.query("ROLLBACK")
            try await reader.close()
            try await writer.close()
            var constraint: (any Error)?
            let other = try await SQLiteConnection.open(storage: .memory)
            _ = try await other.query("CREATE TABLE u (x INTEGER UNIQUE)")
            _ = try await other.query("INSERT INTO u VALUES (1)")
            do { _ = try await other.query("INSERT INTO u VALUES (1)") } catch { constraint = error }
            try await other.close()

            // when the error pages meet it, or a connection pool that has none to give
            let request = Request(application: app, method: .GET, url: "/", on: app.eventLoopGroup.next())
            let errors: [any Error] = [ConnectionPoolTimeoutError.connectionRequestTimeout, try #require(busy)]
            for error in errors {
                let response = ErrorPagesMiddleware().page(for: error, request: request)
                // then the answer is "come back shortly", with a page
                #expect(response.status == .serviceUnavailable, "\(String(reflecting: error))")
                #expect(response.headers.first(name: .retryAfter).flatMap(Int.init) != nil, "\(error)")
                #expect(response.body.string?.contains("<h1>") == true)
            }
            // other database failures stay 500s: they are bugs to fix, not load
            #expect(ErrorPagesMiddleware().page(for: try #require(constraint), request: request).status == .internalServerError)
        }
    }

    // MARK: - Broken bodies

    static func gzip(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", "-9"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread { input.fileHandleForWriting.write(data); try? input.fileHandleForWriting.close() }
        writer.start()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return compressed
    }

    @Test("A gzip body that inflates past the limit is 413, a broken gzip body 400, never 500", arguments: TestDatabase.all)
    func gzipBodies(database: TestDatabase) async throws {
        try await withApp(database, environment: ["CPMG_MAX_UPLOAD_MB": "2"]) { app in
            let member = try await Fixtures.user(app)
            let recorder = StatusRecorder()
            app.middleware.use(recorder, at: .beginning)
            try await LiveServer.run(app) { server in
                // given a member's session and form token
                let browser = TestBrowser(app)
                try await browser.post("/login", [("email", member.email), ("password", Fixtures.password)])
                let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                let token = try #require(browser.csrfToken)

                // when a form of 3 MB arrives as 3 kB of gzip
                var headers: HTTPHeaders = ["Cookie": cookie, "Content-Encoding": "gzip"]
                headers.contentType = .urlEncodedForm
                let form = TestBrowser.encode([("_csrf", token), ("name", "x")]) + "&motivation=" + String(repeating: "a", count: 3_000_000)
                let bomb = try await server.send(.POST, "/account", headers: headers, body: ByteBuffer(data: try Self.gzip(Data(form.utf8))))
                // then it is refused as too large
                #expect(bomb.status == .payloadTooLarge)
                #expect(bomb.body.contains("<h1>"))

                // when an upload of 5 MB arrives as a few kB of gzip
                let boundary = "cpmg-boundary"
                var multipart = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n".utf8)
                multipart += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"zeros.txt\"\r\nContent-Type: text/plain\r\n\r\n".utf8)
                multipart += Data(count: 5_000_000) + Data("\r\n--\(boundary)--\r\n".utf8)
                var upload: HTTPHeaders = ["Cookie": cookie, "Content-Encoding": "gzip", "Content-Type": "multipart/form-data; boundary=\(boundary)"]
                let big = try await server.send(.POST, "/documents/new", headers: upload, body: ByteBuffer(data: try Self.gzip(multipart)))
                #expect(big.status == .payloadTooLarge)

                // a small compressed form is read as usual
                headers.replaceOrAdd(name: .contentType, value: "application/x-www-form-urlencoded")
                let small = TestBrowser.encode([("_csrf", token), ("name", "Zipped Name"), ("organisation", "X"), ("organisation_type", "ngo"), ("country", "tt"), ("position", "Y")])
                #expect(try await server.send(.POST, "/account", headers: headers, body: ByteBuffer(data: try Self.gzip(Data(small.utf8)))).status == .seeOther)
                #expect(try await User.find(member.id, on: app.db)?.name == "Zipped Name")

                // when the gzip stream is broken
                upload.replaceOrAdd(name: .contentType, value: "application/x-www-form-urlencoded")
                let broken = try await server.send(.POST, "/account", headers: upload, body: ByteBuffer(string: "this is not gzip at all, just text"))
                #expect(broken.status == .badRequest)
                #expect(broken.body.contains("<h1>"))
                // and a coding the platform does not speak is named as such
                upload.replaceOrAdd(name: "Content-Encoding", value: "br")
                #expect(try await server.send(.POST, "/account", headers: upload, body: ByteBuffer(string: "x")).status == .unsupportedMediaType)
            }
            #expect(!recorder.all.contains { $0.status >= 500 }, "\(recorder.all)")
        }
    }

    /// A multipart body for `/documents/new` with the form token first.
    static func multipart(_ boundary: String, token: String, file: Data) -> Data {
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n".utf8)
        for (name, value) in DocumentFixtures.form() {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
        return body + file
    }

    @Test("An upload cut short is 400 with a page, whether the body ends early or the connection drops", arguments: TestDatabase.all)
    func abortedUpload(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let recorder = StatusRecorder()
            app.middleware.use(recorder, at: .beginning)
            let browser = try await Fixtures.login(app, as: member)
            let token = try #require(browser.csrfToken)
            let pdf = DocumentFixtures.pdf(pages: ["A report that never fully arrives"])

            // when the body stops in the middle of the file (no closing boundary)
            let cut = Self.multipart("cut", token: token, file: pdf.prefix(pdf.count / 2))
            let response = try await browser.send(.POST, "/documents/new", headers: ["Content-Type": "multipart/form-data; boundary=cut"], body: ByteBuffer(data: cut))
            // then it is a bad request, and nothing is saved
            #expect(response.status == .badRequest)
            #expect(response.text.contains("<h1>"))
            #expect(try await Document.query(on: app.db).count() == 0)

            // when the browser announces a large body, sends part of it and goes away
            try await LiveServer.run(app) { server in
                let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                let head = "POST /documents/new HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\nContent-Type: multipart/form-data; boundary=gone\r\nContent-Length: 200000\r\n\r\n"
                try server.abandon(head: head, body: Self.multipart("gone", token: token, file: pdf))
                // then the server answers the request it got as a bad one, and stays up
                for _ in 0..<50 where recorder.all.filter({ $0.path == "/documents/new" }).count < 2 {
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(try await server.send(.GET, "/healthz").status == .ok)
            }
            let uploads = recorder.all.filter { $0.path == "/documents/new" }
            #expect(uploads.count == 2 && uploads.allSatisfy { $0.status == 400 }, "\(uploads)")
            #expect(try await Document.query(on: app.db).count() == 0)
        }
    }

    @Test("Malformed multipart bodies are 400 with a page, not a CSRF refusal or a 500", arguments: TestDatabase.all)
    func malformedMultipart(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let browser = try await Fixtures.login(app, as: member)
            let token = try #require(browser.csrfToken)
            let cases: [(String, String, Data)] = [
                ("no boundary", "multipart/form-data", Data("--x\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n--x--\r\n".utf8)),
                ("empty boundary", "multipart/form-data; boundary=", Data("--\r\n\r\n".utf8)),
                ("another boundary", "multipart/form-data; boundary=expected", Data("--other\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n--other--\r\n".utf8)),
                ("no part headers", "multipart/form-data; boundary=b", Data("--b\r\n\r\n\(token)\r\n--b--\r\n".utf8)),
                ("garbage", "multipart/form-data; boundary=b", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })),
                ("headers never end", "multipart/form-data; boundary=b", Data("--b\r\nContent-Disposition: form-data; name=\"_csrf\"".utf8)),
                ("broken url-encoding", "application/x-www-form-urlencoded", Data("_csrf=\(token)&title=%E0%A4%A&name=%E0%A4%A".utf8)),
            ]
            for (name, type, body) in cases {
                for path in ["/documents/new", "/statistics/datasets/new", "/account"] {
                    let response = try await browser.send(.POST, path, headers: ["Content-Type": type], body: ByteBuffer(data: body))
                    #expect(response.status == .badRequest, "\(name) to \(path): \(response.status)")
                    #expect(response.text.contains("<h1>"), "\(name) to \(path)")
                }
            }
            // a well-formed body without the token is still a CSRF refusal
            let missing = try await browser.send(.POST, "/account", headers: ["Content-Type": "multipart/form-data; boundary=b"],
                                                 body: ByteBuffer(string: "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nX\r\n--b--\r\n"))
            #expect(missing.status == .forbidden)
            #expect(try await Document.query(on: app.db).count() == 0)
        }
    }

    // MARK: - Clean input in every feature's forms

    @Test("Documents, events and datasets: bidirectional and control characters leave titles and file names", arguments: TestDatabase.all)
    func cleanInputEverywhere(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, email: "editor@example.org", role: .editor)
            let browser = try await Fixtures.login(app, as: editor)

            // when a document is uploaded with an overridden file name and a title with a NUL
            let pdf = DocumentFixtures.pdf(pages: ["Cleaning"])
            let form = DocumentFixtures.form(title: "Border\u{0} report\u{202E}", extra: [("abstract", "Line one\r\nLine\u{2067} two\u{0}")]).filter { $0.0 != "abstract" || $0.1.contains("one") }
            let upload = try await browser.postMultipart("/documents/new", form, files: [("files[]", "invoice\u{202E}fdp.exe\u{200E}", pdf)])
            #expect(upload.status == .seeOther)
            let document = try #require(try await Document.query(on: app.db).first())
            #expect(document.title == "Border report")
            #expect(document.abstract == "Line one\nLine two")
            let file = try #require(try await DocumentFile.query(on: app.db).first())
            #expect(file.originalName == "invoicefdp.exe")
            let download = try await browser.get("/documents/\(document.id!.uuidString)/file")
            #expect(download.headers.first(name: .contentDisposition)?.contains("%E2%80%AE") == false)

            // when an event's title carries a NUL and a direction mark
            var fields = EventTests.fields("Workshop\u{0} on data\u{200F}")
            fields.removeAll { $0.0 == "description" }
            fields.append(("description", "About\u{0B} data.\r\n\r\nSecond\u{2068} paragraph."))
            let code = try await EventTests.create(app, browser, fields)
            let event = try #require(try await Event.find(UUID(uuidString: code), on: app.db))
            #expect(event.title == "Workshop on data")
            #expect(event.descriptionMarkdown == "About data.\n\nSecond paragraph.")

            // when a dataset's title and file name carry them (checked before the file's content)
            let dataset = try await browser.postMultipart("/statistics/datasets/new", [("title", "Returns\u{202E}\u{0} 2024"), ("source", "Ministry\u{0085}"), ("licence", "CC BY 4.0"),
                                                                                     ("visibility", "public"), ("action", "preview")],
                                                          files: [("file", "returns\u{202E}vsc.exe", Data("indicator,area,period,value\r\n".utf8))])
            #expect(!dataset.text.contains("\u{202E}") && !dataset.text.contains("\u{0}"))
            #expect(dataset.text.contains("Returns 2024"))
        }
    }
}
