import Fluent
import Vapor

/// `/login` and `/logout`.
struct SessionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.login(returnTo: nil).route, use: form)
        routes.post(SiteURL.login(returnTo: nil).route, use: login)
        routes.post(SiteURL.logout.route, use: logout)
    }

    /// Where to go after logging in: only a path of this site (see `SiteURL.isLocal`).
    private func returnTo(_ req: Request) -> String? {
        req.query[String.self, at: "return"].flatMap { SiteURL.isLocal($0) ? $0 : nil }
    }

    func form(req: Request) async throws -> Response {
        if req.viewer.isSignedIn { return req.redirect(to: returnTo(req) ?? "/", notice: nil) }
        return req.page(title: req.t("login.title")) { LoginPage.view(.init(returnTo: returnTo(req)), $0) }
    }

    func login(req: Request) async throws -> Response {
        let input = try FormInput.read(req)
        let email = User.normalise(email: input["email"])
        let password = input.password("password")
        let back = returnTo(req)
        let now = req.now
        let address = req.clientAddress

        func refuse(_ status: HTTPResponseStatus, errors: FormErrors = FormErrors(), problem: String? = nil) -> Response {
            req.page(status, title: req.t("login.title")) {
                LoginPage.view(.init(email: String(email.prefix(254)), returnTo: back, errors: errors, problem: problem), $0)
            }
        }

        var errors = FormErrors()
        if email.isEmpty { errors.add("email", "form.required") }
        if password.isEmpty { errors.add("password", "form.required") }
        if email.count > 254 { errors.add("email", "form.tooLong") }
        if password.utf8.count > Passwords.maximumLength { errors.add("password", "form.password.long") }
        guard errors.isEmpty else { return refuse(.unprocessableEntity, errors: errors) }

        if req.application.passwordHashing.isFull { throw PasswordHashing.Busy() }
        // The attempt counts as failed from before its password is checked (see `LoginThrottle`).
        guard let attempt = try await LoginThrottle.begin(email: email, address: address, on: req.db, now: now) else {
            let response = refuse(.tooManyRequests, problem: "login.throttled")
            response.headers.replaceOrAdd(name: .retryAfter, value: String(Int(LoginThrottle.window)))
            return response
        }

        let user = try await User.query(on: req.db).filter(\.$email == email).first()
        let matches: Bool
        do {
            if let user {
                matches = try await req.application.verifyPassword(password, created: user.passwordHash)
            } else {
                // Spend a Bcrypt's time anyway, so the answer's speed does not tell which addresses have accounts.
                _ = try await req.application.hashPassword(password)
                matches = false
            }
        } catch {
            // Not checked after all (the hashing queue was full): it does not count.
            try? await attempt.delete(on: req.db)
            throw error
        }
        guard let user, matches else {
            try await Audit.record(.loginFailed, actor: nil, subject: user?.id, detail: user == nil ? "unknown address" : "wrong password", address: address, on: req.db, at: now)
            return refuse(.unauthorized, problem: "login.wrong")
        }
        try await LoginThrottle.succeeded(attempt, on: req.db)

        // The password is right: now say plainly why an account that is not active cannot enter.
        switch user.status {
        case .pending:
            return refuse(.forbidden, problem: user.emailConfirmedAt == nil ? "login.unconfirmed" : "login.pending")
        case .rejected:
            return refuse(.forbidden, problem: "login.rejected")
        case .suspended:
            return refuse(.forbidden, problem: "login.suspended")
        case .active:
            break
        }

        user.lastLoginAt = now
        try await user.save(on: req.db)
        try await Audit.record(.login, actor: user.id, subject: user.id, address: address, on: req.db, at: now)
        if let old = req.cookies[Sessions.cookieName]?.string { try await Sessions.end(token: old, on: req.db) }
        let token = try await Sessions.start(for: user, on: req.db, now: now, days: req.application.cpmg.settings.sessionDays)
        req.rotateCSRFToken()
        let response = req.redirect(to: back ?? "/", notice: "notice.welcome")
        response.cookies[Sessions.cookieName] = Sessions.cookie(
            token, days: req.application.cpmg.settings.sessionDays, secure: req.application.cpmg.settings.secureCookies
        )
        return response
    }

    func logout(req: Request) async throws -> Response {
        if let token = req.cookies[Sessions.cookieName]?.string {
            try await Sessions.end(token: token, on: req.db)
        }
        if let user = req.currentUser {
            try await Audit.record(.logout, actor: user.id, subject: user.id, address: req.clientAddress, on: req.db, at: req.now)
        }
        req.rotateCSRFToken()
        let response = req.redirect(to: .home, notice: "notice.loggedOut")
        response.cookies[Sessions.cookieName] = .expired
        return response
    }
}
