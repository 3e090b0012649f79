import Fluent
import FluentSQL

struct CreateDocuments: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Document.schema)
            .id()
            .field("title", .string, .required)
            .field("abstract", .string, .required)
            .field("authors", .string, .required)
            .field("publisher", .string, .required)
            .field("pub_year", .int, .required)
            .field("pub_month", .int)
            .field("pub_day", .int)
            .field("kind", .string, .required)
            .field("languages", .string, .required)
            .field("regional", .bool, .required)
            .field("network_id", .uuid, .references(Network.schema, "id", onDelete: .setNull))
            .field("rights", .string, .required)
            .field("doi", .string)
            .field("isbn", .string)
            .field("external_url", .string)
            .field("visibility", .string, .required)
            .field("status", .string, .required)
            .field("submitted_by_id", .uuid, .required, .references(User.schema, "id"))
            .field("submitted_at", .datetime)
            .field("published_at", .datetime)
            .field("review_comment", .string)
            .field("withdrawn_at", .datetime)
            .field("withdrawal_reason", .string)
            .field("download_count", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema(DocumentCountry.schema)
            .id()
            .field("document_id", .uuid, .required, .references(Document.schema, "id", onDelete: .cascade))
            .field("country_id", .uuid, .required, .references(Country.schema, "id", onDelete: .cascade))
            .unique(on: "document_id", "country_id")
            .create()
        try await db.schema(DocumentTheme.schema)
            .id()
            .field("document_id", .uuid, .required, .references(Document.schema, "id", onDelete: .cascade))
            .field("theme_id", .uuid, .required, .references(Theme.schema, "id", onDelete: .cascade))
            .unique(on: "document_id", "theme_id")
            .create()
        try await db.schema(DocumentFile.schema)
            .id()
            .field("document_id", .uuid, .required, .references(Document.schema, "id", onDelete: .cascade))
            .field("sha256", .string, .required)
            .field("original_name", .string, .required)
            .field("kind", .string, .required)
            .field("media_type", .string, .required)
            .field("size", .int, .required)
            .field("page_count", .int)
            .field("is_primary", .bool, .required)
            .field("position", .int, .required)
            .field("extraction", .string, .required)
            .field("extraction_error", .string)
            .field("text_length", .int, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema(DocumentRevision.schema)
            .id()
            .field("document_id", .uuid, .required, .references(Document.schema, "id", onDelete: .cascade))
            .field("user_id", .uuid)
            .field("action", .string, .required)
            .field("changes", .string, .required)
            .field("at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_documents_status ON documents (status, published_at)").run()
        try await sql.raw("CREATE INDEX idx_documents_submitter ON documents (submitted_by_id)").run()
        try await sql.raw("CREATE INDEX idx_document_files_sha ON document_files (sha256)").run()
        try await sql.raw("CREATE INDEX idx_document_files_document ON document_files (document_id)").run()
        try await sql.raw("CREATE INDEX idx_document_countries_country ON document_countries (country_id)").run()
        try await sql.raw("CREATE INDEX idx_document_themes_theme ON document_themes (theme_id)").run()
        try await sql.raw("CREATE INDEX idx_document_revisions_document ON document_revisions (document_id, at)").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(DocumentRevision.schema).delete()
        try await db.schema(DocumentFile.schema).delete()
        try await db.schema(DocumentTheme.schema).delete()
        try await db.schema(DocumentCountry.schema).delete()
        try await db.schema(Document.schema).delete()
    }
}

/// 29: remembers which documents were ever public and published, so that OAI-PMH can report them
/// as deleted once they are withdrawn or restricted, and never names one that was not.
struct AddDocumentsExposedPublicly: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Document.schema).field("exposed_publicly", .bool, .required, .sql(.default(false))).update()
        let sql = db as! any SQLDatabase
        try await sql.raw("UPDATE documents SET exposed_publicly = \(bind: true) WHERE visibility = 'public' AND status IN ('published', 'withdrawn')").run()
        try await sql.raw("CREATE INDEX idx_documents_exposed ON documents (exposed_publicly, updated_at)").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP INDEX idx_documents_exposed").run()
        try await db.schema(Document.schema).deleteField("exposed_publicly").update()
    }
}

/// Marks a document as exposed the moment it is saved published and public, whatever code saves it.
struct DocumentExposure: AsyncModelMiddleware {
    func create(model: Document, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        mark(model)
        try await next.create(model, on: db)
    }

    func update(model: Document, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        mark(model)
        try await next.update(model, on: db)
    }

    private func mark(_ document: Document) {
        if document.status == .published && document.visibility == .public { document.exposedPublicly = true }
    }
}
