@testable import App
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor
import VaporTesting

// MARK: - Roles

/// The people the route matrix and the leak sweep act as, in the matrix's column order.
enum SecurityRole: String, CaseIterable, Sendable, CustomStringConvertible {
    case visitor
    /// Asked to join, email confirmed, not approved yet.
    case pending
    case member
    /// A plain member of network A (a `NetworkMembership` of kind member).
    case networkMember
    case coordinator
    /// Focal point of country X.
    case focalPoint
    case editor
    case admin
    /// Signed in, then suspended in the database; keeps the old session cookie.
    case suspended

    var description: String { rawValue }
}

// MARK: - Secret words

/// Who may read a secret word.
enum SecretAudience: Sendable {
    /// Any approved member.
    case members
    /// Members of one network.
    case network
    /// Nobody but its owner and the reviewers (draft, pending, withdrawn).
    case unpublished
}

/// A word planted in one restricted field, so that a failure names the field.
struct SecretWord: Sendable, Hashable {
    static let stem = "Zanzibarquux"
    var word: String
    var field: String
    var audience: SecretAudience

    /// Hidden from visitors: every secret. Hidden from members outside network A: all but members-only ones.
    func isHidden(from role: SecurityRole) -> Bool {
        switch role {
        case .visitor, .pending, .suspended: true
        case .member, .focalPoint: audience != .members
        case .networkMember, .coordinator, .editor, .admin: false
        }
    }
}

// MARK: - The world

/// One build of every kind of item in every state, with a signed-in browser per role. Both the
/// route matrix and the leak sweep run on it; it is built once per database and test.
///
/// Items are submitted by `author`, who plays no role in the matrix, so that no role sees an item
/// because it is theirs (ownership is covered by `AccessTests`).
final class SecurityWorld: @unchecked Sendable {
    let app: Application
    private(set) var users: [SecurityRole: User] = [:]
    private(set) var author: User!
    private var browsers: [SecurityRole: TestBrowser] = [:]
    private(set) var networkA: Network!
    private(set) var networkB: Network!
    static let countryX = "jm", countryY = "tt"

    struct DocumentFixture {
        var document: Document
        var fileIDs: [UUID]
        var fileNames: [String]
        /// Facet values as the repository's search page shows them.
        var kind: String
        var countries: [String]
        var themes: [String]
        var language: String
        var network: String?
        /// The state it was built in, for `restore`.
        var status: Document.Status
    }

    private(set) var documents: [String: DocumentFixture] = [:]
    private(set) var events: [String: Event] = [:]
    private(set) var datasets: [String: StatDataset] = [:]
    /// Each dataset's observations and versions as built, for `restore`.
    private var datasetOriginals: [String: (status: StatDataset.Status, version: Int, observations: [StatisticsSeed.Observation], versions: [Int: StatDatasetVersion.Status])] = [:]
    private(set) var indicators: [String: String] = [:]
    private(set) var calendarToken = ""
    private(set) var secrets: [SecretWord] = []
    /// Public words that a crawl must meet, so that a crawl which finds nothing cannot pass.
    static let publicDocumentTitle = "Kilimanjaro public report on border management"
    static let publicEventTitle = "Kilimanjaro public workshop on data"
    static let publicDatasetTitle = "Kilimanjaro public arrivals"

    init(_ app: Application) { self.app = app }

    /// Plants `name` as a secret word of `field` and returns it.
    func secret(_ name: String, _ field: String, _ audience: SecretAudience) -> String {
        let word = SecretWord.stem + name
        secrets.append(SecretWord(word: word, field: field, audience: audience))
        return word
    }

    func user(_ role: SecurityRole) -> User { users[role]! }

    /// The browser of a role, signed in as far as the platform lets it.
    func browser(_ role: SecurityRole) -> TestBrowser { browsers[role]! }

    /// A second browser for a role with a session of its own (for logging out without ending
    /// the role's main session). Sessions are planted: no password hashing.
    func freshBrowser(_ role: SecurityRole) async throws -> TestBrowser {
        let browser = TestBrowser(app)
        if role != .visitor {
            browser.cookies[Sessions.cookieName] = try await Sessions.start(for: user(role), on: app.db, now: Date(), days: 1)
        }
        try await browser.get("/")
        return browser
    }

