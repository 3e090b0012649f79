import Fluent
import Vapor

/// `/join`: request membership, confirm the address.
struct MembershipController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.join.route, use: form)
        routes.post(SiteURL.join.route, use: submit)
        routes.get(SiteURL.joinSent.route, use: sent)
        routes.get(SiteURL.joinConfirm(token: nil).route, use: confirm)
        routes.get(SiteURL.joinConfirmed.route, use: confirmed)
    }

    func form(req: Request) async throws -> Response {
        if req.viewer.isSignedIn { return req.redirect(to: .account) }
        return try await render(req, JoinPage.Model(countries: countryOptions(req)))
    }

    func submit(req: Request) async throws -> Response {
        let input = try FormInput.read(req)
        let countries = try await countryOptions(req)
        let (request, errors) = Membership.read(input, countryCodes: Set(countries.map(\.code)))
        guard errors.isEmpty else {
            var request = request
            request.password = ""
            return try await render(req, JoinPage.Model(values: request, errors: errors, countries: countries), status: .unprocessableEntity)
        }
        // The same answer whether or not the address has an account (see `Membership.submit`).
        try await Membership.submit(request, language: req.language, app: req.application, db: req.db, now: req.now, address: req.clientAddress)
        return req.redirect(to: .joinSent)
    }

    func sent(req: Request) async throws -> Response {
        let t = req.t
        return req.page(title: t("join.sent.title")) { _ in
            MessagePage.view(.init(title: t("join.sent.title"), paragraphs: [t("join.sent.body"), t("join.sent.spam")]))
        }
    }

    func confirm(req: Request) async throws -> Response {
        let token = req.query[String.self, at: "token"] ?? ""
        switch try await Membership.validToken(token, purpose: .confirmEmail, db: req.db, now: req.now) {
        case .success(let record):
            try await Membership.confirm(record, app: req.application, db: req.db, now: req.now)
            return req.redirect(to: .joinConfirmed)
        case .failure(let problem):
            return linkProblem(req, problem)
        }
    }

    func confirmed(req: Request) async throws -> Response {
        let t = req.t
        return req.page(title: t("join.confirmed.title")) { _ in
            MessagePage.view(.init(title: t("join.confirmed.title"), paragraphs: [t("join.confirmed.body")]))
        }
    }

    private func render(_ req: Request, _ model: JoinPage.Model, status: HTTPResponseStatus = .ok) async throws -> Response {
        req.page(status, title: req.t("join.title"), description: req.t("join.intro")) { JoinPage.view(model, $0) }
    }

    private func countryOptions(_ req: Request) async throws -> [(code: String, name: String)] {
        try await req.application.cpmg.references.get(req.db, now: req.now).countryOptions(req.language)
    }
}

/// The page for a mailed link that is unknown, used or expired: 410 Gone for the last two.
func linkProblem(_ req: Request, _ problem: Membership.TokenProblem) -> Response {
    let t = req.t
    let key: String
    let status: HTTPResponseStatus
    switch problem {
    case .unknown: (key, status) = ("link.unknown", .notFound)
    case .used: (key, status) = ("link.used", .gone)
    case .expired: (key, status) = ("link.expired", .gone)
    }
    return req.page(status, title: t("link.title")) { _ in
        MessagePage.view(.init(title: t("link.title"), paragraphs: [t(key)], link: (.home, t("error.home"))))
    }
}
