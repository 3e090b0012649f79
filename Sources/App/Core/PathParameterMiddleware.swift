import Vapor

/// PostgreSQL refuses NUL in text, so a path parameter holding one ("%00") would reach a query
/// as a database error (500). No slug, code or id contains one: such an address names nothing
/// and answers 404, for every route at once.
struct PathParameterMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        for case .parameter(let name) in request.route?.path ?? [] where request.parameters.get(name)?.contains("\0") == true {
            throw Abort(.notFound)
        }
        return try await next.respond(to: request)
    }
}
