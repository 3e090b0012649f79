import Fluent
import Foundation
import Plot

/// The list of accounts by state; pending requests come with approve and reject forms.
enum AdminMembersIndex {
    enum Filter: String, CaseIterable {
        case pending, active, rejected, suspended
    }

    struct Row {
        var id: UUID
        var name: String
        var email: String
        var organisation: String
        var organisationTypeKey: String
        var country: String
        var position: String
        var motivation: String
        var requestedAt: Date?
        var emailConfirmed: Bool
        var roleKey: String
        var status: User.Status
    }

    struct Model {
        var filter: Filter
        var rows: [Row]
        var counts: [Filter: Int]
        /// A refused decision, shown beside the request it concerns.
        var problem: (id: UUID, key: String)?
    }

    static func query(filter: Filter, db: any Database, language: Language) async throws -> Model {
        let status = User.Status(rawValue: filter.rawValue)!
        let users = try await User.query(on: db).filter(\.$status == status).sort(\.$createdAt, filter == .pending ? .ascending : .descending).limit(500).all()
        let countries = Dictionary(try await Country.query(on: db).all().map { ($0.iso2, $0.localizedName(language)) }, uniquingKeysWith: { a, _ in a })
        var counts: [Filter: Int] = [:]
        for option in Filter.allCases {
            counts[option] = try await User.query(on: db).filter(\.$status == User.Status(rawValue: option.rawValue)!).count()
        }
        return Model(
            filter: filter,
            rows: try users.map {
                Row(
                    id: try $0.requireID(), name: $0.name, email: $0.email, organisation: $0.organisation,
                    organisationTypeKey: "organisationType.\($0.organisationType.rawValue)",
                    country: $0.countryISO2.flatMap { countries[$0] } ?? "—", position: $0.position, motivation: $0.motivation,
                    requestedAt: $0.createdAt, emailConfirmed: $0.emailConfirmedAt != nil, roleKey: "role.\($0.role.rawValue)", status: $0.status
                )
            },
            counts: counts
        )
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("admin.members.title"))),
            AdminNav.view(context, current: .members),
            .nav(
                .class("tabs"),
                .attr("aria-label", t("admin.members.filter")),
                .ul(.forEach(Filter.allCases) { option in
                    .li(.link(
                        .adminMembers(status: option.rawValue),
                        option == model.filter ? .attr("aria-current", "page") : .empty,
                        .text("\(t("status.\(option.rawValue)")) (\(model.counts[option] ?? 0))")
                    ))
                })
            ),
            model.rows.isEmpty
                ? .p(.class("empty"), .text(t("admin.members.none")))
                : .ul(.class("requests"), .forEach(model.rows) { row in .li(item(row, model, context)) })
        )
    }

    static func item(_ row: Row, _ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let problem = model.problem?.id == row.id ? model.problem?.key : nil
        return .element(named: "article", nodes: [
            .class("member-request"),
            .attr("data-email", row.email),
            .h2(.link(.adminMember(row.id.uuidString), .text(row.name))),
            .dl(
                .class("facts"),
                .dt(.text(t("join.email"))),
                .dd(.text(row.email), .text(" "), .el("span", .class(row.emailConfirmed ? "tag ok" : "tag warn"), .text(t(row.emailConfirmed ? "admin.members.confirmed" : "admin.members.unconfirmed")))),
                .dt(.text(t("join.organisation"))), .dd(.text("\(row.organisation) · \(t(row.organisationTypeKey))")),
                .dt(.text(t("join.country"))), .dd(.text(row.country)),
                .dt(.text(t("join.position"))), .dd(.text(row.position)),
                .dt(.text(t("admin.members.requested"))), .dd(.text(row.requestedAt.map { t.date($0, time: true) } ?? "—")),
                .if(row.status != .pending, .group(.dt(.text(t("account.role"))), .dd(.text(t(row.roleKey)))))
            ),
            .if(!row.motivation.isEmpty, .el("blockquote", .class("motivation"), .p(.text(row.motivation)))),
            .unwrap(problem) { .p(.class("field-error"), .attr("role", "alert"), .text(t($0))) },
            .if(row.status == .pending, .div(
                .class("decision"),
                .form(
                    .class("approve-form"),
                    .action(SiteURL.adminMemberDecision(row.id.uuidString)),
                    .method(.post),
                    Layout.csrfField(context),
                    .button(.type(.submit), .name("action"), .value("approve"), .class("primary"), .text(t("admin.members.approve")))
                ),
                .form(
                    .class("reject-form"),
                    .action(SiteURL.adminMemberDecision(row.id.uuidString)),
                    .method(.post),
                    Layout.csrfField(context),
                    .label(.attr("for", "reason-\(row.id.uuidString)"), .text(t("admin.members.reason"))),
                    .element(named: "textarea", nodes: [
                        .attr("id", "reason-\(row.id.uuidString)"), .attr("name", "reason"), .attr("rows", "2"),
                        .attr("maxlength", "2000"), .flag("required"),
                    ]),
                    .button(.type(.submit), .name("action"), .value("reject"), .text(t("admin.members.reject")))
                )
            )),
        ])
    }
}

/// The tabs between the administration pages the viewer may open.
enum AdminNav {
    enum Page { case members, review, audit, outbox }

    static func view(_ context: PageContext, current: Page) -> Node<HTML.BodyContext> {
        let t = context.t
        let pages: [(Page, SiteURL, String)] = [(.members, .adminMembers(status: nil), "admin.nav.members"), (.review, .documentsReview, "documents.review.title")]
            + (Access.can(context.viewer, .readAuditLog) ? [(.audit, .adminAudit(page: nil), "admin.nav.audit")] : [])
            + (Access.can(context.viewer, .readOutbox) ? [(.outbox, .adminOutbox(page: nil), "admin.nav.outbox")] : [])
        return .nav(
            .class("tabs"),
            .attr("aria-label", t("nav.admin")),
            .ul(.forEach(pages) { page in
                .li(.link(page.1, page.0 == current ? .attr("aria-current", "page") : .empty, .text(t(page.2))))
            })
        )
    }
}
