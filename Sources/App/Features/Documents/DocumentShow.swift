import Fluent
import Foundation
import Plot
import Vapor

/// `/documents/{id}`: everything about a document, its files, how to cite it, and — for its
/// submitter and reviewers — its state and what can be done next.
enum DocumentShow {
    struct File {
        var id: String
        var name: String
        var kindLabel: String
        var size: Int
        var pages: Int?
        var isPrimary: Bool
        var extraction: DocumentFile.Extraction
        var extractionError: String?
        var mediaType: String
    }

    struct Related {
        var id: String
        var title: String
        var date: String
    }

    struct Model {
        var id: String
        var title: String
        var authors: [String]
        var publisher: String
        var date: String
        var kindKey: String
        var kind: Document.Kind
        var abstract: String
        var countries: [String]
        var themes: [String]
        var network: String?
        var languages: [String]
        var languageCodes: [String]
        var rights: String
        var doi: String?
        var isbn: String?
        var externalURL: String?
        var visibility: Visibility
        var status: Document.Status
        var reviewComment: String?
        var withdrawalReason: String?
        var publishedAt: Date?
        var downloads: Int
        var files: [File]
        var related: [Related]
        /// Events this document is an outcome of (those the viewer may see): (id, title).
        var events: [(id: String, title: String)] = []
        var citation: DocumentCitation.Formatted
        var canEdit: Bool
        var canPublish: Bool
        var canReturn: Bool
        var canSubmit: Bool
        var canWithdraw: Bool
        var canSeeHistory: Bool
        /// A withdrawn document's whole page and files, not its tombstone.
        var canDownload: Bool
        /// Retry a failed text extraction.
        var canRetryExtraction: Bool
        var jsonLD: String
    }

    static func query(_ document: Document, viewer: Viewer, app: Application, language: Language, t: Localizer, db: any Database) async throws -> Model {
        let id = try document.requireID()
        let countries = try await DocumentCountry.query(on: db).filter(\.$document.$id == id).with(\.$country).all().map(\.country)
        let themes = try await DocumentTheme.query(on: db).filter(\.$document.$id == id).with(\.$theme).all().map(\.theme)
        let network = try await document.$network.get(on: db)
        let files = try await DocumentFile.query(on: db).filter(\.$document.$id == id).sort(\.$position).all()
        let related = try await relatedDocuments(document, countries: countries.compactMap(\.id), themes: themes.compactMap(\.id), viewer: viewer, db: db)
        let record = try await DocumentCitation.record(document, app: app, db: db)
        let eventIDs = try await EventOutcome.query(on: db).filter(\.$document.$id == id).all(\.$event.$id)
        let events = try await Access.listed(Event.query(on: db), for: viewer).filter(\.$id ~~ eventIDs).sort(\.$startsAt).all()
            .map { (id: $0.code, title: $0.title) }
        var model = Model(
            id: id.uuidString, title: document.title, authors: document.authors, publisher: document.publisher,
            date: document.isoDate, kindKey: "documents.kind.\(document.kind.rawValue)", kind: document.kind, abstract: document.abstract,
            countries: countries.map { $0.localizedName(language) }.sorted() + (document.regional ? [t("documents.regional")] : []),
            themes: themes.map { t("theme.\($0.slug)") }.sorted(),
            network: network.map { t("network.\($0.slug)") },
            languages: document.languages.map { t("language.\($0)") }, languageCodes: document.languages,
            rights: document.rights, doi: document.doi, isbn: document.isbn, externalURL: document.externalURL,
            visibility: document.visibility, status: document.status, reviewComment: document.reviewComment,
            withdrawalReason: document.withdrawalReason, publishedAt: document.publishedAt, downloads: document.downloadCount,
            files: files.map {
                File(id: $0.id!.uuidString, name: $0.originalName, kindLabel: t("fileKind.\($0.kind)"), size: $0.size, pages: $0.pageCount,
                     isPrimary: $0.isPrimary, extraction: $0.extraction, extractionError: $0.extractionError, mediaType: $0.mediaType)
            },
            related: related,
            citation: DocumentCitation.formatted(record),
            canEdit: Access.can(viewer, .edit, document),
            canPublish: Access.can(viewer, .publish, document),
            canReturn: Access.can(viewer, .return, document),
            canSubmit: Access.can(viewer, .submit, document),
            canWithdraw: Access.can(viewer, .withdraw, document),
            canSeeHistory: Access.can(viewer, .seeHistory, document),
            canDownload: Access.can(viewer, .download, document),
            canRetryExtraction: Access.can(viewer, .publishContent),
            jsonLD: DocumentCitation.jsonLD(document, record: record, countries: countries, base: app.cpmg.settings.publicURL, files: files)
        )
        model.events = events
        return model
    }

