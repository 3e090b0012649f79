@testable import App
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Testing
import Vapor
import VaporTesting

/// A database every database test runs on: SQLite always, PostgreSQL when
/// `POSTGRES_TEST_URL` is set (scripts/test sets it).
enum TestDatabase: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static let postgresURL = ProcessInfo.processInfo.environment["POSTGRES_TEST_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static var all: [TestDatabase] {
        if postgresURL == nil {
            noteSkippedOnce
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }

    private static let noteSkippedOnce: Void = {
        print("note: POSTGRES_TEST_URL is not set, so database tests run on SQLite only (scripts/test runs them on PostgreSQL too).")
    }()

    var testDescription: String { rawValue }
}

/// Runs `body` with a fresh application on a fresh database (a new SQLite file, or a new
/// PostgreSQL schema), migrated and loaded with reference data.
func withApp(
    _ database: TestDatabase,
    environment extra: [String: String] = [:],
    _ body: (Application) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cpmg-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }

    // The statistics centre's reference data (tens of thousands of rows) loads only in the tests that ask for it.
    var environment = ["CPMG_DATA_DIR": directory.path, "CPMG_PUBLIC_URL": "http://cpmg.test", "CPMG_LOAD_STATISTICS": "false"]
    environment.merge(extra) { $1 }
    let settings = try Settings.load(from: environment, workingDirectory: directory)

    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    let factory: DatabaseConfigurationFactory
    switch database {
    case .sqlite:
        factory = .sqlite(.file(directory.appendingPathComponent("test.sqlite").path))
    case .postgres:
        var configuration = try SQLPostgresConfiguration(url: TestDatabase.postgresURL!)
        configuration.searchPath = [String(schema), "public"]
        factory = .postgres(configuration: configuration, maxConnectionsPerEventLoop: 1)
    }

    let app = try await Application.make(.testing)
    do {
        try await configure(app, settings: settings, database: factory)
        if database == .postgres {
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(unsafeRaw: String(schema))").run()
        }
        try await prepareDatabase(app)
        try await body(app)
        if database == .postgres {
            try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(unsafeRaw: String(schema)) CASCADE").run()
        }
    } catch {
        if database == .postgres {
            try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(unsafeRaw: String(schema)) CASCADE").run()
        }
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// A browser stand-in: keeps cookies between requests and sends the CSRF token with forms.
final class TestBrowser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var acceptLanguage: String?

    init(_ app: Application) { self.app = app }

    var csrfToken: String? { cookies["cpmg_csrf"] ?? cookies["__Host-cpmg_csrf"] }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// Posts a url-encoded form; the CSRF token is added unless `csrf` is false or given.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> TestingHTTPResponse {
        var fields = fields
        if csrf && !fields.contains(where: { $0.0 == "_csrf" }) {
            if csrfToken == nil { try await get("/") }
            fields.append(("_csrf", csrfToken ?? ""))
        }
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: Self.encode(fields)))
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var headers = headers
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let acceptLanguage { headers.replaceOrAdd(name: .acceptLanguage, value: acceptLanguage) }
        var result: TestingHTTPResponse?
        try await app.testing().test(method, path, headers: headers, body: body) { response in
            for header in response.headers[.setCookie] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { continue }
                if header.lowercased().contains("expires=thu, 01 jan 1970") || header.lowercased().contains("max-age=0") {
                    cookies[pair[0]] = nil
                } else {
                    cookies[pair[0]] = pair[1]
                }
            }
            result = response
        }
        return result!
    }
}

extension TestingHTTPResponse {
    var text: String { body.string }
    var location: String? { headers.first(name: .location) }
}

// MARK: - Fixtures

enum Fixtures {
    static let password = "correct horse battery staple"

    /// An account in the given state, without going through the forms.
    @discardableResult
    static func user(
        _ app: Application, email: String = "member@example.org", name: String = "Test Member",
        role: Role = .member, status: User.Status = .active, confirmed: Bool = true
    ) async throws -> User {
        let user = User(
            name: name, email: email, passwordHash: try await app.password.async.hash(password), organisation: "Ministry of National Security",
            organisationType: .government, countryISO2: "JM", position: "Officer", motivation: "To share practice.",
            role: role, status: status
        )
        if confirmed { user.emailConfirmedAt = Date() }
        try await user.create(on: app.db)
        return user
    }

    /// A browser logged in as `user`.
    static func login(_ app: Application, as user: User, password: String = Fixtures.password) async throws -> TestBrowser {
        let browser = TestBrowser(app)
        let response = try await browser.post("/login", [("email", user.email), ("password", password)])
        #expect(response.status == .seeOther, "login as \(user.email) failed: \(response.status)")
        return browser
    }

    /// The newest outbox message to `address`.
    static func lastMail(_ app: Application, to address: String) async throws -> OutboxMessage? {
        try await OutboxMessage.query(on: app.db).filter(\.$toAddress == address).sort(\.$createdAt, .descending).first()
    }

    /// The first link in a mail body that starts with `prefix`.
    static func link(in body: String, prefix: String) -> String? {
        body.split(whereSeparator: { $0.isWhitespace }).map(String.init).first { $0.hasPrefix(prefix) }
    }

    static let joinForm: [(String, String)] = [
        ("name", "María López"), ("email", "maria.lopez@example.gov.jm"), ("password", "a long enough password"),
        ("organisation", "Passport, Immigration and Citizenship Agency"), ("organisation_type", "government"),
        ("country", "jm"), ("position", "Director of Border Management"),
        ("motivation", "To share practice on border management with colleagues in the region."),
    ]
}
