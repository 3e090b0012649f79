import Fluent
import Foundation
import TextExtraction
import Vapor

/// The repository's logic, apart from HTTP: creating documents from uploads, editing with
/// revisions, moving them through review, and keeping the search index in step.
enum DocumentLibrary {
    /// An uploaded file as it arrived.
    struct Upload: Sendable {
        var name: String
        var data: ByteBuffer
    }

    /// The reference lists a form is checked against.
    struct References: Sendable {
        var countries: [String: Country]
        var themes: [String: Theme]
        var networks: [String: Network]

        static func load(_ db: any Database) async throws -> References {
            try await load(from: ReferenceCache(lifetime: 0).get(db))
        }

        static func load(from snapshot: ReferenceCache.Snapshot) -> References {
            References(
                countries: snapshot.countriesByISO2,
                themes: Dictionary(uniqueKeysWithValues: snapshot.themes.map { ($0.slug, $0) }),
                networks: Dictionary(uniqueKeysWithValues: snapshot.networks.map { ($0.slug, $0) })
            )
        }

        /// From the application's cache (pages); `load(_:)` reads the database (commands, tests).
        static func load(_ app: Application, db: any Database) async throws -> References {
            load(from: try await app.cpmg.references.get(db))
        }

        func validate(_ form: DocumentForm, now: Date) -> FormErrors {
            form.validate(countryCodes: Set(countries.keys), themeSlugs: Set(themes.keys), networkSlugs: Set(networks.keys), now: now)
        }
    }

    /// A file stored in the blob store, ready to be attached to a document.
    struct StoredFile: Sendable {
        var name: String
        var kind: FileKind
        var sha256: String
        var size: Int
        /// It was in the store already (the same content uploaded before).
        var existed: Bool
    }

    enum UploadProblem: Error, Equatable {
        case empty(String)
        case unreadable(String)
    }

    /// Writes uploads into the blob store, recognising each by its content. If one fails, the
    /// blobs this call added are removed again, so nothing is left behind.
    static func store(_ uploads: [Upload], in blobs: any BlobStore) throws -> [StoredFile] {
        var stored: [StoredFile] = []
        do {
            for upload in uploads {
                let name = cleanFileName(upload.name)
                guard upload.data.readableBytes > 0 else { throw UploadProblem.empty(name) }
                let temporary = try blobs.temporaryURL()
                guard FileManager.default.createFile(atPath: temporary.path, contents: Data(buffer: upload.data)) else {
                    throw UploadProblem.unreadable(name)
                }
                let kind: FileKind
                do { kind = try FileSniffer.kind(ofFileAt: temporary, fileName: name) } catch {
                    try? FileManager.default.removeItem(at: temporary)
                    throw UploadProblem.empty(name)
                }
                let (sha, size, existed) = try blobs.put(movingFileAt: temporary)
                stored.append(StoredFile(name: name, kind: kind, sha256: sha, size: size, existed: existed))
            }
        } catch {
            discard(stored, in: blobs)
            throw error
        }
        return stored
    }

    /// Writes again any file that was already in the store when uploaded but has gone since: what
    /// held it before (an expired statistics preview of the same bytes) may have removed it while
    /// this upload was on its way to the database. Once the document's rows exist, nothing removes
    /// it, so calling this after they are committed closes the gap.
    static func restoreMissing(_ files: [StoredFile], from uploads: [Upload], in blobs: any BlobStore) throws {
        for (file, upload) in zip(files, uploads) where file.existed && !blobs.contains(file.sha256) {
            _ = try store([upload], in: blobs)
        }
    }

    /// Removes blobs that `store` added, when what they were for did not happen.
    static func discard(_ files: [StoredFile], in blobs: any BlobStore) {
        for file in files where !file.existed {
            try? FileManager.default.removeItem(at: blobs.url(for: file.sha256))
        }
    }

