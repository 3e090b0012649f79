import Fluent
import Foundation
import Vapor

/// `cpmg create-admin --email E --name N`: an active administrator; the password comes from
/// standard input (one line) or a prompt on a terminal.
struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "the administrator's email address")
        var email: String?
        @Option(name: "name", help: "the administrator's full name")
        var name: String?
    }

    var help: String { "Creates an active administrator (password from standard input or a prompt)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let email = signature.email.map(User.normalise(email:)), Membership.isValidEmail(email) else {
            throw CommandFailure("--email: give a valid email address, e.g. --email admin@example.org")
        }
        guard let name = signature.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 200 else {
            throw CommandFailure("--name: give the administrator's name, e.g. --name \"Ada Admin\"")
        }
        let password: String
        if isatty(STDIN_FILENO) == 1 {
            context.console.output("Password (at least \(String(Passwords.minimumLength)) characters): ", newLine: false)
            password = context.console.input(isSecure: true)
            context.console.output("Repeat the password: ", newLine: false)
            guard context.console.input(isSecure: true) == password else { throw CommandFailure("the passwords differ") }
        } else {
            guard let line = readLine(strippingNewline: true) else {
                throw CommandFailure("no password on standard input: pipe one line, e.g. echo \"$PASSWORD\" | cpmg create-admin …")
            }
            password = line
        }
        if let problem = Passwords.problem(password) {
            throw CommandFailure(problem == "form.password.short"
                ? "the password needs at least \(Passwords.minimumLength) characters"
                : "the password is longer than \(Passwords.maximumLength) bytes")
        }

        try await prepareDatabase(app)
        if try await User.query(on: app.db).filter(\.$email == email).first() != nil {
            throw CommandFailure("an account with \(email) already exists")
        }
        let hash = try await app.hashPassword(password)
        let user = User(
            name: name, email: email, passwordHash: hash, organisation: "CPMG", organisationType: .other,
            countryISO2: nil, position: "Administrator", motivation: "", role: .admin, status: .active
        )
        user.emailConfirmedAt = Date()
        user.decidedAt = Date()
        try await user.create(on: app.db)
        try await Audit.record(.adminCreated, actor: nil, subject: user.id, detail: "create-admin", on: app.db)
        context.console.print("Administrator \(email) created. Log in at \(SiteURL.login(returnTo: nil).absolute(base: app.cpmg.settings.publicURL))")
    }
}

/// `cpmg purge-sessions [--all]`: removes expired sessions (or every session), old login
/// attempts and spent tokens.
struct PurgeSessionsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "all", help: "end every session, not only expired ones (everyone logs in again)")
        var all: Bool
    }

    var help: String { "Removes expired sessions, old login attempts and used tokens (--all: every session)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let count = try await Sessions.purge(on: app.db, now: Date(), all: signature.all)
        context.console.print("Removed \(count) session\(count == 1 ? "" : "s").")
    }
}

/// `cpmg load-reference-data`: migrates and loads the reference data, as `serve` does.
struct LoadReferenceDataCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Applies migrations and loads countries, thematic areas and networks (only what is missing)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await prepareDatabase(context.application)
        let db = context.application.db
        let counts = (try await Country.query(on: db).count(), try await Theme.query(on: db).count(), try await Network.query(on: db).count())
        context.console.print("\(counts.0) countries and territories, \(counts.1) thematic areas, \(counts.2) networks.")
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
