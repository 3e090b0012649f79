import Plot

/// `/login`.
enum LoginPage {
    struct Model {
        var email = ""
        var returnTo: String?
        var errors = FormErrors()
        /// A refusal that is not about one field (pending approval, suspended, throttled).
        var problem: String?
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let labels = ["email": t("login.email"), "password": t("login.password")]
        return .div(
            .class("narrow"),
            .h1(.text(t("login.title"))),
            .unwrap(model.problem) { .div(.class("error-summary"), .attr("role", "alert"), .p(.text(t($0)))) },
            FormField.summary(model.errors, t, labels: labels),
            .form(
                .id("login-form"),
                .action(SiteURL.login(returnTo: model.returnTo)),
                .method(.post),
                Layout.csrfField(context),
                FormField.input(.init(name: "email", label: labels["email"]!, value: model.email, error: model.errors["email"], type: .email, autocomplete: "username"), t),
                FormField.input(.init(name: "password", label: labels["password"]!, error: model.errors["password"], type: .password, autocomplete: "current-password"), t),
                .button(.type(.submit), .class("primary"), .text(t("login.submit")))
            ),
            .p(.link(.passwordForgot, .text(t("login.forgot")))),
            .p(.text(t("login.noAccount")), .text(" "), .link(.join, .text(t("nav.join"))))
        )
    }
}
