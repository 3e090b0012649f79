@testable import App
import Fluent
import Foundation
import NIOConcurrencyHelpers
import PropertyBased
import Testing
import Vapor

// MARK: - Roles and fixtures

enum FuzzRole: String, CaseIterable, Sendable, CustomStringConvertible {
    case visitor, member, focalPoint, editor, admin
    var description: String { rawValue }
}

/// What the routes' path parameters can point at: one item of each kind, and the people who act.
struct FuzzWorld: Sendable {
    let app: Application
    var users: [FuzzRole: User] = [:]
    /// A pending applicant: the admin routes act on them, never on a role's own account.
    var applicantID = ""
    var documentID = "", fileID = ""
    var eventID = ""
    var indicatorCode = "FUZZ.IND", datasetSlug = "fuzz-arrivals", versionDigest = ""
    var calendarToken = ""
    var cssVersion = ""

    static func build(_ app: Application) async throws -> FuzzWorld {
        var world = FuzzWorld(app: app)
        let db = app.db
        world.users[.member] = try await Fixtures.user(app, email: "member@example.org", name: "Mo Member")
        world.users[.focalPoint] = try await Fixtures.user(app, email: "focal@example.org", name: "Flor Focal")
        world.users[.editor] = try await Fixtures.user(app, email: "editor@example.org", name: "Ed Editor", role: .editor)
        world.users[.admin] = try await Fixtures.user(app, email: "admin@example.org", name: "Ada Admin", role: .admin)
        world.applicantID = try await Fixtures.user(app, email: "applicant@example.org", name: "Pat Applicant", status: .pending).requireID().uuidString.lowercased()
        let jamaica = try #require(try await Country.query(on: db).filter(\.$iso2 == "JM").first())
        try await CountryFocalPoint(userID: world.users[.focalPoint]!.requireID(), countryID: jamaica.requireID()).create(on: db)

        // A published document with a file.
        let document = try await DocumentFixtures.document(app, title: "Border management in Jamaica", body: "Text of the report.", by: world.users[.editor]!)
        world.documentID = try document.requireID().uuidString.lowercased()
        let file = try #require(try await DocumentFile.query(on: db).filter(\.$document.$id == document.requireID()).first())
        world.fileID = try file.requireID().uuidString.lowercased()

        // A public event open for registration.
        let event = Event()
        event.slug = "fuzz-workshop"
        event.title = "Workshop on border data"
        event.kind = .workshop
        event.descriptionMarkdown = "About **data**."
        event.allDay = false
        event.firstDay = "2030-07-10"
        event.lastDay = "2030-07-10"
        event.startsAt = Date(timeIntervalSince1970: 1_909_918_800)
        event.endsAt = event.startsAt.addingTimeInterval(8 * 3600)
        event.timeZone = "America/Jamaica"
        event.venue = "Conference centre"
        event.city = "Kingston"
        event.$country.id = try jamaica.requireID()
        event.online = false
        event.onlineLink = ""
        event.organisers = "IOM"
        event.funders = ""
        event.visibility = .public
        event.status = .confirmed
        event.contact = "events@example.org"
        event.registrationOpen = true
        event.sequence = 0
        event.$creator.id = try world.users[.editor]!.requireID()
        try await event.create(on: db)
        try await EventIndexing.reindex(event, app: app, db: db)
        world.eventID = event.code
        world.calendarToken = try await EventCalendar.newToken(for: world.users[.member]!, db: db)

        // A published dataset with its first version.
        try await StatisticsSeed.indicator(code: world.indicatorCode, name: "Arrivals", definition: "Arrivals at the border.", unit: "persons",
                                           themes: "migrant-stock", source: "Test", licence: "CC BY 4.0", db: db)
        let csv = "indicator,area,period,value,note\r\nFUZZ.IND,JM,2020,111,\r\n"
        let temporary = try app.cpmg.blobs.temporaryURL()
        try FileManager.default.createDirectory(at: temporary.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(csv.utf8).write(to: temporary)
        world.versionDigest = try app.cpmg.blobs.put(movingFileAt: temporary).sha256
        let dataset = StatDataset()
        dataset.slug = world.datasetSlug
        dataset.title = "Arrivals"
        dataset.descriptionText = "Arrivals by country."
        dataset.source = "Ministry"
        dataset.sourceURL = ""
        dataset.licence = "CC BY 4.0"
        dataset.caveats = ""
        dataset.status = .published
        dataset.visibility = .public
        dataset.version = 1
        dataset.$submitter.id = try world.users[.member]!.requireID()
        dataset.publishedAt = Date()
        try await dataset.create(on: db)
        try await StatisticsSeed.insert([.init(indicator: world.indicatorCode, area: "JM", year: 2020, value: 111)], dataset: dataset.requireID(), db: db)
        let version = StatDatasetVersion()
        version.$dataset.id = try dataset.requireID()
        version.number = 1
        version.sha256 = world.versionDigest
        version.filename = "arrivals.csv"
        version.rows = 1
        version.decimalComma = false
        version.status = .published
        version.$creator.id = try world.users[.member]!.requireID()
        try await version.create(on: db)
        try await StatisticsIndexing.indexAll(app: app, db: db)

        // Two revisions of Jamaica's profile, for the history, diff and restore routes.
        var (content, number) = try await CountryProfiles.current(jamaica, db: db)
        content.facts.capital += " (checked)"
        _ = try await CountryProfiles.save(.facts, from: content, base: number, summary: "Checked the capital.", country: jamaica,
                                           user: world.users[.focalPoint]!, app: app, db: db, now: Date())

        world.cssVersion = app.cpmg.assets.cssVersion
        return world
    }

    func session(_ role: FuzzRole) async throws -> String? {
        guard let user = users[role] else { return nil }
        return try await Sessions.start(for: user, on: app.db, now: Date(), days: 1)
    }

    /// Valid values for a path parameter of the route `key`.
    func pathValues(_ name: String, key: String) -> [String] {
        let section = key.split(separator: " ").last?.split(separator: "/").first.map(String.init) ?? ""
        switch (section, name) {
        case ("documents", "id"), ("events", "document"): return [documentID]
        case ("documents", "file"): return [fileID]
        case ("events", "id"): return [eventID]
        case ("countries", "code"): return ["jm", "tt", "JM"]
        case ("countries", "part"): return ProfilePart.allCases.map(\.rawValue)
        case ("countries", "number"): return ["1", "2"]
        case ("statistics", "code"): return [indicatorCode]
        case ("statistics", "slug"): return [datasetSlug]
        case ("statistics", "file"): return ["1.csv"]
        case ("admin", "id"): return [applicantID]
        case ("calendar", "token"): return [calendarToken]
        case ("assets", "file"): return ["site.\(cssVersion).css"]
        default: return []
        }
    }
}

// MARK: - Running

/// The application listening on a port of its own (the operating system's choice), for the duration of `body`.
enum FuzzServer {
    static func run(_ app: Application, _ body: (RawHTTPClient) async throws -> Void) async throws {
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        do {
            let port = try #require(app.http.server.shared.localAddress?.port)
            try await body(RawHTTPClient(port: port))
        } catch {
            await app.server.shutdown()
            throw error
        }
        await app.server.shutdown()
    }
}

struct FuzzStats {
    var requests = 0, unrouted = 0, healthChecks = 0
    var statuses: [Int: Int] = [:]
    /// Time spent on each route, to find what makes a run slow.
    var seconds: [String: Double] = [:]

    var slowest: String {
        seconds.sorted { $0.value > $1.value }.prefix(6).map { "\($0.key) \(String(format: "%.1f", $0.value)) s" }.joined(separator: ", ")
    }

    mutating func count(_ answer: RawHTTPClient.Answer?) {
        requests += 1
        statuses[answer?.status ?? 0, default: 0] += 1
    }
}

/// Counts the requests that got past routing and the CSRF check to a route's handler.
final class RouteProbe: AsyncMiddleware, Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    static func key(_ route: Route) -> String { "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/") }

    var reached: [String: Int] { counts.withLockedValue { $0 } }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let route = request.route { counts.withLockedValue { $0[Self.key(route), default: 0] += 1 } }
        return try await next.respond(to: request)
    }
}