    // MARK: Building

    /// Builds the world. `fillers` public documents are added for paging (OAI-PMH resumption).
    static func build(_ app: Application, fillers: Int = 0) async throws -> SecurityWorld {
        let world = SecurityWorld(app)
        world.serveWithOneResponder()
        try await world.buildPeople()
        try await world.buildDocuments(fillers: fillers)
        try await world.buildEvents()
        try await world.buildStatistics()
        try await world.buildCountries()
        try await world.signIn()
        return world
    }

    /// Serves every request with one responder, as the server does: the testing tester otherwise
    /// builds the router anew for each request. Call after the middleware is complete.
    private func serveWithOneResponder() {
        let responder = app.responder.default
        app.responder.use { _ in responder }
    }

    private func buildPeople() async throws {
        let db = app.db
        networkA = try await Network.query(on: db).filter(\.$slug == "counter-trafficking").first()!
        networkB = try await Network.query(on: db).filter(\.$slug == "refugee-protection").first()!
        author = try await Fixtures.user(app, email: "author@example.org", name: "Alex Author")
        users[.pending] = try await Fixtures.user(app, email: "pending@example.org", name: "Pat Pending", status: .pending)
        users[.member] = try await Fixtures.user(app, email: "member@example.org", name: "Mo Member")
        users[.networkMember] = try await Fixtures.user(app, email: "network@example.org", name: "Nia Network")
        users[.coordinator] = try await Fixtures.user(app, email: "coordinator@example.org", name: "Cy Coordinator")
        let focalName = "Flor " + secret("FocalPointName", "name of country X's focal point", .members)
        users[.focalPoint] = try await Fixtures.user(app, email: "focal@example.org", name: focalName)
        users[.editor] = try await Fixtures.user(app, email: "editor@example.org", name: "Ed Editor", role: .editor)
        users[.admin] = try await Fixtures.user(app, email: "admin@example.org", name: "Ada Admin", role: .admin)
        users[.suspended] = try await Fixtures.user(app, email: "suspended@example.org", name: "Sam Suspended")
        try await NetworkMembership(userID: user(.networkMember).requireID(), networkID: networkA.requireID(), kind: .member).create(on: db)
        try await NetworkMembership(userID: user(.coordinator).requireID(), networkID: networkA.requireID(), kind: .coordinator).create(on: db)
        let x = try await Country.query(on: db).filter(\.$iso2 == Self.countryX.uppercased()).first()!
        try await CountryFocalPoint(userID: user(.focalPoint).requireID(), countryID: x.requireID()).create(on: db)
    }

    private func viewer(_ user: User) async throws -> Viewer { try await Viewer.load(for: user, db: app.db) }

    // MARK: Documents

    private func document(
        _ key: String, title: String, abstract: String = "", authors: String = "López, María", file: (name: String, text: String)?,
        status: Document.Status = .published, visibility: Visibility = .public, network: Network? = nil,
        kind: Document.Kind, countries: [String], themes: [String], language: String
    ) async throws {
        var form = DocumentForm()
        form.title = title
        form.abstract = abstract
        form.authors = authors
        form.year = "2019"
        form.kind = kind.rawValue
        form.languages = [language]
        form.countries = countries
        form.themes = themes
        form.visibility = visibility.rawValue
        form.network = network?.slug ?? ""
        form.rights = "CC BY 4.0"
        let references = try await DocumentLibrary.References.load(app.db)
        let stored = try file.map { try DocumentLibrary.store([.init(name: $0.name, data: ByteBuffer(string: $0.text))], in: app.cpmg.blobs) } ?? []
        let created = try await DocumentLibrary.create(form, files: stored, status: status, by: author, references: references, app: app, db: app.db, now: Date())
        let files = try await DocumentFile.query(on: app.db).filter(\.$document.$id == created.requireID()).sort(\.$position).all()
        documents[key] = DocumentFixture(
            document: created, fileIDs: try files.map { try $0.requireID() }, fileNames: files.map(\.originalName), kind: kind.rawValue,
            countries: countries, themes: themes, language: language, network: network?.slug, status: status
        )
    }

