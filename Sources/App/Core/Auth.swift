import Fluent
import Foundation
import Vapor

/// Sessions in the database: the cookie carries a random token, the table keeps its hash.
/// Any instance can serve any user, and `purge-sessions` clears old rows.
public enum Sessions {
    public static let cookieName = "cpmg_session"

    /// Starts a session for `user` and returns the token for the cookie. A new token at every
    /// login, so a token planted before login is worthless after it.
    public static func start(for user: User, on db: any Database, now: Date, days: Int) async throws -> String {
        let token = Secret.make()
        let session = UserSession(
            tokenHash: Secret.hash(token), userID: try user.requireID(),
            expiresAt: now.addingTimeInterval(Double(days) * 86_400), lastSeenAt: now
        )
        try await session.create(on: db)
        return token
    }

    public static func end(token: String, on db: any Database) async throws {
        try await UserSession.query(on: db).filter(\.$tokenHash == Secret.hash(token)).delete()
    }

    /// Ends every session of a user (suspension, password change elsewhere).
    public static func endAll(for userID: UUID, on db: any Database) async throws {
        try await UserSession.query(on: db).filter(\.$user.$id == userID).delete()
    }

    /// Removes expired sessions, old login attempts and spent tokens; returns how many sessions went.
    @discardableResult
    public static func purge(on db: any Database, now: Date, all: Bool = false) async throws -> Int {
        let sessions = UserSession.query(on: db)
        if !all { sessions.filter(\.$expiresAt < now) }
        let count = try await sessions.count()
        try await sessions.delete()
        try await LoginAttempt.query(on: db).filter(\.$attemptedAt < now.addingTimeInterval(-86_400)).delete()
        try await AccountToken.query(on: db).filter(\.$expiresAt < now.addingTimeInterval(-7 * 86_400)).delete()
        return count
    }

    static func cookie(_ token: String, days: Int, secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, maxAge: days * 86_400, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}

/// Resolves the session cookie into the request's `Viewer` (and `User`). Suspended, rejected or
/// pending accounts are visitors, whatever their cookie says.
struct ViewerMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = request.cookies[Sessions.cookieName]?.string, !token.isEmpty {
            try await resolve(token: token, request: request)
        }
        return try await next.respond(to: request)
    }

    private func resolve(token: String, request: Request) async throws {
        let now = request.now
        guard let session = try await UserSession.query(on: request.db)
            .filter(\.$tokenHash == Secret.hash(token))
            .with(\.$user)
            .first(),
            session.expiresAt > now,
            session.user.status == .active
        else { return }
        let user = session.user
        request.storage[CurrentUserKey.self] = user
        request.storage[ViewerKey.self] = try await Viewer.load(for: user, db: request.db)
        // Sliding expiry, written at most once an hour to keep reads cheap.
        if now.timeIntervalSince(session.lastSeenAt) > 3600 {
            session.lastSeenAt = now
            session.expiresAt = now.addingTimeInterval(Double(request.application.cpmg.settings.sessionDays) * 86_400)
            try await session.save(on: request.db)
        }
    }
}

extension Viewer {
    /// What an active user may see and do: role, networks, coordinated networks, focal countries.
    static func load(for user: User, db: any Database) async throws -> Viewer {
        let userID = try user.requireID()
        let memberships = try await NetworkMembership.query(on: db).filter(\.$user.$id == userID).all()
        let focal = try await CountryFocalPoint.query(on: db).filter(\.$user.$id == userID).all(\.$country.$id)
        return Viewer(
            userID: userID,
            role: user.role,
            networkIDs: Set(memberships.map { $0.$network.id }),
            coordinatedNetworkIDs: Set(memberships.filter { $0.kind == .coordinator }.map { $0.$network.id }),
            focalCountryIDs: Set(focal)
        )
    }
}

enum ViewerKey: StorageKey { typealias Value = Viewer }
enum CurrentUserKey: StorageKey { typealias Value = User }

extension Request {
    public var viewer: Viewer { storage[ViewerKey.self] ?? .visitor }
    public var currentUser: User? { storage[CurrentUserKey.self] }

    /// The signed-in user, or a redirect to the login page that comes back here afterwards.
    public func requireUser() throws -> User {
        guard let user = currentUser else { throw SignInRequired(returnTo: url.path) }
        return user
    }

    /// Refuses (403) unless the viewer may perform `action`; sends visitors to log in first.
    public func authorize(_ action: Action) throws {
        if !viewer.isSignedIn { throw SignInRequired(returnTo: url.path) }
        guard Access.can(viewer, action) else { throw Abort(.forbidden, reason: "error.forbidden") }
    }

    /// The client's address, for throttling and the audit log; X-Forwarded-For only behind a
    /// trusted proxy.
    public var clientAddress: String {
        if application.cpmg.settings.trustProxy,
           let forwarded = headers.first(name: "X-Forwarded-For")?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}

/// Thrown where a page needs a signed-in member; answered with a redirect to /login.
struct SignInRequired: Error {
    let returnTo: String
}

/// Passwords: at least 12 characters, hashed with Bcrypt on the thread pool.
public enum Passwords {
    public static let minimumLength = 12
    public static let maximumLength = 200

    public static func problem(_ password: String) -> String? {
        if password.count < minimumLength { return "form.password.short" }
        if password.utf8.count > maximumLength { return "form.password.long" }
        return nil
    }
}

/// Too many failed logins for one account or from one address within 15 minutes are refused.
public enum LoginThrottle {
    public static let window: TimeInterval = 15 * 60
    public static let perAccount = 5
    public static let perAddress = 20

    public static func isLimited(email: String, address: String, on db: any Database, now: Date) async throws -> Bool {
        let since = now.addingTimeInterval(-window)
        let forAccount = try await LoginAttempt.query(on: db)
            .filter(\.$email == email).filter(\.$succeeded == false).filter(\.$attemptedAt > since).count()
        if forAccount >= perAccount { return true }
        let forAddress = try await LoginAttempt.query(on: db)
            .filter(\.$address == address).filter(\.$succeeded == false).filter(\.$attemptedAt > since).count()
        return forAddress >= perAddress
    }

    public static func record(email: String, address: String, succeeded: Bool, on db: any Database, now: Date) async throws {
        try await LoginAttempt(email: email, address: address, succeeded: succeeded, at: now).create(on: db)
    }
}
