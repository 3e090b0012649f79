import Fluent
import Foundation
import Plot

/// One account: who they are, their roles (admins change them), suspension, recent history.
enum AdminMemberShow {
    struct Model {
        var id: UUID
        var name: String
        var email: String
        var organisation: String
        var status: User.Status
        var role: Role
        var decisionReason: String?
        /// (lower-case alpha-2, name, assigned)
        var countries: [(code: String, name: String, assigned: Bool)]
        /// (slug, name, coordinator)
        var networks: [(slug: String, name: String, coordinator: Bool)]
        var history: [(at: Date, eventKey: String, detail: String)]
        var problem: String?
    }

    static func query(user: User, db: any Database, language: Language) async throws -> Model {
        let userID = try user.requireID()
        let focal = Set(try await CountryFocalPoint.query(on: db).filter(\.$user.$id == userID).all(\.$country.$id))
        let coordinated = Set(try await NetworkMembership.query(on: db).filter(\.$user.$id == userID).filter(\.$kind == .coordinator).all(\.$network.$id))
        let countries = try await Country.query(on: db).all()
            .map { ($0.iso2.lowercased(), $0.localizedName(language), focal.contains($0.id!)) }
            .sorted { $0.1.localizedCompare($1.1) == .orderedAscending }
        let networks = try await Network.query(on: db).sort(\.$name).all().map { ($0.slug, $0.name, coordinated.contains($0.id!)) }
        let history = try await AuditEntry.query(on: db)
            .group(.or) { $0.filter(\.$subjectID == userID).filter(\.$actorID == userID) }
            .sort(\.$at, .descending).limit(20).all()
            .map { ($0.at, "audit.\($0.event.rawValue)", $0.detail) }
        return Model(
            id: userID, name: user.name, email: user.email, organisation: user.organisation, status: user.status, role: user.role,
            decisionReason: user.decisionReason, countries: countries, networks: networks, history: history
        )
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let canManage = Access.can(context.viewer, .manageAccounts)
        return .div(
            .h1(.text(model.name)),
            AdminNav.view(context, current: .members),
            .unwrap(model.problem) { .div(.class("error-summary"), .attr("role", "alert"), .p(.text(t($0)))) },
            .dl(
                .class("facts"),
                .dt(.text(t("join.email"))), .dd(.text(model.email)),
                .dt(.text(t("join.organisation"))), .dd(.text(model.organisation)),
                .dt(.text(t("admin.member.status"))), .dd(.text(t("status.\(model.status.rawValue)"))),
                .dt(.text(t("account.role"))), .dd(.text(t("role.\(model.role.rawValue)"))),
                .unwrap(model.decisionReason) { .group(.dt(.text(t("admin.member.reason"))), .dd(.text($0))) }
            ),
            .if(canManage, rolesForm(model, context)),
            .if(canManage && (model.status == .active || model.status == .suspended), suspensionForm(model, context)),
            .h2(.text(t("admin.member.history"))),
            model.history.isEmpty ? .p(.text(t("admin.audit.none"))) : .ul(.class("history"), .forEach(model.history) { entry in
                .li(.el("time", .text(t.date(entry.at, time: true))), .text(" — \(t(entry.eventKey))"), .if(!entry.detail.isEmpty, .text(": \(entry.detail)")))
            })
        )
    }

    static func rolesForm(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .form(
            .id("roles-form"),
            .action(SiteURL.adminMemberRoles(model.id.uuidString)),
            .method(.post),
            Layout.csrfField(context),
            .h2(.text(t("admin.member.roles"))),
            FormField.select(
                .init(name: "role", label: t("account.role"), value: model.role.rawValue), t,
                options: Role.allCases.map { ($0.rawValue, t("role.\($0.rawValue)")) }
            ),
            .el(
                "fieldset",
                .el("legend", .text(t("admin.member.focalPoint"))),
                .div(.class("checks"), .forEach(model.countries) { country in
                    FormField.checkbox(name: "countries[]", value: country.code, label: country.name, checked: country.assigned)
                })
            ),
            .el(
                "fieldset",
                .el("legend", .text(t("admin.member.coordinator"))),
                .div(.class("checks"), .forEach(model.networks) { network in
                    FormField.checkbox(name: "coordinates[]", value: network.slug, label: t("network.\(network.slug)"), checked: network.coordinator)
                })
            ),
            .button(.type(.submit), .class("primary"), .text(t("admin.member.saveRoles")))
        )
    }

    static func suspensionForm(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let suspend = model.status == .active
        return .form(
            .id("suspension-form"),
            .action(SiteURL.adminMemberSuspension(model.id.uuidString)),
            .method(.post),
            Layout.csrfField(context),
            .h2(.text(t(suspend ? "admin.member.suspend" : "admin.member.reinstate"))),
            FormField.textarea(.init(name: "reason", label: t("admin.members.reason"), required: false, maxLength: 2000), t, rows: 2),
            .button(.type(.submit), .name("action"), .value(suspend ? "suspend" : "reinstate"), .class(suspend ? "danger" : "primary"),
                    .text(t(suspend ? "admin.member.suspend" : "admin.member.reinstate")))
        )
    }
}