    private func buildDocuments(fillers: Int) async throws {
        func words(_ key: String, _ label: String, _ audience: SecretAudience) -> (title: String, abstract: String, author: String, file: String, text: String) {
            (secret("Doc\(key)Title", "title of the \(label) document", audience),
             secret("Doc\(key)Abstract", "abstract of the \(label) document", audience),
             secret("Doc\(key)Author", "author of the \(label) document", audience),
             secret("Doc\(key)File", "file name of the \(label) document", audience),
             secret("Doc\(key)Text", "extracted text of the \(label) document", audience))
        }
        try await document("public", title: Self.publicDocumentTitle, abstract: "Kilimanjaro abstract.", file: ("kilimanjaro-report.txt", "Kilimanjaro text of the public report."),
                           kind: .report, countries: ["jm"], themes: ["border-management"], language: "en")

        // Each restricted document shares the public one's theme (so that "related documents" could
        // reveal it) and has a country, kind, theme and language of its own (so that a facet would).
        let specs: [(key: String, name: String, label: String, audience: SecretAudience, status: Document.Status, visibility: Visibility, network: Network?,
                     kind: Document.Kind, country: String, theme: String, language: String)] = [
            ("members", "Members", "members-only", .members, .published, .members, nil, .study, "bb", "labour-migration", "es"),
            ("net-a", "NetworkA", "network A", .network, .published, .network, networkA, .policy, "bs", "counter-trafficking", "fr"),
            ("net-b", "NetworkB", "network B", .network, .published, .network, networkB, .guideline, "dm", "refugee-protection", "nl"),
            ("draft", "Draft", "draft", .unpublished, .draft, .public, nil, .training, "gd", "diaspora", "pt"),
            ("pending", "Pending", "pending", .unpublished, .pending, .public, nil, .presentation, "gd", "diaspora", "pt"),
            ("pending-a", "PendingA", "pending network A", .unpublished, .pending, .public, networkA, .presentation, "gd", "diaspora", "pt"),
            ("withdrawn", "Withdrawn", "withdrawn", .unpublished, .published, .public, nil, .meetingReport, "lc", "migration-health", "ht"),
            ("withdrawn-a", "WithdrawnA", "withdrawn network A", .unpublished, .published, .network, networkA, .meetingReport, "lc", "migration-health", "ht"),
            ("became-members", "BecameMembers", "once public, now members-only", .members, .published, .public, nil, .legislation, "gy", "climate-change", "pap"),
        ]
        for spec in specs {
            let w = words(spec.name, spec.label, spec.audience)
            try await document(spec.key, title: "Report " + w.title, abstract: "About " + w.abstract + ".", authors: w.author, file: (w.file + ".txt", "The text says " + w.text + "."),
                               status: spec.status, visibility: spec.visibility, network: spec.network, kind: spec.kind, countries: [spec.country],
                               themes: ["border-management", spec.theme], language: spec.language)
        }
        // Fillers have no file, country or theme: they are only there to be counted and paged.
        for index in 0..<fillers {
            try await document("filler-\(index)", title: "Kilimanjaro filler \(index)", file: nil, kind: .factsheet, countries: [], themes: [], language: "en")
        }
        // Extraction puts each file's text into the index.
        try await app.cpmg.jobs.runDue(app: app)

        // Withdrawn by an editor after publication; one public document made members-only by an edit.
        let editor = user(.editor)
        for key in ["withdrawn", "withdrawn-a"] {
            let problem = try await DocumentLibrary.transition(.withdraw, document: documents[key]!.document, comment: "Superseded.", viewer: try await viewer(editor),
                                                               user: editor, app: app, db: app.db, now: Date())
            #expect(problem == nil)
            documents[key]!.status = .withdrawn
        }
        let becoming = documents["became-members"]!
        let links = try await DocumentLibrary.links(becoming.document, db: app.db)
        var form = DocumentForm(becoming.document, countries: links.countries, themes: links.themes, network: links.network)
        form.visibility = Visibility.members.rawValue
        try await DocumentLibrary.update(becoming.document, form: form, newFiles: [], by: editor, references: try await DocumentLibrary.References.load(app.db),
                                         app: app, db: app.db, now: Date())
        for key in documents.keys { documents[key]!.document = try await Document.find(documents[key]!.document.requireID(), on: app.db)! }
    }

