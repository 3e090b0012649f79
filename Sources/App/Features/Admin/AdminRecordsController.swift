import Fluent
import Foundation
import Plot
import Vapor

/// `/admin/audit` and `/admin/outbox`: what happened, and what mail was sent or waits.
struct AdminRecordsController: RouteCollection {
    static let pageSize = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.adminAudit(page: nil).route, use: audit)
        routes.get(SiteURL.adminOutbox(page: nil).route, use: outbox)
    }

    private func page(_ req: Request) -> Int { max(1, min(10_000, req.query[Int.self, at: "page"] ?? 1)) }

    func audit(req: Request) async throws -> Response {
        try req.authorize(.readAuditLog)
        let page = page(req)
        let total = try await AuditEntry.query(on: req.db).count()
        let entries = try await AuditEntry.query(on: req.db).sort(\.$at, .descending)
            .range((page - 1) * Self.pageSize..<page * Self.pageSize).all()
        let ids = Set(entries.flatMap { [$0.actorID, $0.subjectID] }.compactMap { $0 })
        let names = Dictionary(try await User.query(on: req.db).filter(\.$id ~~ Array(ids)).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let model = AuditIndex.Model(
            rows: entries.map {
                AuditIndex.Row(
                    at: $0.at, eventKey: "audit.\($0.event.rawValue)",
                    actor: $0.actorID.flatMap { names[$0] }, subject: $0.subjectID.flatMap { names[$0] },
                    subjectID: $0.subjectID, detail: $0.detail, address: $0.address
                )
            },
            page: page, pages: max(1, (total + Self.pageSize - 1) / Self.pageSize)
        )
        return req.page(title: req.t("admin.audit.title")) { AuditIndex.view(model, $0) }
    }

    func outbox(req: Request) async throws -> Response {
        try req.authorize(.readOutbox)
        let page = page(req)
        let total = try await OutboxMessage.query(on: req.db).count()
        let messages = try await OutboxMessage.query(on: req.db).sort(\.$createdAt, .descending)
            .range((page - 1) * Self.pageSize..<page * Self.pageSize).all()
        let model = OutboxIndex.Model(
            messages: messages.map { .init(to: "\($0.toName) <\($0.toAddress)>", subject: $0.subject, body: $0.body, status: $0.status.rawValue, createdAt: $0.createdAt, error: $0.lastError) },
            page: page, pages: max(1, (total + Self.pageSize - 1) / Self.pageSize),
            deliveryConfigured: req.application.cpmg.settings.sendmailPath != nil
        )
        return req.page(title: req.t("admin.outbox.title")) { OutboxIndex.view(model, $0) }
    }
}

enum AuditIndex {
    struct Row {
        var at: Date
        var eventKey: String
        var actor: String?
        var subject: String?
        var subjectID: UUID?
        var detail: String
        var address: String
    }

    struct Model {
        var rows: [Row]
        var page: Int
        var pages: Int
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("admin.audit.title"))),
            AdminNav.view(context, current: .audit),
            model.rows.isEmpty ? .p(.text(t("admin.audit.none"))) : .div(
                .class("table-scroll"),
                .table(
                    .caption(.text(t("admin.audit.caption"))),
                    .thead(.tr(
                        .th(.text(t("admin.audit.when"))), .th(.text(t("admin.audit.event"))), .th(.text(t("admin.audit.actor"))),
                        .th(.text(t("admin.audit.subject"))), .th(.text(t("admin.audit.detail"))), .th(.text(t("admin.audit.address")))
                    )),
                    .tbody(.forEach(model.rows) { row in
                        .tr(
                            .td(.text(t.date(row.at, time: true))),
                            .td(.text(t(row.eventKey))),
                            .td(.text(row.actor ?? "—")),
                            .td(row.subjectID.map { id in Node<HTML.BodyContext>.link(.adminMember(id.uuidString), .text(row.subject ?? "—")) } ?? .text("—")),
                            .td(.text(row.detail)),
                            .td(.text(row.address))
                        )
                    })
                )
            ),
            Pager.view(page: model.page, pages: model.pages, url: { .adminAudit(page: $0) }, t: t)
        )
    }
}

enum OutboxIndex {
    struct Message {
        var to: String
        var subject: String
        var body: String
        var status: String
        var createdAt: Date?
        var error: String?
    }

    struct Model {
        var messages: [Message]
        var page: Int
        var pages: Int
        var deliveryConfigured: Bool
    }

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("admin.outbox.title"))),
            AdminNav.view(context, current: .outbox),
            .p(.class("hint"), .text(t(model.deliveryConfigured ? "admin.outbox.delivering" : "admin.outbox.holding"))),
            model.messages.isEmpty ? .p(.text(t("admin.outbox.none"))) : .ul(.class("outbox"), .forEach(model.messages) { message in
                .li(.details(
                    .summary(
                        .el("span", .class("tag"), .text(t("outbox.\(message.status)"))),
                        .text(" \(message.subject) → \(message.to)"),
                        .unwrap(message.createdAt) { .text(" · \(t.date($0, time: true))") }
                    ),
                    .unwrap(message.error) { .p(.class("field-error"), .text($0)) },
                    .element(named: "pre", nodes: [.class("mail-body"), .text(message.body)])
                ))
            }),
            Pager.view(page: model.page, pages: model.pages, url: { .adminOutbox(page: $0) }, t: t)
        )
    }
}

/// Previous / next links for a paged list.
enum Pager {
    static func view(page: Int, pages: Int, url: (Int) -> SiteURL, t: Localizer) -> Node<HTML.BodyContext> {
        guard pages > 1 else { return .empty }
        return .nav(
            .class("pager"),
            .attr("aria-label", t("pager.label")),
            .if(page > 1, .link(url(page - 1), .attr("rel", "prev"), .text(t("pager.previous")))),
            .el("span", .text(t("pager.position", ["page": String(page), "pages": String(pages)]))),
            .if(page < pages, .link(url(page + 1), .attr("rel", "next"), .text(t("pager.next"))))
        )
    }
}
