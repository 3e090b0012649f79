import Fluent
import Foundation
import Vapor

/// `/documents…`: search, upload, the document page, editing, review, downloads.
struct DocumentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.documents(query: []).route, use: index)
        routes.get(SiteURL.documentNew.route, use: newForm)
        routes.on(.POST, SiteURL.documentNew.route, body: .collect(maxSize: "2048mb"), use: create)
        routes.get(SiteURL.documentsMine.route, use: mine)
        routes.get(SiteURL.documentsReview.route, use: review)
        routes.get(SiteURL.document(":id").route, use: show)
        routes.get(SiteURL.documentEdit(":id").route, use: editForm)
        routes.on(.POST, SiteURL.documentEdit(":id").route, body: .collect(maxSize: "2048mb"), use: update)
        routes.post(SiteURL.documentTransition(":id").route, use: transition)
        routes.get(SiteURL.documentFile(":id").route, use: downloadPrimary)
        routes.get(SiteURL.documentFileByID(":id", ":file").route, use: download)
        routes.post(SiteURL.documentRetryExtraction(":id", ":file").route, use: retryExtraction)
        routes.get(SiteURL.documentBibTeX(":id").route, use: bibtex)
        routes.get(SiteURL.documentRIS(":id").route, use: ris)
        routes.get(SiteURL.documentHistory(":id").route, use: history)
    }

    // MARK: - Search

    func index(req: Request) async throws -> Response {
        let snapshot = try await req.application.cpmg.references.get(req.db, now: req.now)
        let references = DocumentLibrary.References.load(from: snapshot)
        let year = Calendar(identifier: .gregorian).component(.year, from: req.now)
        let state = DocumentSearchState(pairs: req.queryPairs, known: DocumentIndex.knownValues(references), currentYear: year)
        let model = try await DocumentIndex.query(
            state: state, viewer: req.viewer, language: req.language, t: req.t,
            candidates: req.application.cpmg.settings.searchCandidates, references: snapshot, db: req.db
        )
        let title = state.q.isEmpty ? req.t("documents.title") : req.t("documents.titleFor", ["query": state.q])
        let feed = SiteURL.documentsFeed(query: state.queryItems { $0.page = 1; $0.sort = .relevance }).path
        return req.page(title: title, current: .documents(query: []), head: .link(.rel(.alternate), .type("application/atom+xml"), .attr("href", feed), .attr("title", req.t("documents.feed")))) {
            DocumentIndex.view(model, $0)
        }
    }

    // MARK: - Upload and edit

    func newForm(req: Request) async throws -> Response {
        try req.authorize(.contribute)
        var form = DocumentForm()
        if let user = req.currentUser, let country = user.countryISO2 { form.countries = [country.lowercased()] }
        form.languages = [req.language.rawValue]
        return try await renderForm(req, form: form, errors: FormErrors(), document: nil)
    }

    func create(req: Request) async throws -> Response {
        try req.authorize(.contribute)
        let user = try req.requireUser()
        let body = try decode(req)
        let form = DocumentForm(body)
        let references = try await DocumentLibrary.References.load(req.application, db: req.db)
        var errors = references.validate(form, now: req.now)
        let uploads = (body.files ?? []).filter { !$0.filename.isEmpty || $0.data.readableBytes > 0 }
        if uploads.isEmpty { errors.add("files", "documents.form.filesRequired") }
        guard errors.isEmpty else { return try await renderForm(req, form: form, errors: errors, document: nil, status: .unprocessableEntity) }

        guard let stored = try await store(uploads, req: req, errors: &errors) else {
            return try await renderForm(req, form: form, errors: errors, document: nil, status: .unprocessableEntity)
        }
        let wantsPublish = body.action != "draft"
        let canPublish = Access.can(req.viewer, .publishDirectly(networkID: references.networks[form.network]?.id))
        let status: Document.Status = !wantsPublish ? .draft : canPublish ? .published : .pending
        let document: Document
        do {
            document = try await DocumentLibrary.create(form, files: stored, status: status, by: user, references: references, app: req.application, db: req.db, now: req.now)
        } catch {
            DocumentLibrary.discard(stored, in: req.application.cpmg.blobs)
            throw error
        }
        try DocumentLibrary.restoreMissing(stored, from: uploads.map { .init(name: $0.filename, data: $0.data) }, in: req.application.cpmg.blobs)
        // Uploaded from an event's outcomes by one of its organisers: attach it there.
        if let eventText = req.query[String.self, at: "event"], let eventID = UUID(uuidString: eventText),
           let event = try await Event.find(eventID, on: req.db), Access.can(req.viewer, .organiseEvent(networkID: event.$network.id)) {
            let outcome = EventOutcome()
            outcome.$event.id = eventID
            outcome.$document.id = try document.requireID()
            outcome.role = .report
            try await outcome.create(on: req.db)
        }
        let duplicate = try await duplicates(of: stored, excluding: document.requireID(), req: req)
        let notice = duplicate ? "notice.documentDuplicate" : status == .published ? "notice.documentPublished" : status == .pending ? "notice.documentSubmitted" : "notice.documentDraft"
        return req.redirect(to: .document(try document.requireID().uuidString), notice: notice)
    }

    /// Whether any stored file was already part of another document.
    private func duplicates(of files: [DocumentLibrary.StoredFile], excluding id: UUID, req: Request) async throws -> Bool {
        let shas = files.filter(\.existed).map(\.sha256)
        guard !shas.isEmpty else { return false }
        return try await DocumentFile.query(on: req.db).filter(\.$sha256 ~~ shas).filter(\.$document.$id != id).count() > 0
    }

    func editForm(req: Request) async throws -> Response {
        let document = try await visibleDocument(req)
        try req.authorize(.edit, document)
        let links = try await DocumentLibrary.links(document, db: req.db)
        let form = DocumentForm(document, countries: links.countries, themes: links.themes, network: links.network)
        return try await renderForm(req, form: form, errors: FormErrors(), document: document)
    }

    func update(req: Request) async throws -> Response {
        let document = try await visibleDocument(req)
        try req.authorize(.edit, document)
        let user = try req.requireUser()
        let body = try decode(req)
        let form = DocumentForm(body)
        let references = try await DocumentLibrary.References.load(req.application, db: req.db)
        var errors = references.validate(form, now: req.now)
        let uploads = (body.files ?? []).filter { !$0.filename.isEmpty || $0.data.readableBytes > 0 }
        guard errors.isEmpty else { return try await renderForm(req, form: form, errors: errors, document: document, status: .unprocessableEntity) }
        guard let stored = try await store(uploads, req: req, errors: &errors) else {
            return try await renderForm(req, form: form, errors: errors, document: document, status: .unprocessableEntity)
        }
        do {
            try await DocumentLibrary.update(document, form: form, newFiles: stored, by: user, references: references, app: req.application, db: req.db, now: req.now)
        } catch {
            DocumentLibrary.discard(stored, in: req.application.cpmg.blobs)
            throw error
        }
        try DocumentLibrary.restoreMissing(stored, from: uploads.map { .init(name: $0.filename, data: $0.data) }, in: req.application.cpmg.blobs)
        return req.redirect(to: .document(try document.requireID().uuidString), notice: "notice.documentSaved")
    }

    /// Stores the uploads in the blob store off the event loop; nil (with the problem at the
    /// files field) when one cannot be stored.
    private func store(_ uploads: [File], req: Request, errors: inout FormErrors) async throws -> [DocumentLibrary.StoredFile]? {
        do {
            return try await req.application.threadPool.runIfActive {
                try DocumentLibrary.store(uploads.map { .init(name: $0.filename, data: $0.data) }, in: req.application.cpmg.blobs)
            }
        } catch let problem as DocumentLibrary.UploadProblem {
            errors.add("files", { if case .empty = problem { "documents.form.fileEmpty" } else { "documents.form.fileUnreadable" } }())
            return nil
        }
    }

    private func decode(_ req: Request) throws -> DocumentForm.Body {
        do { return try req.content.decode(DocumentForm.Body.self) } catch {
            throw Abort(.badRequest, reason: "error.badForm")
        }
    }

    private func renderForm(_ req: Request, form: DocumentForm, errors: FormErrors, document: Document?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let snapshot = try await req.application.cpmg.references.get(req.db, now: req.now)
        let references = DocumentLibrary.References.load(from: snapshot)
        let language = req.language
        let t = req.t
        var files: [String] = []
        if let document {
            files = try await DocumentFile.query(on: req.db).filter(\.$document.$id == document.requireID()).sort(\.$position).all().map(\.originalName)
        }
        let model = DocumentFormPage.Model(
            documentID: try document?.requireID().uuidString, form: form, errors: errors,
            countries: snapshot.countryOptions(language).map { .init(value: $0.code, label: $0.name) },
            themes: references.themes.map { .init(value: $0.key, label: t("theme.\($0.key)")) }.sorted { $0.label.localizedCompare($1.label) == .orderedAscending },
            networks: references.networks.map { .init(value: $0.key, label: t("network.\($0.key)")) }.sorted { $0.label.localizedCompare($1.label) == .orderedAscending },
            canPublish: Access.can(req.viewer, .publishDirectly(networkID: nil)),
            publishNetworks: references.networks.filter { Access.can(req.viewer, .publishDirectly(networkID: $0.value.id)) }.map { t("network.\($0.key)") }.sorted(),
            maxUploadMB: req.application.cpmg.settings.maxUploadBytes / 1_048_576, files: files,
            eventID: document == nil ? req.query[String.self, at: "event"].flatMap { UUID(uuidString: $0)?.uuidString.lowercased() } : nil
        )
        return req.page(status, title: t(document == nil ? "documents.new.title" : "documents.edit.title")) { DocumentFormPage.view(model, $0) }
    }

    // MARK: - Lists

    func mine(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let documents = try await Document.query(on: req.db).filter(\.$submitter.$id == user.requireID()).sort(\.$updatedAt, .descending).limit(500).all()
        let t = req.t
        return req.page(title: t("documents.mine.title")) { context in
            DocumentLists.view(title: t("documents.mine.title"), intro: t("documents.mine.intro"), documents: documents, context: context)
        }
    }

    func review(req: Request) async throws -> Response {
        try req.authorize(.openReviewQueue)
        let documents = try await Access.reviewable(Document.query(on: req.db), for: req.viewer).sort(\.$submittedAt).limit(500).all()
        let failed = Access.can(req.viewer, .publishContent)
            ? try await DocumentFile.query(on: req.db).filter(\.$extraction ~~ [.failed, .scanned]).with(\.$document).sort(\.$createdAt, .descending).limit(200).all()
            : []
        let t = req.t
        return req.page(title: t("documents.review.title")) { context in
            DocumentLists.review(documents: documents, failed: failed, context: context)
        }
    }

    // MARK: - The document page

    /// The document if this viewer may see it; otherwise 404, so nobody learns it exists.
    private func visibleDocument(_ req: Request) async throws -> Document {
        guard let id = req.parameters.get("id", as: UUID.self), let document = try await Document.find(id, on: req.db) else {
            throw Abort(.notFound)
        }
        guard Access.canView(req.viewer, document) else { throw Abort(.notFound) }
        return document
    }

    func show(req: Request) async throws -> Response {
        let document = try await visibleDocument(req)
        let model = try await DocumentShow.query(document, viewer: req.viewer, app: req.application, language: req.language, t: req.t, db: req.db)
        let status: HTTPResponseStatus = document.status == .withdrawn ? .gone : .ok
        return req.page(status, title: document.title, description: String(document.abstract.prefix(300)), head: DocumentShow.head(model, base: req.application.cpmg.settings.publicURL)) {
            DocumentShow.view(model, $0)
        }
    }

    func transition(req: Request) async throws -> Response {
        let document = try await visibleDocument(req)
        let user = try req.requireUser()
        let input = try FormInput.read(req)
        guard let transition = DocumentLibrary.Transition(rawValue: input["action"]) else { throw Abort(.badRequest, reason: "error.badForm") }
        let comment = String(input.multiline("comment").prefix(4000))
        if let problem = try await DocumentLibrary.transition(transition, document: document, comment: comment, viewer: req.viewer, user: user, app: req.application, db: req.db, now: req.now) {
            switch problem {
            case .notAllowed: throw Abort(.forbidden, reason: "error.forbidden")
            case .wrongState: throw Abort(.conflict, reason: "error.conflict")
            case .commentRequired:
                return req.redirect(to: .document(try document.requireID().uuidString), notice: "notice.commentRequired")
            }
        }
        return req.redirect(to: .document(try document.requireID().uuidString), notice: "notice.document.\(transition.rawValue)")
    }

    func retryExtraction(req: Request) async throws -> Response {
        try req.authorize(.publishContent)
        let document = try await visibleDocument(req)
        guard let fileID = req.parameters.get("file", as: UUID.self),
              let file = try await DocumentFile.query(on: req.db).filter(\.$id == fileID).filter(\.$document.$id == document.requireID()).first()
        else { throw Abort(.notFound) }
        try await DocumentFile.query(on: req.db).filter(\.$sha256 == file.sha256).set(\.$extraction, to: .pending).set(\.$extractionError, to: nil).update()
        try await JobQueue.enqueue(ExtractionJob.kind, payload: file.sha256, on: req.db)
        return req.redirect(to: .document(try document.requireID().uuidString), notice: "notice.extractionQueued")
    }

    // MARK: - Files and citations

    func downloadPrimary(req: Request) async throws -> Response {
        let document = try await visibleDocument(req)
        guard Access.can(req.viewer, .download, document),
              let file = try await DocumentFile.query(on: req.db).filter(\.$document.$id == document.requireID()).sort(\.$isPrimary, .descending).sort(\.$position).first()
        else { throw Abort(.notFound) }
        return try await send(file, document: document, req: req)
    }

    func download(req: Request) async throws -> Response {
        let document = try await visibleDocument(req)
        guard Access.can(req.viewer, .download, document),
              let fileID = req.parameters.get("file", as: UUID.self),
              let file = try await DocumentFile.query(on: req.db).filter(\.$id == fileID).filter(\.$document.$id == document.requireID()).first()
        else { throw Abort(.notFound) }
        return try await send(file, document: document, req: req)
    }

    /// Streams the file with its type, original name, an ETag and Range support; counts a
    /// download for a fresh (not resumed, not conditional) request.
    private func send(_ file: DocumentFile, document: Document, req: Request) async throws -> Response {
        let path = req.application.cpmg.blobs.url(for: file.sha256).path
        guard FileManager.default.fileExists(atPath: path) else { throw Abort(.notFound) }
        let media = Self.mediaType(file.mediaType)
        let response = try await FileResponse.stream(req, path: path, mediaType: media)
        response.headers.replaceOrAdd(name: .contentDisposition, value: Self.contentDisposition(file.originalName))
        response.headers.replaceOrAdd(name: .cacheControl, value: document.visibility == .public && document.status == .published ? "public, max-age=86400" : "private, max-age=3600")
        if req.method == .GET, response.status == .ok, req.headers.first(name: .range) == nil {
            try await Document.query(on: req.db).filter(\.$id == document.requireID())
                .set(\.$downloadCount, to: document.downloadCount + 1).update()
        }
        return response
    }

    static func mediaType(_ text: String) -> HTTPMediaType {
        let parts = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let kind = parts.first?.split(separator: "/").map(String.init) ?? []
        guard kind.count == 2 else { return .binary }
        var parameters: [String: String] = [:]
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { parameters[pair[0]] = pair[1] }
        }
        return HTTPMediaType(type: kind[0], subType: kind[1], parameters: parameters)
    }

    /// `attachment` with an ASCII fallback name and the UTF-8 original (RFC 6266 / 5987).
    static func contentDisposition(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 32 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    func bibtex(req: Request) async throws -> Response {
        let document = try await visibleDocument(req)
        let record = try await DocumentCitation.record(document, app: req.application, db: req.db)
        return citationResponse(DocumentCitation.bibtex(record), type: "application/x-bibtex", name: "citation.bib")
    }

    func ris(req: Request) async throws -> Response {
        let document = try await visibleDocument(req)
        let record = try await DocumentCitation.record(document, app: req.application, db: req.db)
        return citationResponse(DocumentCitation.ris(record), type: "application/x-research-info-systems", name: "citation.ris")
    }

    private func citationResponse(_ text: String, type: String, name: String) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "\(type); charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    func history(req: Request) async throws -> Response {
        let document = try await visibleDocument(req)
        try req.authorize(.seeHistory, document)
        let revisions = try await DocumentRevision.query(on: req.db).filter(\.$document.$id == document.requireID()).sort(\.$at, .descending).all()
        let users = Dictionary(try await User.query(on: req.db).filter(\.$id ~~ revisions.compactMap(\.userID)).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let t = req.t
        return req.page(title: t("documents.history.title", ["title": document.title])) { context in
            DocumentLists.history(document: document, revisions: revisions, users: users, context: context)
        }
    }
}