    /// Documents a role finds in lists: published, and meant for it.
    func listedDocuments(for role: SecurityRole) -> [DocumentFixture] {
        documents.values.filter { fixture in
            let document = fixture.document
            guard document.status == .published else { return false }
            switch document.visibility {
            case .public: return true
            case .members: return ![.visitor, .pending, .suspended].contains(role)
            case .network: return [.editor, .admin].contains(role) || ([.networkMember, .coordinator].contains(role) && document.$network.id == networkA.id)
            case .draft: return [.editor, .admin].contains(role)
            }
        }
    }

    // MARK: Events

    private func event(_ key: String, title: String, description: String, onlineLink: String, slug: String, visibility: Visibility,
                       network: Network? = nil, status: Event.Status = .confirmed, venue: String = "Conference centre") async throws {
        let event = Event()
        event.slug = slug
        event.title = title
        event.kind = .workshop
        event.descriptionMarkdown = description
        event.allDay = false
        event.firstDay = "2030-07-10"
        event.lastDay = "2030-07-10"
        event.startsAt = Date(timeIntervalSince1970: 1_909_918_800) // 2030-07-10 13:00 UTC
        event.endsAt = event.startsAt.addingTimeInterval(8 * 3600)
        event.timeZone = "America/Jamaica"
        event.venue = venue
        event.city = "Kingston"
        event.$country.id = try await Country.query(on: app.db).filter(\.$iso2 == "JM").first()?.requireID()
        event.online = true
        event.onlineLink = onlineLink
        event.organisers = "IOM"
        event.funders = ""
        event.$network.id = network?.id
        event.visibility = visibility
        event.status = status
        event.contact = "events@example.org"
        event.registrationOpen = true
        event.sequence = 0
        event.$creator.id = try user(.editor).requireID()
        try await event.create(on: app.db)
        try await EventIndexing.reindex(event, app: app, db: app.db)
        events[key] = event
    }

    private func buildEvents() async throws {
        try await event("public", title: Self.publicEventTitle, description: "Kilimanjaro description.",
                        onlineLink: "https://meet.example.org/" + secret("EventPublicOnlineLink", "online link of the public event", .members),
                        slug: "kilimanjaro-public-workshop", visibility: .public)
        let specs: [(key: String, name: String, label: String, audience: SecretAudience, visibility: Visibility, network: Network?, status: Event.Status)] = [
            ("members", "Members", "members-only", .members, .members, nil, .confirmed),
            ("net-a", "NetworkA", "network A", .network, .network, networkA, .confirmed),
            ("net-b", "NetworkB", "network B", .network, .network, networkB, .planned),
            ("cancelled-members", "CancelledMembers", "cancelled then members-only", .members, .members, nil, .cancelled),
            ("draft", "Draft", "draft-visibility", .unpublished, .draft, nil, .planned),
        ]
        for spec in specs {
            let title = "Meeting " + secret("Event\(spec.name)Title", "title of the \(spec.label) event", spec.audience)
            try await event(spec.key, title: title,
                            description: "We discuss " + secret("Event\(spec.name)Description", "description of the \(spec.label) event", spec.audience) + ".",
                            onlineLink: "https://meet.example.org/" + secret("Event\(spec.name)OnlineLink", "online link of the \(spec.label) event", spec.audience),
                            slug: secret("Event\(spec.name)Slug", "slug of the \(spec.label) event", spec.audience).lowercased(),
                            visibility: spec.visibility, network: spec.network, status: spec.status,
                            venue: "Hall " + secret("Event\(spec.name)Venue", "venue of the \(spec.label) event", spec.audience))
        }
        try await event("cancelled", title: "Kilimanjaro cancelled seminar", description: "Called off.", onlineLink: "", slug: "kilimanjaro-cancelled-seminar",
                        visibility: .public, status: .cancelled)
        // The member registered for network B's event before it was restricted to that network.
        let registration = EventRegistration()
        registration.$event.id = try events["net-b"]!.requireID()
        registration.$user.id = try user(.member).requireID()
        registration.status = .registered
        registration.requestedAt = Date()
        try await registration.create(on: app.db)
        // Outcomes of the public event: one of each kind of restricted document.
        for key in ["members", "net-a", "draft", "withdrawn"] {
            let outcome = EventOutcome()
            outcome.$event.id = try events["public"]!.requireID()
            outcome.$document.id = try documents[key]!.document.requireID()
            outcome.role = .report
            try await outcome.create(on: app.db)
        }
        // The author's: no role's request replaces it.
        calendarToken = try await EventCalendar.newToken(for: author, db: app.db)
    }