    /// Published documents this viewer may see that share the most themes and countries.
    static func relatedDocuments(_ document: Document, countries: [UUID], themes: [UUID], viewer: Viewer, db: any Database) async throws -> [Related] {
        guard let id = document.id, !(countries.isEmpty && themes.isEmpty) else { return [] }
        var score: [UUID: Int] = [:]
        for link in try await DocumentTheme.query(on: db).filter(\.$theme.$id ~~ themes).filter(\.$document.$id != id).limit(2000).all() {
            score[link.$document.id, default: 0] += 2
        }
        for link in try await DocumentCountry.query(on: db).filter(\.$country.$id ~~ countries).filter(\.$document.$id != id).limit(2000).all() {
            score[link.$document.id, default: 0] += 1
        }
        let best = score.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.uuidString < $1.key.uuidString }.prefix(50).map(\.key)
        guard !best.isEmpty else { return [] }
        let candidates = try await Access.listed(Document.query(on: db), for: viewer).filter(\.$id ~~ best).all()
        let byID: [UUID: Document] = Dictionary(uniqueKeysWithValues: candidates.compactMap { d in d.id.map { ($0, d) } })
        return best.compactMap { byID[$0] }.prefix(5).map { Related(id: $0.id!.uuidString, title: $0.title, date: $0.isoDate) }
    }

    // MARK: - Head: Highwire Press tags and schema.org

    static func head(_ model: Model, base: URL) -> Node<HTML.HeadContext> {
        guard model.status == .published else { return .meta(.name("robots"), .content("noindex")) }
        var tags: [(String, String)] = [("citation_title", model.title)]
        tags += model.authors.map { ("citation_author", $0) }
        tags.append(("citation_publication_date", model.date.replacingOccurrences(of: "-", with: "/")))
        if !model.publisher.isEmpty {
            tags.append((model.kind == .report ? "citation_technical_report_institution" : "citation_publisher", model.publisher))
        }
        if let primary = model.files.first(where: { $0.isPrimary && $0.mediaType == "application/pdf" }) {
            tags.append(("citation_pdf_url", SiteURL.documentFileByID(model.id, primary.id).absolute(base: base)))
        }
        tags.append(("citation_abstract_html_url", SiteURL.document(model.id).absolute(base: base)))
        tags += model.languageCodes.filter { $0 != "other" }.map { ("citation_language", $0) }
        if let doi = model.doi { tags.append(("citation_doi", doi)) }
        if let isbn = model.isbn { tags.append(("citation_isbn", isbn)) }
        tags += model.themes.map { ("citation_keywords", $0) }
        return .group(
            .group(tags.map { .meta(.attr("name", $0.0), .attr("content", $0.1)) }),
            .link(.rel(.canonical), .attr("href", SiteURL.document(model.id).absolute(base: base))),
            .element(named: "script", nodes: [.attr("type", "application/ld+json"), .raw(model.jsonLD)])
        )
    }

    // MARK: - View

    static func view(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        if model.status == .withdrawn && !model.canDownload {
            return .element(named: "article", nodes: [
                .class("document tombstone"),
                .h1(.text(model.title)),
                .p(.class("notice warn"), .text(t("documents.withdrawn"))),
                .unwrap(model.withdrawalReason) { .p(.text(t("documents.withdrawnReason", ["reason": $0]))) },
                .p(.text(model.citation.text)),
            ])
        }
        return .element(named: "article", nodes: [
            .class("document"),
            statusPanel(model, context),
            .p(.class("kicker"), .text("\(t(model.kindKey)) · \(model.date)")),
            .h1(.text(model.title)),
            .if(!model.authors.isEmpty, .p(.class("authors"), .text(model.authors.joined(separator: "; ")))),
            .div(
                .class("document-columns"),
                .div(
                    .class("document-main"),
                    .if(!model.abstract.isEmpty, .section(.h2(.text(t("documents.abstract"))), .forEach(model.abstract.components(separatedBy: "\n\n")) { .p(.text($0)) })),
                    filesSection(model, context),
                    citeSection(model, context),
                    .if(!model.events.isEmpty, .section(
                        .h2(.text(t("documents.outcomeOf"))),
                        .ul(.forEach(model.events) { .li(.link(.event($0.id), .text($0.title))) })
                    )),
                    .if(!model.related.isEmpty, .section(
                        .h2(.text(t("documents.related"))),
                        .ul(.forEach(model.related) { .li(.link(.document($0.id), .text($0.title)), .text(" (\($0.date))")) })
                    ))
                ),
                .element(named: "aside", nodes: [.class("document-facts"), .attr("aria-label", t("documents.details")), facts(model, context)])
            ),
        ])
    }

    static func facts(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        .dl(.class("facts"), factRows(model, context))
    }

    static func factRows(_ model: Model, _ context: PageContext) -> Node<HTML.DescriptionListContext> {
        let t = context.t
        func row(_ key: String, _ value: String?) -> Node<HTML.DescriptionListContext> {
            guard let value, !value.isEmpty else { return .empty }
            return .group(.dt(.text(t(key))), .dd(.text(value)))
        }
        return .group(
            row("documents.fact.date", model.date),
            row("documents.fact.kind", t(model.kindKey)),
            row("documents.fact.publisher", model.publisher),
            row("documents.fact.countries", model.countries.joined(separator: ", ")),
            row("documents.fact.themes", model.themes.joined(separator: ", ")),
            row("documents.fact.network", model.network),
            row("documents.fact.languages", model.languages.joined(separator: ", ")),
            row("documents.fact.rights", model.rights),
            .unwrap(model.doi) { doi in .group(.dt(.text("DOI")), .dd(.el("a", .attr("href", "https://doi.org/" + doi), .text(doi)))) },
            row("documents.fact.isbn", model.isbn),
            .unwrap(model.externalURL) { url in .group(.dt(.text(t("documents.fact.link"))), .dd(.el("a", .attr("href", url), .attr("rel", "noopener"), .text(url)))) },
            row("documents.fact.access", t("visibility.\(model.visibility.rawValue)")),
            row("documents.fact.downloads", model.downloads.formatted())
        )
    }

    static func filesSection(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        guard !model.files.isEmpty else { return .empty }
        return .section(
            .h2(.text(t("documents.files"))),
            .ul(.class("files"), .forEach(model.files) { file in
                .li(
                    .link(.documentFileByID(model.id, file.id), .class(file.isPrimary ? "button primary" : "button"), .text(t("documents.download"))),
                    .text(" "),
                    .el("span", .class("file-name"), .text(file.name)),
                    .el("span", .class("file-meta"), .text(" — " + [file.kindLabel, ByteCountFormatter.string(fromByteCount: Int64(file.size), countStyle: .file),
                                                                 file.pages.map { t.plural("documents.pages", $0) } ?? ""].filter { !$0.isEmpty }.joined(separator: ", "))),
                    .if(model.canRetryExtraction || model.canEdit, extractionState(file, model: model, context))
                )
            })
        )
    }

    static func extractionState(_ file: File, model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        switch file.extraction {
        case .done, .notSearchable: return file.extraction == .notSearchable ? .p(.class("hint"), .text(t("documents.extraction.notSearchable"))) : .empty
        case .pending: return .p(.class("hint"), .text(t("documents.extraction.pending")))
        case .scanned, .failed:
            return .div(
                .class("notice warn"),
                .p(.text(t(file.extraction == .scanned ? "documents.extraction.scanned" : "documents.extraction.failed"))),
                .unwrap(file.extractionError) { .p(.class("hint"), .text($0)) },
                .if(model.canRetryExtraction, .form(
                    .action(SiteURL.documentRetryExtraction(model.id, file.id)),
                    .method(.post),
                    Layout.csrfField(context),
                    .button(.type(.submit), .text(t("documents.extraction.retry")))
                ))
            )
        }
    }

    static func citeSection(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        return .section(
            .class("cite"),
            .h2(.text(t("documents.cite"))),
            .p(.class("reference"), .forEach(model.citation.parts) { part in part.italic ? .el("i", .text(part.text)) : .text(part.text) }),
            .p(
                .link(.documentBibTeX(model.id), .text("BibTeX")), .text(" · "),
                .link(.documentRIS(model.id), .text(t("documents.ris")))
            )
        )
    }

    static func statusPanel(_ model: Model, _ context: PageContext) -> Node<HTML.BodyContext> {
        let t = context.t
        let actions = model.canEdit || model.canPublish || model.canReturn || model.canSubmit || model.canWithdraw || model.canSeeHistory
        guard actions || model.status != .published else { return .empty }
        return .div(
            .class("status-panel status-\(model.status.rawValue)"),
            .p(.el("strong", .text(t("documents.status.\(model.status.rawValue)")))),
            .unwrap(model.reviewComment) { .p(.text(t("documents.returnedComment", ["comment": $0]))) },
            .unwrap(model.withdrawalReason) { .p(.text(t("documents.withdrawnReason", ["reason": $0]))) },
            .div(
                .class("actions"),
                .if(model.canEdit, .link(.documentEdit(model.id), .class("button"), .text(t("documents.action.edit")))),
                .if(model.canSeeHistory, .link(.documentHistory(model.id), .class("button"), .text(t("documents.action.history")))),
                .if(model.canSubmit, transitionForm(model, "submit", "documents.action.submit", context)),
                .if(model.canPublish, transitionForm(model, "publish", "documents.action.publishNow", context, primary: true)),
                .if(model.canReturn, transitionForm(model, "return", "documents.action.return", context, comment: "documents.returnComment")),
                .if(model.canWithdraw, transitionForm(model, "withdraw", "documents.action.withdraw", context, comment: "documents.withdrawReason"))
            )
        )
    }

    static func transitionForm(_ model: Model, _ action: String, _ label: String, _ context: PageContext, primary: Bool = false, comment: String? = nil) -> Node<HTML.BodyContext> {
        let t = context.t
        let form: Node<HTML.BodyContext> = .form(
            .class("transition-\(action)"),
            .action(SiteURL.documentTransition(model.id)),
            .method(.post),
            Layout.csrfField(context),
            .unwrap(comment) { key in
                .group(
                    .label(.attr("for", "comment-\(action)"), .text(t(key))),
                    .element(named: "textarea", nodes: [.attr("id", "comment-\(action)"), .attr("name", "comment"), .attr("rows", "2"), .attr("maxlength", "4000"), .flag("required")])
                )
            },
            .button(.type(.submit), .name("action"), .value(action), .class(primary ? "primary" : ""), .text(t(label)))
        )
        // Actions that need a comment open on demand, so the panel stays short.
        guard comment != nil else { return form }
        return .element(named: "details", nodes: [.class("transition"), .el("summary", .text(t(label))), form])
    }
}
