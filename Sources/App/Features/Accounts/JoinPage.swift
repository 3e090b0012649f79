import Plot

/// `/join`: the membership request form.
enum JoinPage {
    struct Model {
        var values = Membership.Request()
        var errors = FormErrors()
        /// (lower-case alpha-2, name in the interface language), sorted by name.
        var countries: [(code: String, name: String)]
    }

    static func labels(_ t: Localizer) -> [String: String] {
        [
            "name": t("join.name"), "email": t("join.email"), "password": t("join.password"),
            "organisation": t("join.organisation"), "organisation_type": t("join.organisationType"),
            "country": t("join.country"), "position": t("join.position"), "motivation": t("join.motivation"),
        ]
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let labels = labels(t)
        let v = model.values
        let e = model.errors
        return .div(
            .class("narrow"),
            .h1(.text(t("join.title"))),
            .p(.text(t("join.intro"))),
            FormField.summary(e, t, labels: labels),
            .form(
                .id("join-form"),
                .action(SiteURL.join),
                .method(.post),
                .attr("novalidate", ""),
                Layout.csrfField(context),
                .el(
                    "fieldset",
                    .el("legend", .text(t("join.aboutYou"))),
                    FormField.input(.init(name: "name", label: labels["name"]!, value: v.name, error: e["name"], maxLength: Membership.limits.name, autocomplete: "name"), t),
                    FormField.input(.init(name: "email", label: labels["email"]!, value: v.email, error: e["email"], hint: t("join.emailHint"), type: .email, maxLength: Membership.limits.email, autocomplete: "email"), t),
                    FormField.input(.init(name: "password", label: labels["password"]!, error: e["password"], hint: t("form.password.hint", ["count": String(Passwords.minimumLength)]), type: .password, autocomplete: "new-password"), t)
                ),
                .el(
                    "fieldset",
                    .el("legend", .text(t("join.aboutWork"))),
                    FormField.input(.init(name: "organisation", label: labels["organisation"]!, value: v.organisation, error: e["organisation"], maxLength: Membership.limits.organisation, autocomplete: "organization"), t),
                    FormField.select(
                        .init(name: "organisation_type", label: labels["organisation_type"]!, value: v.organisationType, error: e["organisation_type"]), t,
                        options: User.OrganisationType.allCases.map { ($0.rawValue, t("organisationType.\($0.rawValue)")) },
                        prompt: t("form.choosePrompt")
                    ),
                    FormField.select(
                        .init(name: "country", label: labels["country"]!, value: v.country, error: e["country"], hint: t("join.countryHint")), t,
                        options: model.countries.map { ($0.code, $0.name) } + [("other", t("join.countryOther"))],
                        prompt: t("form.choosePrompt")
                    ),
                    FormField.input(.init(name: "position", label: labels["position"]!, value: v.position, error: e["position"], maxLength: Membership.limits.position, autocomplete: "organization-title"), t),
                    FormField.textarea(.init(name: "motivation", label: labels["motivation"]!, value: v.motivation, error: e["motivation"], hint: t("join.motivationHint"), maxLength: Membership.limits.motivation), t)
                ),
                .p(.class("hint"), .text(t("join.review"))),
                .button(.type(.submit), .class("primary"), .text(t("join.submit")))
            ),
            .p(.text(t("join.haveAccount")), .text(" "), .link(.login(returnTo: nil), .text(t("nav.login"))))
        )
    }
}