    // MARK: Statistics

    private func storeBlob(_ text: String) throws -> String {
        let temporary = try app.cpmg.blobs.temporaryURL()
        try FileManager.default.createDirectory(at: temporary.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: temporary)
        return try app.cpmg.blobs.put(movingFileAt: temporary).sha256
    }

    private func dataset(_ key: String, slug: String, title: String, description: String, caveats: String, source: String,
                         status: StatDataset.Status, visibility: Visibility, observations: [StatisticsSeed.Observation],
                         versions: [(StatDatasetVersion.Status, String)]) async throws {
        let dataset = StatDataset()
        dataset.slug = slug
        dataset.title = title
        dataset.descriptionText = description
        dataset.source = source
        dataset.sourceURL = ""
        dataset.licence = "CC BY 4.0"
        dataset.caveats = caveats
        dataset.status = status
        dataset.visibility = visibility
        dataset.version = versions.lastIndex { $0.0 == .published }.map { $0 + 1 } ?? 0
        dataset.$submitter.id = try author.requireID()
        dataset.publishedAt = status == .published ? Date() : nil
        try await dataset.create(on: app.db)
        try await StatisticsSeed.insert(observations, dataset: dataset.requireID(), db: app.db)
        var statuses: [Int: StatDatasetVersion.Status] = [:]
        for (index, (status, content)) in versions.enumerated() {
            let version = StatDatasetVersion()
            version.$dataset.id = try dataset.requireID()
            version.number = index + 1
            version.sha256 = try storeBlob(content)
            version.filename = "upload-\(index + 1).csv"
            version.rows = content.split(separator: "\n").count - 1
            version.decimalComma = false
            version.status = status
            version.$creator.id = try author.requireID()
            try await version.create(on: app.db)
            statuses[index + 1] = status
        }
        datasets[key] = dataset
        datasetOriginals[key] = (status, dataset.version, observations, statuses)
    }

    private static func csv(_ rows: [(String, String, Int, Double, String)]) -> String {
        "indicator,area,period,value,note\r\n" + rows.map { "\($0.0),\($0.1),\($0.2),\($0.3),\($0.4)\r\n" }.joined()
    }

