import Fluent
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
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
        guard let user = currentUser else { throw SignInRequired(returnTo: returnPath) }
        return user
    }

    /// Refuses (403) unless the viewer may perform `action`; sends visitors to log in first.
    public func authorize(_ action: Action) throws {
        if !viewer.isSignedIn { throw SignInRequired(returnTo: returnPath) }
        guard Access.can(viewer, action) else { throw Abort(.forbidden, reason: "error.forbidden") }
    }

    /// The client's address, for throttling and the audit log. Behind trusted proxies it is the
    /// address the nearest of the `proxyHops` proxies of our own was given by the one before it:
    /// each proxy appends to `X-Forwarded-For`, so everything left of that was written by the
    /// client and is not believed. A value that is not an IP address is not believed either.
    public var clientAddress: String {
        let socket = remoteAddress?.ipAddress ?? "unknown"
        let settings = application.cpmg.settings
        guard settings.trustProxy else { return socket }
        let hops = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        guard hops.count >= settings.proxyHops else { return socket }
        let candidate = hops[hops.count - settings.proxyHops]
        return (try? SocketAddress(ipAddress: candidate, port: 0)) == nil ? socket : candidate
    }
}

/// Thrown where a page needs a signed-in member; answered with a redirect to /login.
struct SignInRequired: Error {
    let returnTo: String
}

/// Passwords: at least 12 characters, hashed with Bcrypt on threads of their own (`PasswordHashing`).
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
///
/// An attempt is written down as failed *before* its password is checked and only then counted,
/// so guesses sent in parallel see each other: whichever rows land first, at most `perAccount`
/// of them are within the limit. A refused attempt is taken out again, so that a flood of them
/// neither fills the table nor keeps the account closed longer than the failures that count.
public enum LoginThrottle {
    public static let window: TimeInterval = 15 * 60
    public static let perAccount = 5
    public static let perAddress = 20

    /// Writes the attempt down as a failure and returns it, or nil (and nothing written) when it
    /// is over a limit. Mark it `succeeded` when the password turns out right.
    public static func begin(email: String, address: String, on db: any Database, now: Date) async throws -> LoginAttempt? {
        let attempt = LoginAttempt(email: email, address: address, succeeded: false, at: now)
        try await attempt.create(on: db)
        let (forAccount, forAddress) = try await failures(email: email, address: address, on: db, now: now)
        if forAccount > perAccount || forAddress > perAddress {
            try await attempt.delete(on: db)
            return nil
        }
        return attempt
    }

    public static func succeeded(_ attempt: LoginAttempt, on db: any Database) async throws {
        attempt.succeeded = true
        try await attempt.save(on: db)
    }

    private static func failures(email: String, address: String, on db: any Database, now: Date) async throws -> (account: Int, address: Int) {
        let since = now.addingTimeInterval(-window)
        let forAccount = try await LoginAttempt.query(on: db)
            .filter(\.$email == email).filter(\.$succeeded == false).filter(\.$attemptedAt > since).count()
        let forAddress = try await LoginAttempt.query(on: db)
            .filter(\.$address == address).filter(\.$succeeded == false).filter(\.$attemptedAt > since).count()
        return (forAccount, forAddress)
    }
}

// MARK: - Password hashing

/// Bcrypt (about half a second of a core at cost 12) runs on a small pool of its own, never on
/// the threads the SQLite driver and file reads share: 50 logins at once once queued ahead of
/// every database query and turned into 500s for everyone. The pool takes `threads` hashes at a
/// time and lets `queue` more wait; beyond that a login is answered 503 with Retry-After at once.
/// Its threads run at a lower priority (nice 10), so that on a small machine the event loops and
/// the database get the cores first and a storm of logins slows logins, not every page.
public final class PasswordHashing: Sendable {
    let pool: NIOThreadPool
    let capacity: Int
    private let admitted = NIOLockedValueBox(0)

    /// The answer when the queue is full.
    public struct Busy: AbortError {
        public var status: HTTPResponseStatus { .serviceUnavailable }
        public var reason: String { "error.busy" }
        public var headers: HTTPHeaders { ["Retry-After": "5"] }
    }

    public init(threads: Int, queue: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        capacity = threads + queue
    }

    /// Whether every thread and waiting place is taken: a login can be refused before it costs
    /// the database anything.
    public var isFull: Bool { admitted.withLockedValue { $0 >= capacity } }

    public func hash(_ password: String, using hasher: any PasswordHasher) async throws -> String {
        try await run { try hasher.hash(password) }
    }

    public func verify(_ password: String, created hash: String, using hasher: any PasswordHasher) async throws -> Bool {
        try await run { try hasher.verify(password, created: hash) }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let capacity = capacity
        let entered = admitted.withLockedValue { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard entered else { throw Busy() }
        defer { admitted.withLockedValue { $0 -= 1 } }
        return try await pool.runIfActive {
            Self.lowerPriority()
            return try work()
        }
    }

    /// Linux gives each thread its own nice value (`who` 0 is the calling thread); raising it
    /// needs no privilege.
    private static func lowerPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}

extension Application {
    private struct PasswordHashingKey: StorageKey { typealias Value = PasswordHashing }

    /// Set up by `configure` from the settings; its threads end with the application.
    public var passwordHashing: PasswordHashing {
        get {
            guard let hashing = storage[PasswordHashingKey.self] else { fatalError("configure(_:) has not run") }
            return hashing
        }
        set { storage.set(PasswordHashingKey.self, to: newValue) { try $0.pool.syncShutdownGracefully() } }
    }

    /// Hashes a new password with the configured hasher, on the hashing pool.
    public func hashPassword(_ password: String) async throws -> String {
        try await passwordHashing.hash(password, using: self.password)
    }

    public func verifyPassword(_ password: String, created hash: String) async throws -> Bool {
        try await passwordHashing.verify(password, created: hash, using: self.password)
    }
}
