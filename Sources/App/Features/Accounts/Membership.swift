import Fluent
import FluentSQL
import Foundation
import Vapor

/// Membership by request and approval: nobody gets member rights until an editor approves them.
public enum Membership {
    public static let confirmationLifetime: TimeInterval = 7 * 86_400
    public static let resetLifetime: TimeInterval = 3600

    /// What the join form asks for, already trimmed.
    public struct Request: Sendable {
        public var name = ""
        public var email = ""
        public var password = ""
        public var organisation = ""
        public var organisationType = ""
        public var country = ""
        public var position = ""
        public var motivation = ""
    }

    public static let limits = (name: 200, email: 254, organisation: 300, position: 200, motivation: 3000)

    public static func isValidEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              email.count <= limits.email else { return false }
        return !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" || $0.isNewline })
    }

    /// Reads and checks the join form; errors name each field.
    static func read(_ input: FormInput, countryCodes: Set<String>) -> (Request, FormErrors) {
        var errors = FormErrors()
        var request = Request()
        request.name = input.text("name", max: limits.name, errors: &errors)
        request.email = User.normalise(email: input.text("email", max: limits.email, errors: &errors))
        if errors["email"] == nil && !isValidEmail(request.email) { errors.add("email", "form.email.invalid") }
        request.password = input.password("password")
        if request.password.isEmpty { errors.add("password", "form.required") }
        else if let problem = Passwords.problem(request.password) { errors.add("password", problem) }
        request.organisation = input.text("organisation", max: limits.organisation, errors: &errors)
        request.organisationType = input["organisation_type"]
        if User.OrganisationType(rawValue: request.organisationType) == nil { errors.add("organisation_type", "form.choose") }
        request.country = input["country"].lowercased()
        if !countryCodes.contains(request.country) && request.country != "other" { errors.add("country", "form.choose") }
        request.position = input.text("position", max: limits.position, errors: &errors)
        request.motivation = input.text("motivation", multiline: true, max: limits.motivation, errors: &errors)
        return (request, errors)
    }

    /// How often the owner of an address hears that someone asked to join with it.
    static let joinAttemptNoticeInterval: TimeInterval = 3600

    /// Creates the pending account and mails the confirmation link. An address that already has
    /// an account gets the same answer, in about the same time (the password is hashed either way),
    /// so the form does not tell who has an account: its owner hears of it by mail instead.
    static func submit(_ request: Request, language: Language, app: Application, db: any Database, now: Date, address: String) async throws {
        let hash = try await app.hashPassword(request.password)
        if let existing = try await User.query(on: db).filter(\.$email == request.email).first() {
            try await tellOwner(existing, app: app, db: db, now: now, address: address)
            return
        }
        let user = User(
            name: request.name, email: request.email, passwordHash: hash, organisation: request.organisation,
            organisationType: User.OrganisationType(rawValue: request.organisationType) ?? .other,
            countryISO2: request.country == "other" ? nil : request.country.uppercased(),
            position: request.position, motivation: request.motivation
        )
        user.language = language
        do {
            try await db.transaction { db in
                try await user.create(on: db)
                try await Audit.record(.membershipRequested, actor: user.id, subject: user.id, address: address, on: db, at: now)
                try await sendConfirmation(to: user, app: app, db: db, now: now)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two requests for one address at the same moment: the second is the owner's news.
            if let existing = try await User.query(on: db).filter(\.$email == request.email).first() {
                try await tellOwner(existing, app: app, db: db, now: now, address: address)
            }
        }
    }

    /// Tells the owner of an address that someone asked to join with it, at most once an hour:
    /// how to reset the password, or (an address never confirmed) a new confirmation link.
    static func tellOwner(_ user: User, app: Application, db: any Database, now: Date, address: String) async throws {
        let recent = try await AuditEntry.query(on: db)
            .filter(\.$event == .joinAttempted).filter(\.$subjectID == user.requireID())
            .filter(\.$at > now.addingTimeInterval(-joinAttemptNoticeInterval)).count()
        try await db.transaction { db in
            try await Audit.record(.joinAttempted, actor: nil, subject: user.id, address: address, on: db, at: now)
            guard recent == 0 else { return }
            if user.status == .pending && user.emailConfirmedAt == nil {
                try await sendConfirmation(to: user, app: app, db: db, now: now)
                return
            }
            let t = app.cpmg.catalog.localizer(user.language)
            try await app.cpmg.mailer.send(
                to: user.email, name: user.name, subject: t("mail.joinExisting.subject"),
                body: t("mail.joinExisting.body", ["name": user.name, "link": SiteURL.passwordForgot.absolute(base: app.cpmg.settings.publicURL)]),
                on: db
            )
        }
    }

    static func sendConfirmation(to user: User, app: Application, db: any Database, now: Date) async throws {
        let token = try await issueToken(.confirmEmail, for: user, lifetime: confirmationLifetime, db: db, now: now)
        let t = app.cpmg.catalog.localizer(user.language)
        let link = SiteURL.joinConfirm(token: token).absolute(base: app.cpmg.settings.publicURL)
        try await app.cpmg.mailer.send(
            to: user.email, name: user.name, subject: t("mail.confirm.subject"),
            body: t("mail.confirm.body", ["name": user.name, "link": link, "days": "7"]), on: db
        )
    }

    /// A new single-use token; only its hash is stored.
    static func issueToken(_ purpose: AccountToken.Purpose, for user: User, lifetime: TimeInterval, db: any Database, now: Date) async throws -> String {
        let token = Secret.make()
        try await AccountToken(userID: try user.requireID(), purpose: purpose, tokenHash: Secret.hash(token), expiresAt: now.addingTimeInterval(lifetime))
            .create(on: db)
        return token
    }

    public enum TokenProblem: Error { case unknown, used, expired }

    /// Marks every unspent token of `user` for `purpose` as used: a new password spends all the
    /// reset links sent before it, not only the one that was followed.
    static func spendTokens(_ purpose: AccountToken.Purpose, of user: User, db: any Database, now: Date) async throws {
        try await AccountToken.query(on: db)
            .filter(\.$user.$id == user.requireID()).filter(\.$purpose == purpose).filter(\.$usedAt == nil)
            .set(\.$usedAt, to: now).update()
    }

    /// Spends one token if nobody has yet, in one statement: true for the caller that spent it.
    static func claim(_ token: AccountToken, db: any Database, now: Date) async throws -> Bool {
        let rows = try await (db as! any SQLDatabase).raw("""
            UPDATE account_tokens SET used_at = \(bind: now) WHERE id = \(bind: try token.requireID()) AND used_at IS NULL RETURNING id
            """).all()
        return rows.count == 1
    }

    /// Finds a token that is still good for `purpose`, or says why not.
    static func validToken(_ token: String, purpose: AccountToken.Purpose, db: any Database, now: Date) async throws -> Result<AccountToken, TokenProblem> {
        guard !token.isEmpty, token.count < 200,
              let record = try await AccountToken.query(on: db)
                .filter(\.$tokenHash == Secret.hash(token)).filter(\.$purpose == purpose).with(\.$user).first()
        else { return .failure(.unknown) }
        if record.usedAt != nil { return .failure(.used) }
        if record.expiresAt <= now { return .failure(.expired) }
        return .success(record)
    }

    /// Marks the address confirmed and tells the editors a request waits for them.
    static func confirm(_ record: AccountToken, app: Application, db: any Database, now: Date) async throws {
        try await db.transaction { db in
            record.usedAt = now
            try await record.save(on: db)
            let user = record.user
            user.emailConfirmedAt = now
            try await user.save(on: db)
            try await Audit.record(.emailConfirmed, actor: user.id, subject: user.id, on: db, at: now)
            let reviewers = try await User.query(on: db)
                .filter(\.$role ~~ [.editor, .admin]).filter(\.$status == .active).all()
            for reviewer in reviewers {
                let t = app.cpmg.catalog.localizer(reviewer.language)
                try await app.cpmg.mailer.send(
                    to: reviewer.email, name: reviewer.name, subject: t("mail.review.subject"),
                    body: t("mail.review.body", [
                        "name": user.name, "organisation": user.organisation,
                        "link": SiteURL.adminMembers(status: nil).absolute(base: app.cpmg.settings.publicURL),
                    ]),
                    on: db
                )
            }
        }
    }

    public enum Decision: String, Sendable { case approve, reject }

    public enum DecisionProblem: Error, Equatable { case notPending, emailUnconfirmed, reasonMissing, reasonTooLong }

    /// Approves or rejects a pending request and tells the applicant by mail.
    static func decide(_ decision: Decision, user: User, reason: String, by reviewer: User, app: Application, db: any Database, now: Date) async throws -> DecisionProblem? {
        guard user.status == .pending else { return .notPending }
        switch decision {
        case .approve:
            guard user.emailConfirmedAt != nil else { return .emailUnconfirmed }
        case .reject:
            if reason.isEmpty { return .reasonMissing }
        }
        if reason.count > 2000 { return .reasonTooLong }
        try await db.transaction { db in
            user.status = decision == .approve ? .active : .rejected
            user.decidedAt = now
            user.decidedByID = reviewer.id
            user.decisionReason = reason.isEmpty ? nil : reason
            try await user.save(on: db)
            try await Audit.record(decision == .approve ? .approved : .rejected, actor: reviewer.id, subject: user.id, detail: reason, on: db, at: now)
            let t = app.cpmg.catalog.localizer(user.language)
            let login = SiteURL.login(returnTo: nil).absolute(base: app.cpmg.settings.publicURL)
            if decision == .approve {
                try await app.cpmg.mailer.send(
                    to: user.email, name: user.name, subject: t("mail.approved.subject"),
                    body: t("mail.approved.body", ["name": user.name, "link": login]), on: db
                )
            } else {
                try await app.cpmg.mailer.send(
                    to: user.email, name: user.name, subject: t("mail.rejected.subject"),
                    body: t("mail.rejected.body", ["name": user.name, "reason": reason]), on: db
                )
            }
        }
        return nil
    }
}
