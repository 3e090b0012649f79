import Foundation
import Plot

/// Small lists around the repository: my submissions, the review queue, a document's history.
enum DocumentLists {
    static func view(title: String, intro: String, documents: [Document], context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(title)),
            .p(.text(intro)),
            .p(.link(.documentNew, .class("button primary"), .text(t("documents.submit")))),
            documents.isEmpty ? .p(.class("empty"), .text(t("documents.mine.none"))) : table(documents, context)
        )
    }

    static func table(_ documents: [Document], _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .class("table-scroll"),
            .table(
                .thead(.tr(.th(.text(t("documents.form.title"))), .th(.text(t("documents.fact.kind"))), .th(.text(t("documents.fact.date"))), .th(.text(t("documents.state"))))),
                .tbody(.forEach(documents) { document in
                    .tr(
                        .td(.link(.document(document.id!.uuidString), .text(document.title))),
                        .td(.text(t("documents.kind.\(document.kind.rawValue)"))),
                        .td(.text(document.isoDate)),
                        .td(.el("span", .class("tag state-\(document.status.rawValue)"), .text(t("documents.status.\(document.status.rawValue)"))))
                    )
                })
            )
        )
    }

    static func review(documents: [Document], failed: [DocumentFile], context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("documents.review.title"))),
            .h2(.text(t("documents.review.pending"))),
            documents.isEmpty ? .p(.class("empty"), .text(t("documents.review.none"))) : table(documents, context),
            .if(!failed.isEmpty, .group(
                .h2(.text(t("documents.review.failed"))),
                .ul(.forEach(failed) { file in
                    .li(
                        .link(.document(file.document.id!.uuidString), .text(file.document.title)),
                        .text(" — \(file.originalName): "),
                        .text(t(file.extraction == .scanned ? "documents.extraction.scanned" : "documents.extraction.failed")),
                        .unwrap(file.extractionError) { .el("span", .class("hint"), .text(" (\($0))")) }
                    )
                })
            ))
        )
    }

    static func history(document: Document, revisions: [DocumentRevision], users: [UUID: String], context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .div(
            .h1(.text(t("documents.history.title", ["title": document.title]))),
            .p(.link(.document(document.id!.uuidString), .text(t("documents.history.back")))),
            .ol(.class("revisions"), .forEach(revisions) { revision in
                let changes = (try? JSONDecoder().decode([[String: String]].self, from: Data(revision.changesJSON.utf8))) ?? []
                return .li(
                    .p(
                        .el("strong", .text(t("documents.revision.\(revision.action)"))),
                        .text(" — \(revision.userID.flatMap { users[$0] } ?? "—"), \(t.date(revision.at, time: true))")
                    ),
                    .if(!changes.isEmpty, .div(.class("table-scroll"), .table(
                        .thead(.tr(.th(.text(t("documents.history.field"))), .th(.text(t("documents.history.before"))), .th(.text(t("documents.history.after"))))),
                        .tbody(.forEach(changes) { change in
                            .tr(.td(.text(change["field"] ?? "")), .td(.el("del", .text(change["before"] ?? ""))), .td(.el("ins", .text(change["after"] ?? ""))))
                        })
                    )))
                )
            })
        )
    }
}