    /// A file name safe to show and to send back: no path, no control characters, not too long.
    static func cleanFileName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = FormText.clean(last)
        return clean.isEmpty ? "file" : String(clean.suffix(200))
    }

    // MARK: - Creating and editing

    /// Creates a document with its files in one transaction; the files must already be stored.
    static func create(
        _ form: DocumentForm, files: [StoredFile], status: Document.Status, by user: User,
        references: References, app: Application, db: any Database, now: Date
    ) async throws -> Document {
        let document = Document()
        form.apply(to: document)
        document.$submitter.id = try user.requireID()
        document.$network.id = form.network.isEmpty ? nil : references.networks[form.network]?.id
        document.status = status
        document.downloadCount = 0
        if status != .draft { document.submittedAt = now }
        if status == .published { document.publishedAt = now }
        try await db.transaction { db in
            try await document.create(on: db)
            let documentID = try document.requireID()
            try await setLinks(document, form: form, references: references, db: db)
            for (position, file) in files.enumerated() {
                try await attach(file, to: documentID, position: position, primary: position == 0, db: db)
            }
            let snapshot = DocumentSnapshot.of(document, countries: form.countries.filter { $0 != "regional" }, themes: form.themes, network: form.network.isEmpty ? nil : form.network)
            try await revision(document, user: user.id, action: "created", changes: DocumentSnapshot.changes(from: [:], to: snapshot), db: db, now: now)
            for file in files where file.kind.isSearchable {
                try await JobQueue.enqueue(ExtractionJob.kind, payload: file.sha256, on: db)
            }
            if status == .published { try await reindex(document, app: app, db: db) }
        }
        return document
    }

    static func attach(_ file: StoredFile, to documentID: UUID, position: Int, primary: Bool, db: any Database) async throws {
        let record = DocumentFile()
        record.$document.id = documentID
        record.sha256 = file.sha256
        record.originalName = file.name
        record.kind = file.kind.rawValue
        record.mediaType = file.kind.mediaType
        record.size = file.size
        record.isPrimary = primary
        record.position = position
        record.extraction = file.kind.isSearchable ? .pending : .notSearchable
        record.textLength = 0
        // The same content extracted before: reuse its result.
        if file.kind.isSearchable, let earlier = try await DocumentFile.query(on: db)
            .filter(\.$sha256 == file.sha256).filter(\.$extraction != .pending).first() {
            record.extraction = earlier.extraction
            record.extractionError = earlier.extractionError
            record.pageCount = earlier.pageCount
            record.textLength = earlier.textLength
        }
        try await record.create(on: db)
    }

    /// Replaces the document's countries and themes with the form's.
    static func setLinks(_ document: Document, form: DocumentForm, references: References, db: any Database) async throws {
        let id = try document.requireID()
        try await DocumentCountry.query(on: db).filter(\.$document.$id == id).delete()
        try await DocumentTheme.query(on: db).filter(\.$document.$id == id).delete()
        for code in Set(form.countries) where code != "regional" {
            guard let country = references.countries[code] else { continue }
            let link = DocumentCountry()
            link.$document.id = id
            link.$country.id = try country.requireID()
            try await link.create(on: db)
        }
        for slug in Set(form.themes) {
            guard let theme = references.themes[slug] else { continue }
            let link = DocumentTheme()
            link.$document.id = id
            link.$theme.id = try theme.requireID()
            try await link.create(on: db)
        }
    }

    /// Saves the form onto an existing document, with a revision of what changed.
    static func update(
        _ document: Document, form: DocumentForm, newFiles: [StoredFile], by user: User,
        references: References, app: Application, db: any Database, now: Date
    ) async throws {
        let before = try await snapshot(document, db: db)
        form.apply(to: document)
        document.$network.id = form.network.isEmpty ? nil : references.networks[form.network]?.id
        try await db.transaction { db in
            try await document.save(on: db)
            try await setLinks(document, form: form, references: references, db: db)
            let documentID = try document.requireID()
            let existing = try await DocumentFile.query(on: db).filter(\.$document.$id == documentID).count()
            for (offset, file) in newFiles.enumerated() {
                try await attach(file, to: documentID, position: existing + offset, primary: existing == 0 && offset == 0, db: db)
                if file.kind.isSearchable { try await JobQueue.enqueue(ExtractionJob.kind, payload: file.sha256, on: db) }
            }
            var changes = DocumentSnapshot.changes(from: before, to: try await snapshot(document, db: db))
            changes += newFiles.map { ["field": "file", "before": "", "after": $0.name] }
            if !changes.isEmpty { try await revision(document, user: user.id, action: "edited", changes: changes, db: db, now: now) }
            try await reindex(document, app: app, db: db)
        }
    }

    /// The document's countries (lower-case alpha-2), theme slugs and network slug.
    static func links(_ document: Document, db: any Database) async throws -> (countries: [String], themes: [String], network: String?) {
        let id = try document.requireID()
        let countries = try await DocumentCountry.query(on: db).filter(\.$document.$id == id).with(\.$country).all().map { $0.country.iso2.lowercased() }
        let themes = try await DocumentTheme.query(on: db).filter(\.$document.$id == id).with(\.$theme).all().map(\.theme.slug)
        let network = try await document.$network.get(on: db)?.slug
        return (countries, themes, network)
    }

    static func snapshot(_ document: Document, db: any Database) async throws -> [String: String] {
        let links = try await links(document, db: db)
        return DocumentSnapshot.of(document, countries: links.countries, themes: links.themes, network: links.network)
    }

    static func revision(_ document: Document, user: UUID?, action: String, changes: [[String: String]], db: any Database, now: Date) async throws {
        let revision = DocumentRevision()
        revision.$document.id = try document.requireID()
        revision.userID = user
        revision.action = action
        revision.changesJSON = String(decoding: try JSONEncoder().encode(changes), as: UTF8.self)
        revision.at = now
        try await revision.create(on: db)
    }

    // MARK: - Review

    enum Transition: String, Sendable {
        case submit, publish, `return`, withdraw
    }

    enum TransitionProblem: Error, Equatable {
        case notAllowed
        case wrongState
        case commentRequired
    }

    /// Moves a document through review, recording it and telling the submitter by mail.
    static func transition(
        _ transition: Transition, document: Document, comment: String, viewer: Viewer, user: User,
        app: Application, db: any Database, now: Date
    ) async throws -> TransitionProblem? {
        let action: ItemAction = switch transition {
        case .submit: .submit
        case .publish: .publish
        case .return: .return
        case .withdraw: .withdraw
        }
        guard Access.can(viewer, action, document) else {
            // Allowed in another state: the page was stale, not the person wrong.
            return Access.canInSomeState(viewer, action, document) ? .wrongState : .notAllowed
        }
        switch transition {
        case .submit:
            document.status = .pending
            document.submittedAt = now
        case .publish:
            document.status = .published
            document.publishedAt = document.publishedAt ?? now
            document.reviewComment = nil
            document.withdrawnAt = nil
            document.withdrawalReason = nil
        case .return:
            guard !comment.isEmpty else { return .commentRequired }
            document.status = .draft
            document.reviewComment = comment
        case .withdraw:
            guard !comment.isEmpty else { return .commentRequired }
            document.status = .withdrawn
            document.withdrawnAt = now
            document.withdrawalReason = comment
        }
        try await db.transaction { db in
            try await document.save(on: db)
            try await revision(document, user: user.id, action: transition.rawValue, changes: comment.isEmpty ? [] : [["field": "comment", "before": "", "after": comment]], db: db, now: now)
            if transition == .publish || transition == .return, document.$submitter.id != user.id {
                let submitter = try await document.$submitter.get(on: db)
                let t = app.cpmg.catalog.localizer(submitter.language)
                let link = SiteURL.document(try document.requireID().uuidString).absolute(base: app.cpmg.settings.publicURL)
                let key = transition == .publish ? "mail.documentPublished" : "mail.documentReturned"
                try await app.cpmg.mailer.send(
                    to: submitter.email, name: submitter.name, subject: t("\(key).subject", ["title": document.title]),
                    body: t("\(key).body", ["name": submitter.name, "title": document.title, "link": link, "comment": comment]), on: db
                )
            }
            try await reindex(document, app: app, db: db)
        }
        return nil
    }

    // MARK: - Search index

    static let section = "documents"

    /// Puts a published document into the search index (with the text of its files), or takes
    /// any other out. Callers run it in the transaction that changes the document, so the index
    /// never disagrees with the tables.
    static func reindex(_ document: Document, app: Application, db: any Database) async throws {
        let index = SearchIndexes.make(for: db)
        let id = try document.requireID()
        guard document.status == .published else {
            try await index.remove(section: section, itemID: id.uuidString, on: db)
            return
        }
        try await index.upsert(try await searchEntry(document, app: app, db: db), on: db)
    }

    static func searchEntry(_ document: Document, app: Application, db: any Database) async throws -> SearchEntry {
        let id = try document.requireID()
        let countries = try await DocumentCountry.query(on: db).filter(\.$document.$id == id).with(\.$country).all().map(\.country)
        let themes = try await DocumentTheme.query(on: db).filter(\.$document.$id == id).with(\.$theme).all().map(\.theme)
        let network = try await document.$network.get(on: db)
        let files = try await DocumentFile.query(on: db).filter(\.$document.$id == id).filter(\.$extraction == .done).sort(\.$position).all()
        var body = ""
        for file in files {
            guard let text = app.cpmg.blobs.text(key: file.sha256) else { continue }
            body += text + "\n\n"
            if body.utf8.count > 2_000_000 { break }
        }
        var tags = [SearchTag("type", document.kind.rawValue), SearchTag("year", String(document.year))]
        tags += countries.map { SearchTag("country", $0.iso2.lowercased()) }
        if document.regional { tags.append(SearchTag("country", "regional")) }
        tags += themes.map { SearchTag("theme", $0.slug) }
        tags += document.languages.map { SearchTag("lang", $0) }
        if let network { tags.append(SearchTag("network", network.slug)) }
        let places = countries.map(\.name).sorted() + (document.regional ? ["Caribbean region"] : [])
        return SearchEntry(
            section: section, itemID: id.uuidString, visibility: document.visibility, networkID: document.$network.id,
            title: document.title, authors: (document.authors + [document.publisher]).joined(separator: "; "),
            abstract: document.abstract, body: body, url: SiteURL.document(id.uuidString).path,
            summary: ([document.isoDate] + places.prefix(3)).joined(separator: " · "), dateKey: document.dateKey, tags: tags
        )
    }
}
