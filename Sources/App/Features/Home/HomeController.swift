import Fluent
import Vapor

/// `/`: what the platform is and what is in it.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.home.route, use: index)
    }

    func index(req: Request) async throws -> Response {
        let model = try await HomeIndex.query(
            db: req.db, viewer: req.viewer, language: req.language, t: req.t,
            references: try await req.application.cpmg.references.get(req.db, now: req.now)
        )
        return req.page(title: req.t("site.short"), description: req.t("site.tagline"), current: .home) {
            HomeIndex.view(model, $0)
        }
    }
}