    private func buildStatistics() async throws {
        let db = app.db
        try await StatisticsSeed.indicator(code: "SEC.IND", name: "Kilimanjaro arrivals", definition: "Arrivals counted at the border.", unit: "persons",
                                           themes: "migrant-stock", source: "Test", licence: "CC BY 4.0", db: db)
        try await StatisticsSeed.indicator(code: "SEC.MEMBERS", name: "Kilimanjaro departures", definition: "Departures, from members' data only.", unit: "persons",
                                           themes: "migrant-stock", source: "Test", licence: "CC BY 4.0", db: db)
        indicators = ["public": "SEC.IND", "members-only": "SEC.MEMBERS"]
        let publicRows: [StatisticsSeed.Observation] = [.init(indicator: "SEC.IND", area: "JM", year: 2020, value: 111, note: "Kilimanjaro note")]
        try await dataset("public", slug: "kilimanjaro-public-arrivals", title: Self.publicDatasetTitle, description: "Kilimanjaro arrivals, public.",
                          caveats: "", source: "Kilimanjaro office", status: .published, visibility: .public, observations: publicRows,
                          versions: [(.published, Self.csv([("SEC.IND", "JM", 2020, 111, "Kilimanjaro note")]))])

        let membersNote = secret("DatasetMembersNote", "observation note of the members-only dataset", .members)
        let membersRows: [StatisticsSeed.Observation] = [
            .init(indicator: "SEC.IND", area: "TT", year: 2020, value: 222, note: membersNote),
            .init(indicator: "SEC.MEMBERS", area: "TT", year: 2020, value: 333, note: membersNote),
        ]
        try await dataset("members", slug: secret("DatasetMembersSlug", "slug of the members-only dataset", .members).lowercased(),
                          title: "Survey " + secret("DatasetMembersTitle", "title of the members-only dataset", .members),
                          description: "About " + secret("DatasetMembersDescription", "description of the members-only dataset", .members),
                          caveats: "Mind " + secret("DatasetMembersCaveats", "caveats of the members-only dataset", .members),
                          source: "Office " + secret("DatasetMembersSource", "source of the members-only dataset", .members),
                          status: .published, visibility: .members, observations: membersRows,
                          versions: [(.published, Self.csv([("SEC.IND", "TT", 2020, 222, membersNote), ("SEC.MEMBERS", "TT", 2020, 333, membersNote)])),
                                     (.pending, Self.csv([("SEC.IND", "TT", 2021, 224, secret("DatasetMembersPendingVersion", "pending version of the members-only dataset", .unpublished))]))])

        for (key, name, status) in [("draft", "Draft", StatDataset.Status.draft), ("pending", "Pending", .pending)] {
            try await dataset(key, slug: secret("Dataset\(name)Slug", "slug of the \(key) dataset", .unpublished).lowercased(),
                              title: "Upload " + secret("Dataset\(name)Title", "title of the \(key) dataset", .unpublished),
                              description: "About " + secret("Dataset\(name)Description", "description of the \(key) dataset", .unpublished),
                              caveats: "", source: "Ministry", status: status, visibility: .public, observations: [],
                              versions: [(.pending, Self.csv([("SEC.IND", "BB", 2020, 5, secret("Dataset\(name)File", "uploaded file of the \(key) dataset", .unpublished))]))])
        }

        try await dataset("with-pending-version", slug: "kilimanjaro-revised-arrivals", title: "Kilimanjaro revised arrivals", description: "Public, with a revision waiting.",
                          caveats: "", source: "Kilimanjaro office", status: .published, visibility: .public,
                          observations: [.init(indicator: "SEC.IND", area: "BS", year: 2020, value: 444, note: "Kilimanjaro first version")],
                          versions: [(.published, Self.csv([("SEC.IND", "BS", 2020, 444, "Kilimanjaro first version")])),
                                     (.pending, Self.csv([("SEC.IND", "BS", 2020, 445, secret("DatasetPendingVersion", "pending version of a public dataset", .unpublished))]))])
        try await StatisticsIndexing.indexAll(app: app, db: db)
    }

    // MARK: Countries

    private func buildCountries() async throws {
        // The focal point keeps country X current; an editor has edited country Y.
        for (code, role) in [(Self.countryX, SecurityRole.focalPoint), (Self.countryY, .editor)] {
            let country = try await Country.query(on: app.db).filter(\.$iso2 == code.uppercased()).first()!
            var (content, number) = try await CountryProfiles.current(country, db: app.db)
            content.facts.capital += " (checked)"
            _ = try await CountryProfiles.save(.facts, from: content, base: number, summary: "Checked the capital.", country: country, user: user(role),
                                               app: app, db: app.db, now: Date())
            (content, number) = try await CountryProfiles.current(country, db: app.db)
            content.sections["migration"] = ProfileContent.Section(markdown: "Kilimanjaro migration overview.", sources: "", reviewed: "2025-01-01", language: "en")
            _ = try await CountryProfiles.save(.migration, from: content, base: number, summary: "Migration overview.", country: country, user: user(role),
                                               app: app, db: app.db, now: Date())
        }
    }

    // MARK: Signing in

