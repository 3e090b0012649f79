import Foundation
import Vapor

/// Cross-site request forgery protection for every form: a random token in an HttpOnly cookie
/// (`__Host-` prefixed on https, so no other site or subdomain can plant it) that every
/// state-changing request must echo in its `_csrf` field or `X-CSRF-Token` header.
/// SameSite=Lax on the cookie is a second fence. A new token comes with every login and logout.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"
    let secure: Bool
    let maxBodySize: ByteCount
    /// Multipart forms carry files and may be larger.
    let maxUploadSize: ByteCount

    var cookieName: String { Self.cookieName(secure: secure) }
    static func cookieName(secure: Bool) -> String { secure ? "__Host-cpmg_csrf" : "cpmg_csrf" }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let existing = request.cookies[cookieName]?.string.nonEmpty
        if [.POST, .PUT, .PATCH, .DELETE].contains(request.method) {
            let sent = try await submittedToken(request)
            guard let existing, let sent, Secret.equal(existing, sent) else {
                throw Abort(.forbidden, reason: "error.csrf")
            }
        }
        let token = existing ?? Secret.make()
        request.storage[CSRFTokenKey.self] = token
        let response = try await next.respond(to: request)
        if let rotated = request.storage[CSRFRotateKey.self] {
            response.cookies[cookieName] = cookie(rotated)
        } else if existing == nil {
            response.cookies[cookieName] = cookie(token)
        }
        return response
    }

    private func cookie(_ token: String) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    /// The token the form carries. A body that cannot be read as the form it claims to be is a
    /// bad request (400), not a forgery: the sender learns to fix the form, not to reload it.
    private func submittedToken(_ request: Request) async throws -> String? {
        if let header = request.headers.first(name: "X-CSRF-Token") { return header }
        // The body has to be read before the route runs so the token can be checked first.
        let multipart = request.headers.contentType?.type == "multipart"
        let limit = multipart ? maxUploadSize.value : maxBodySize.value
        let tooLarge = Abort(.payloadTooLarge, reason: multipart ? "error.uploadTooLarge" : "error.tooLarge")
        if let length = request.headers.first(name: .contentLength).flatMap(Int.init), length > limit { throw tooLarge }
        if let data = request.body.data {
            guard data.readableBytes <= limit else { throw tooLarge }
        } else {
            do {
                _ = try await request.body.collect(max: limit).get()
            } catch let error as any AbortError where error.status == .payloadTooLarge {
                throw tooLarge
            } catch {
                // A connection that ended in the middle of the body.
                throw Abort(.badRequest, reason: "error.badForm")
            }
        }
        guard let body = request.body.data, let type = request.headers.contentType else { return nil }
        guard multipart || type == .urlEncodedForm else { return nil }
        if multipart && !Self.isComplete(body, boundary: type.parameters["boundary"] ?? "") {
            throw Abort(.badRequest, reason: "error.badForm")
        }
        do {
            return try request.content.decode(TokenField.self).value
        } catch {
            throw Abort(.badRequest, reason: "error.badForm")
        }
    }

    /// Whether a multipart body ends with its close delimiter (an upload cut short does not).
    /// Only the tail is searched: what follows the delimiter is an epilogue browsers leave empty.
    static func isComplete(_ body: ByteBuffer, boundary: String) -> Bool {
        let delimiter = Array("--\(boundary)--".utf8)
        let bytes = body.readableBytesView
        let tail = Array(bytes.suffix(delimiter.count + 1024))
        guard tail.count >= delimiter.count else { return false }
        for start in stride(from: tail.count - delimiter.count, through: 0, by: -1) where tail[start..<start + delimiter.count].elementsEqual(delimiter) {
            // At the very start of the body, or after a line end.
            let atStart = bytes.count == tail.count && start == 0
            if atStart || (start >= 2 && tail[start - 2] == 13 && tail[start - 1] == 10) { return true }
        }
        return false
    }

    /// The form's token field, whatever else the form holds.
    private struct TokenField: Decodable {
        let value: String?
        enum CodingKeys: String, CodingKey { case value = "_csrf" }
    }
}

enum CSRFTokenKey: StorageKey { typealias Value = String }
enum CSRFRotateKey: StorageKey { typealias Value = String }

extension Request {
    /// The token every form on this page must carry.
    public var csrfToken: String { storage[CSRFTokenKey.self] ?? "" }

    /// Replaces the token (at login and logout); pages rendered afterwards use the new one.
    public func rotateCSRFToken() {
        let token = Secret.make()
        storage[CSRFRotateKey.self] = token
        storage[CSRFTokenKey.self] = token
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
