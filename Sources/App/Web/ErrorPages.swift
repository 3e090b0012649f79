import Plot
import Vapor

/// Turns every error into a page a person can act on: the right status, a plain message in
/// their language, never a stack trace. Unexpected errors are logged and answered with 500.
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

    func page(for error: any Error, request: Request) -> Response {
        let status: HTTPResponseStatus
        var messageKey: String? = nil
        var headers = HTTPHeaders()
        switch error {
        case let abort as any AbortError:
            status = abort.status
            headers = abort.headers
            if abort.reason.hasPrefix("error.") { messageKey = abort.reason }
        case is DecodingError:
            status = .badRequest
            messageKey = "error.badForm"
        default:
            status = .internalServerError
        }
        if status.code >= 500 {
            // The full reflection: database drivers keep the useful part out of `description`.
            request.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
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
