import Fluent
import Vapor

/// `/account` (profile, password) and the emailed password reset.
struct AccountController: RouteCollection {
    static let resetsPerWindow = 3

    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.account.route, use: show)
        routes.post(SiteURL.account.route, use: updateProfile)
        routes.post(SiteURL.accountPassword.route, use: changePassword)
        routes.get(SiteURL.passwordForgot.route, use: forgotForm)
        routes.post(SiteURL.passwordForgot.route, use: forgot)
        routes.get(SiteURL.passwordReset(token: nil).route, use: resetForm)
        routes.post(SiteURL.passwordReset(token: nil).route, use: reset)
    }

    // MARK: - Profile

    func show(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return try await render(req, model(req, user))
    }

    func updateProfile(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try FormInput.read(req)
        var errors = FormErrors()
        let name = input.text("name", max: Membership.limits.name, errors: &errors)
        let organisation = input.text("organisation", max: Membership.limits.organisation, errors: &errors)
        let type = User.OrganisationType(rawValue: input["organisation_type"])
        if type == nil { errors.add("organisation_type", "form.choose") }
        let country = input["country"].lowercased()
        let known = Array(try await req.application.cpmg.references.get(req.db, now: req.now).countriesByISO2.keys)
        if !known.contains(country) && country != "other" { errors.add("country", "form.choose") }
        let position = input.text("position", max: Membership.limits.position, errors: &errors)
        guard errors.isEmpty, let type else {
            var model = try await model(req, user)
            (model.name, model.organisation, model.organisationType, model.country, model.position) =
                (name, organisation, input["organisation_type"], country, position)
            model.profileErrors = errors
            return try await render(req, model, status: .unprocessableEntity)
        }
        user.name = name
        user.organisation = organisation
        user.organisationType = type
        user.countryISO2 = country == "other" ? nil : country.uppercased()
        user.position = position
        try await user.save(on: req.db)
        return req.redirect(to: .account, notice: "notice.profileSaved")
    }

    func changePassword(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try FormInput.read(req)
        var errors = FormErrors()
        let current = input.password("current_password")
        let new = input.password("new_password")
        if current.isEmpty {
            errors.add("current_password", "form.required")
        } else if current.utf8.count > Passwords.maximumLength {
            errors.add("current_password", "account.currentWrong")
        } else if try await !req.application.verifyPassword(current, created: user.passwordHash) {
            errors.add("current_password", "account.currentWrong")
        }
        if new.isEmpty { errors.add("new_password", "form.required") }
        else if let problem = Passwords.problem(new) { errors.add("new_password", problem) }
        guard errors.isEmpty else {
            var model = try await model(req, user)
            model.passwordErrors = errors
            return try await render(req, model, status: .unprocessableEntity)
        }
        user.passwordHash = try await req.application.hashPassword(new)
        let now = req.now
        let settings = req.application.cpmg.settings
        let token = try await req.db.transaction { db in
            try await user.save(on: db)
            // Every other browser signed in as this member is signed out, and reset links asked for
            // before (perhaps by someone else) stop working.
            try await Sessions.endAll(for: user.requireID(), on: db)
            try await Membership.spendTokens(.resetPassword, of: user, db: db, now: now)
            try await Audit.record(.passwordChanged, actor: user.id, subject: user.id, address: req.clientAddress, on: db, at: now)
            let t = req.application.cpmg.catalog.localizer(user.language)
            try await req.application.cpmg.mailer.send(
                to: user.email, name: user.name, subject: t("mail.passwordChanged.subject"),
                body: t("mail.passwordChanged.body", ["name": user.name]), on: db
            )
            return try await Sessions.start(for: user, on: db, now: now, days: settings.sessionDays)
        }
        req.rotateCSRFToken()
        let response = req.redirect(to: .account, notice: "notice.passwordChanged")
        response.cookies[Sessions.cookieName] = Sessions.cookie(token, days: settings.sessionDays, secure: settings.secureCookies)
        return response
    }

    private func model(_ req: Request, _ user: User) async throws -> AccountPage.Model {
        let language = req.language
        let references = try await req.application.cpmg.references.get(req.db, now: req.now)
        let userID = try user.requireID()
        let focal = try await CountryFocalPoint.query(on: req.db).filter(\.$user.$id == userID).with(\.$country).all()
        let networks = try await NetworkMembership.query(on: req.db).filter(\.$user.$id == userID).with(\.$network).all()
        let t = req.t
        var events: [(id: String, title: String, when: String, waiting: Bool)] = []
        var hiddenEvents: [(id: String, when: String)] = []
        for registration in try await EventRegistration.query(on: req.db).filter(\.$user.$id == userID).filter(\.$status != .cancelled)
            .with(\.$event).all().sorted(by: { $0.event.startsAt < $1.event.startsAt }) where registration.event.endsAt >= req.now {
            guard Access.canView(req.viewer, registration.event) else {
                hiddenEvents.append((registration.event.code, EventPages.whenText(registration.event, t: t, language: language.rawValue)))
                continue
            }
            events.append((registration.event.code, registration.event.title, EventPages.whenText(registration.event, t: t, language: language.rawValue),
                           registration.status == .waiting))
        }
        var model = AccountPage.Model(
            name: user.name, email: user.email, organisation: user.organisation, organisationType: user.organisationType.rawValue,
            country: user.countryISO2?.lowercased() ?? "other", position: user.position, roleKey: "role.\(user.role.rawValue)",
            focalCountries: focal.map { $0.country.localizedName(language) },
            networks: networks.map { (t("network.\($0.network.slug)"), $0.kind == .coordinator) },
            countries: references.countryOptions(language)
        )
        model.events = events
        model.hiddenEvents = hiddenEvents
        return model
    }

    private func render(_ req: Request, _ model: AccountPage.Model, status: HTTPResponseStatus = .ok) async throws -> Response {
        req.page(status, title: req.t("account.title")) { AccountPage.view(model, $0) }
    }

    // MARK: - Password reset

    func forgotForm(req: Request) async throws -> Response {
        req.page(title: req.t("reset.title")) { PasswordPages.forgot($0, email: "", errors: FormErrors()) }
    }

    /// Always answers the same way, so the form does not tell who has an account.
    func forgot(req: Request) async throws -> Response {
        let input = try FormInput.read(req)
        var errors = FormErrors()
        let email = User.normalise(email: input.text("email", max: Membership.limits.email, errors: &errors))
        if errors.isEmpty && !Membership.isValidEmail(email) { errors.add("email", "form.email.invalid") }
        guard errors.isEmpty else {
            return req.page(.unprocessableEntity, title: req.t("reset.title")) { PasswordPages.forgot($0, email: email, errors: errors) }
        }
        let now = req.now
        if let user = try await User.query(on: req.db).filter(\.$email == email).first(), user.status == .active {
            let recent = try await AccountToken.query(on: req.db)
                .filter(\.$user.$id == user.requireID()).filter(\.$purpose == .resetPassword)
                .filter(\.$createdAt > now.addingTimeInterval(-LoginThrottle.window)).count()
            if recent < Self.resetsPerWindow {
                try await req.db.transaction { db in
                    let token = try await Membership.issueToken(.resetPassword, for: user, lifetime: Membership.resetLifetime, db: db, now: now)
                    let t = req.application.cpmg.catalog.localizer(user.language)
                    let link = SiteURL.passwordReset(token: token).absolute(base: req.application.cpmg.settings.publicURL)
                    try await req.application.cpmg.mailer.send(
                        to: user.email, name: user.name, subject: t("mail.reset.subject"),
                        body: t("mail.reset.body", ["name": user.name, "link": link]), on: db
                    )
                }
            }
        }
        let t = req.t
        return req.page(title: t("reset.sent.title")) { _ in
            MessagePage.view(.init(title: t("reset.sent.title"), paragraphs: [t("reset.sent.body")]))
        }
    }

    func resetForm(req: Request) async throws -> Response {
        let token = req.query[String.self, at: "token"] ?? ""
        switch try await Membership.validToken(token, purpose: .resetPassword, db: req.db, now: req.now) {
        case .success:
            return req.page(title: req.t("reset.choose")) { PasswordPages.reset($0, token: token, errors: FormErrors()) }
        case .failure(let problem):
            return linkProblem(req, problem)
        }
    }

    func reset(req: Request) async throws -> Response {
        let input = try FormInput.read(req)
        let token = input["token"]
        let now = req.now
        let record: AccountToken
        switch try await Membership.validToken(token, purpose: .resetPassword, db: req.db, now: now) {
        case .success(let found): record = found
        case .failure(let problem): return linkProblem(req, problem)
        }
        let password = input.password("password")
        var errors = FormErrors()
        if password.isEmpty { errors.add("password", "form.required") }
        else if let problem = Passwords.problem(password) { errors.add("password", problem) }
        guard errors.isEmpty else {
            return req.page(.unprocessableEntity, title: req.t("reset.choose")) { PasswordPages.reset($0, token: token, errors: errors) }
        }
        let hash = try await req.application.hashPassword(password)
        let claimed = try await req.db.transaction { db -> Bool in
            // Two submissions of the same link at once: only the one that spends it goes on.
            guard try await Membership.claim(record, db: db, now: now) else { return false }
            // This link and every other reset link of the account are spent.
            let user = record.user
            try await Membership.spendTokens(.resetPassword, of: user, db: db, now: now)
            user.passwordHash = hash
            try await user.save(on: db)
            try await Sessions.endAll(for: user.requireID(), on: db)
            try await Audit.record(.passwordReset, actor: user.id, subject: user.id, address: req.clientAddress, on: db, at: now)
            return true
        }
        guard claimed else { return linkProblem(req, .used) }
        return req.redirect(to: .login(returnTo: nil), notice: "notice.passwordReset")
    }
}
