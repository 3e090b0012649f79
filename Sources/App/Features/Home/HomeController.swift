import Fluent
import Vapor

/// `/`: what the platform is and what is in it.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.home.route, use: index)
    }

    func index(req: Request) async throws -> Response {
        let references = try await req.application.cpmg.references.get(req.db, now: req.now)
        var model = try await HomeIndex.query(db: req.db, viewer: req.viewer, language: req.language, t: req.t, references: references)
        let language = req.language
        model.events = try await EventCalendar.events(.upcoming, filters: .init(), viewer: req.viewer, db: req.db, now: req.now, limit: 5).map { event in
            let country = event.$country.id.flatMap { references.countriesByID[$0] }?.localizedName(language)
            return (event.code, event.title, EventPages.whenText(event, t: req.t, language: language.rawValue) + " · " + EventPages.place(event, country: country))
        }
        return req.page(title: req.t("site.short"), description: req.t("site.tagline"), current: .home) {
            HomeIndex.view(model, $0)
        }
    }
}
