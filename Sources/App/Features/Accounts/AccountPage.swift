import Plot

/// `/account`: the member's profile and password.
enum AccountPage {
    struct Model {
        var name: String
        var email: String
        var organisation: String
        var organisationType: String
        var country: String
        var position: String
        var roleKey: String
        var focalCountries: [String]
        var networks: [(name: String, coordinator: Bool)]
        var countries: [(code: String, name: String)]
        /// Events the user registered for (or waits for), soonest first: (id, title, when, waiting).
        var events: [(id: String, title: String, when: String, waiting: Bool)] = []
        /// Registrations for events since restricted to others: id and dates only (no title), so
        /// the place can be given up.
        var hiddenEvents: [(id: String, when: String)] = []
        var profileErrors = FormErrors()
        var passwordErrors = FormErrors()
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let profileLabels = [
            "name": t("join.name"), "organisation": t("join.organisation"), "organisation_type": t("join.organisationType"),
            "country": t("join.country"), "position": t("join.position"),
        ]
        let passwordLabels = ["current_password": t("account.currentPassword"), "new_password": t("account.newPassword")]
        return .div(
            .class("narrow"),
            .h1(.text(model.name)),
            .dl(
                .class("facts"),
                .dt(.text(t("join.email"))), .dd(.text(model.email)),
                .dt(.text(t("account.role"))), .dd(.text(t(model.roleKey))),
                .if(!model.focalCountries.isEmpty, .group(
                    .dt(.text(t("account.focalPoint"))), .dd(.text(model.focalCountries.joined(separator: ", ")))
                )),
                .if(!model.networks.isEmpty, .group(
                    .dt(.text(t("account.networks"))),
                    .dd(.text(model.networks.map { $0.coordinator ? "\($0.name) (\(t("role.coordinator")))" : $0.name }.joined(separator: ", ")))
                ))
            ),
            .p(.link(.documentsMine, .text(t("documents.mine.title"))), .text(" · "), .link(.documentNew, .text(t("documents.submit"))),
               .text(" · "), .link(.accountCalendar, .text(t("events.calendar.title")))),
            .section(
                .id("my-events"),
                .h2(.text(t("account.events"))),
                model.events.isEmpty ? .p(.class("empty"), .text(t("account.noEvents"))) : .ul(.forEach(model.events) { event in
                    .li(.link(.event(event.id), .text(event.title)), .text(" — " + event.when),
                        .if(event.waiting, .el("span", .class("badge"), .text(t("events.attendees.waiting")))))
                }),
                .if(!model.hiddenEvents.isEmpty, .group(
                    .p(.text(t("account.hiddenEvents", ["count": String(model.hiddenEvents.count)]))),
                    .ul(.forEach(model.hiddenEvents) { event in
                        .li(.form(.action(SiteURL.eventCancel(event.id)), .method(.post), Layout.csrfField(context),
                                  .text(event.when + " "),
                                  .button(.type(.submit), .text(t("account.hiddenEventCancel")))))
                    })
                ))
            ),
            .h2(.id("profile"), .text(t("account.profile"))),
            FormField.summary(model.profileErrors, t, labels: profileLabels),
            .form(
                .id("profile-form"),
                .action(SiteURL.account),
                .method(.post),
                Layout.csrfField(context),
                FormField.input(.init(name: "name", label: profileLabels["name"]!, value: model.name, error: model.profileErrors["name"], maxLength: Membership.limits.name, autocomplete: "name"), t),
                FormField.input(.init(name: "organisation", label: profileLabels["organisation"]!, value: model.organisation, error: model.profileErrors["organisation"], maxLength: Membership.limits.organisation, autocomplete: "organization"), t),
                FormField.select(
                    .init(name: "organisation_type", label: profileLabels["organisation_type"]!, value: model.organisationType, error: model.profileErrors["organisation_type"]), t,
                    options: User.OrganisationType.allCases.map { ($0.rawValue, t("organisationType.\($0.rawValue)")) }
                ),
                FormField.select(
                    .init(name: "country", label: profileLabels["country"]!, value: model.country, error: model.profileErrors["country"]), t,
                    options: model.countries.map { ($0.code, $0.name) } + [("other", t("join.countryOther"))]
                ),
                FormField.input(.init(name: "position", label: profileLabels["position"]!, value: model.position, error: model.profileErrors["position"], maxLength: Membership.limits.position, autocomplete: "organization-title"), t),
                .button(.type(.submit), .class("primary"), .text(t("account.save")))
            ),
            .h2(.id("password"), .text(t("account.password"))),
            FormField.summary(model.passwordErrors, t, labels: passwordLabels),
            .form(
                .id("password-form"),
                .action(SiteURL.accountPassword),
                .method(.post),
                Layout.csrfField(context),
                FormField.input(.init(name: "current_password", label: passwordLabels["current_password"]!, error: model.passwordErrors["current_password"], type: .password, autocomplete: "current-password"), t),
                FormField.input(.init(name: "new_password", label: passwordLabels["new_password"]!, error: model.passwordErrors["new_password"], hint: t("form.password.hint", ["count": String(Passwords.minimumLength)]), type: .password, autocomplete: "new-password"), t),
                .button(.type(.submit), .text(t("account.changePassword")))
            )
        )
    }
}

/// `/password/forgot` and `/password/reset`.
enum PasswordPages {
    static func forgot(_ context: PageContext, email: String, errors: FormErrors) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .class("narrow"),
            .h1(.text(t("reset.title"))),
            .p(.text(t("reset.intro"))),
            FormField.summary(errors, t, labels: ["email": t("join.email")]),
            .form(
                .id("forgot-form"),
                .action(SiteURL.passwordForgot),
                .method(.post),
                Layout.csrfField(context),
                FormField.input(.init(name: "email", label: t("join.email"), value: email, error: errors["email"], type: .email, autocomplete: "email"), t),
                .button(.type(.submit), .class("primary"), .text(t("reset.send")))
            )
        )
    }

    static func reset(_ context: PageContext, token: String, errors: FormErrors) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .class("narrow"),
            .h1(.text(t("reset.choose"))),
            FormField.summary(errors, t, labels: ["password": t("account.newPassword")]),
            .form(
                .id("reset-form"),
                .action(SiteURL.passwordReset(token: nil)),
                .method(.post),
                Layout.csrfField(context),
                .input(.type(.hidden), .name("token"), .attribute(named: "value", value: Escape.attribute(token))),
                FormField.input(.init(name: "password", label: t("account.newPassword"), error: errors["password"], hint: t("form.password.hint", ["count": String(Passwords.minimumLength)]), type: .password, autocomplete: "new-password"), t),
                .button(.type(.submit), .class("primary"), .text(t("reset.save")))
            )
        )
    }
}
