import FluentPostgresDriver
import FluentSQLiteDriver
import NIOHTTP1
import Plot
import Vapor

/// Turns every error into a page a person can act on: the right status, a plain message in
/// their language, never a stack trace. Load is shed, not failed: a database that is busy or has
/// no connection to spare answers 503 with Retry-After. Unexpected errors are logged and answered
/// with 500.
struct ErrorPagesMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let signIn as SignInRequired {
            let back = SiteURL.isLocal(signIn.returnTo) ? signIn.returnTo : nil
            return request.redirect(to: .login(returnTo: back), notice: "notice.signInFirst")
        } catch {
            return page(for: error, request: request)
        }
    }

    /// Seconds a client is asked to wait when the database is saturated.
    static let retryAfterBusy = 2

    /// The status, message and headers an error stands for.
    static func classify(_ error: any Error) -> (status: HTTPResponseStatus, messageKey: String?, headers: HTTPHeaders) {
        let busy: HTTPHeaders = ["Retry-After": String(retryAfterBusy)]
        switch error {
        case let abort as any AbortError:
            return (abort.status, abort.reason.hasPrefix("error.") ? abort.reason : nil, abort.headers)
        case is DecodingError:
            return (.badRequest, "error.badForm", [:])
        case NIOHTTPDecompression.DecompressionError.limit:
            return (.payloadTooLarge, "error.tooLarge", [:])
        case is NIOHTTPDecompression.DecompressionError, is NIOHTTPDecompression.ExtraDecompressionError, is HTTPParserError:
            return (.badRequest, "error.badRequest", [:])
        case is ConnectionPoolTimeoutError:
            return (.serviceUnavailable, "error.busy", busy)
        case let sqlite as SQLiteError where isBusy(sqlite.reason):
            return (.serviceUnavailable, "error.busy", busy)
        case let postgres as PSQLError where isBusy(postgres):
            return (.serviceUnavailable, "error.busy", busy)
        default:
            return (.internalServerError, nil, [:])
        }
    }

    /// "database is locked": another writer holds the file, or this transaction's snapshot is stale.
    static func isBusy(_ reason: SQLiteError.Reason) -> Bool {
        switch reason {
        case .busy, .locked, .busyInRecovery, .busyInSnapshot, .busyTimeout, .lockedBySharedCache, .lockedVirtualTable: true
        default: false
        }
    }

    /// Serialisation failures, deadlocks, lock timeouts, too many connections, a server starting or
    /// stopping: worth a retry. Anything else from PostgreSQL is a bug to fix.
    static func isBusy(_ error: PSQLError) -> Bool {
        if error.code == .server {
            return ["40001", "40P01", "55P03", "53300", "57P01", "57P03"].contains(error.serverInfo?[.sqlState] ?? "")
        }
        return error.code == .connectionError || error.code == .serverClosedConnection
    }

    func page(for error: any Error, request: Request) -> Response {
        let (status, messageKey, headers) = Self.classify(error)
        if status.code >= 500 && status != .serviceUnavailable {
            // The full reflection: database drivers keep the useful part out of `description`.
            request.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
        } else if status == .serviceUnavailable {
            request.logger.warning("shedding load", metadata: ["error": "\(String(reflecting: error))"])
        }
        let t = request.t
        let key = messageKey ?? Self.defaultKey(for: status)
        let response = request.page(status, title: t("\(key).title")) { context in
            .div(
                .class("error-page"),
                .h1(.text(t("\(key).title"))),
                .p(.text(t(key, ["limit": String(request.application.cpmg.settings.maxUploadBytes / 1_048_576)]))),
                .p(.link(.home, .text(t("error.home"))))
            )
        }
        for (name, value) in headers where name.lowercased() == "retry-after" {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        return response
    }

    static func defaultKey(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: "error.badRequest"
        case 403: "error.forbidden"
        case 404: "error.notFound"
        case 405: "error.notFound"
        case 413: "error.tooLarge"
        case 429: "error.tooMany"
        case 503: "error.busy"
        default: status.code >= 500 ? "error.server" : "error.badRequest"
        }
    }
}

/// One structured log line per request: method, route, status, time. The query string is left
/// out on purpose: it can carry single-use tokens.
struct RequestLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            log(request, status: (error as? any AbortError)?.status.code ?? 500, start: start)
            throw error
        }
        log(request, status: response.status.code, start: start)
        return response
    }

    private func log(_ request: Request, status: UInt, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        request.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "route": "\(route)",
            "status": "\(status)",
            "ms": "\(String(format: "%.1f", milliseconds))",
        ])
    }
}