    private func signIn() async throws {
        let visitor = TestBrowser(app)
        try await visitor.get("/")
        browsers[.visitor] = visitor
        for role in [SecurityRole.member, .networkMember, .coordinator, .focalPoint, .editor, .admin, .suspended] {
            browsers[role] = try await Fixtures.login(app, as: user(role))
        }
        // The suspension happens behind the browser's back: its cookie stays.
        let suspended = user(.suspended)
        suspended.status = .suspended
        try await suspended.save(on: app.db)

        // A pending account cannot sign in. Its browser keeps what the attempt left, and a session
        // planted anyway (as if issued before the account went back to pending) must count for nothing.
        let pending = TestBrowser(app)
        let attempt = try await pending.post("/login", [("email", user(.pending).email), ("password", Fixtures.password)])
        #expect(attempt.status == .forbidden && pending.cookies[Sessions.cookieName] == nil, "a pending account signed in")
        pending.cookies[Sessions.cookieName] = try await Sessions.start(for: user(.pending), on: app.db, now: Date(), days: 1)
        browsers[.pending] = pending
    }

    // MARK: Paths

    /// Fills `{doc:key}`, `{file:key}`, `{event:key}`, `{ds:key}`, `{ind:key}`, `{country:X}`,
    /// `{user:pending}`, `{token}` and `{css}` in a path template.
    func fill(_ template: String) -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            result += value(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    private func value(_ token: String) -> String {
        let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
        let key = parts.count > 1 ? parts[1] : ""
        switch parts[0] {
        case "doc": return documents[key]!.document.id!.uuidString.lowercased()
        case "file": return documents[key]!.fileIDs[0].uuidString.lowercased()
        case "event": return events[key]!.code
        case "ds": return datasets[key]!.slug
        case "ind": return indicators[key]!
        case "country": return key == "X" ? Self.countryX : Self.countryY
        case "user": return users[SecurityRole(rawValue: key)!]!.id!.uuidString.lowercased()
        case "token": return calendarToken
        case "css": return app.cpmg.assets.cssVersion
        default: fatalError("unknown fixture token {\(token)}")
        }
    }

    /// What a refusal must never reveal: the titles and file names of the template's items.
    func revealing(_ template: String) -> [String] {
        var result: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let parts = rest[rest.index(after: open)..<close].split(separator: ":", maxSplits: 1).map(String.init)
            rest = rest[rest.index(after: close)...]
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "doc", "file": result += documents[parts[1]].map { [$0.document.title] + $0.fileNames } ?? []
            case "event": result += events[parts[1]].map { [$0.title] } ?? []
            case "ds": result += datasets[parts[1]].map { [$0.title] } ?? []
            default: break
            }
        }
        return result
    }

    // MARK: Restoring

    /// Puts an item back as it was built, after a request that changed it (a publication).
    func restore(_ token: String) async throws {
        let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
        switch parts[0] {
        case "doc":
            let fixture = documents[parts[1]]!
            let document = try await Document.find(fixture.document.requireID(), on: app.db)!
            document.status = fixture.status
            document.withdrawnAt = fixture.document.withdrawnAt
            document.withdrawalReason = fixture.document.withdrawalReason
            try await document.save(on: app.db)
            try await DocumentLibrary.reindex(document, app: app, db: app.db)
        case "ds":
            let original = datasetOriginals[parts[1]]!
            let dataset = try await StatDataset.find(datasets[parts[1]]!.requireID(), on: app.db)!
            let id = try dataset.requireID()
            try await (app.db as! any SQLDatabase).raw("DELETE FROM stat_observations WHERE dataset_id = \(bind: id)").run()
            try await StatisticsSeed.insert(original.observations, dataset: id, db: app.db)
            for (number, status) in original.versions {
                try await StatDatasetVersion.query(on: app.db).filter(\.$dataset.$id == id).filter(\.$number == number).set(\.$status, to: status).update()
            }
            dataset.status = original.status
            dataset.version = original.version
            try await dataset.save(on: app.db)
            try await StatisticsIndexing.reindex(dataset, db: app.db)
        default:
            fatalError("cannot restore \(token)")
        }
    }
}
