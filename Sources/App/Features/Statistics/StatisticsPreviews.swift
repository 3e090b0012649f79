import Fluent
import Foundation
import Vapor

/// A file checked on the upload page ("Check the file") and kept for its import: bound to the
/// member who sent it, found again only by the secret token of their form, removed when imported,
/// cancelled, replaced or expired. The form never names a file by its digest, so nobody can bring
/// someone else's file into their preview.
final class StatUploadPreview: Model, @unchecked Sendable {
    static let schema = "stat_upload_previews"

    @ID(key: .id) var id: UUID?
    /// `Secret.hash` of the token in the form.
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "user_id") var user: User
    @Field(key: "sha256") var sha256: String
    @Field(key: "filename") var filename: String
    @Field(key: "expires_at") var expiresAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

struct CreateStatUploadPreviews: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(StatUploadPreview.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("sha256", .string, .required)
            .field("filename", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on db: any Database) async throws { try await db.schema(StatUploadPreview.schema).delete() }
}

enum StatisticsPreviews {
    /// How long a checked file waits for its import.
    static let lifetime: TimeInterval = 6 * 3600

    /// Keeps `data` for `user`'s next steps; returns the token their form carries.
    static func create(_ data: ByteBuffer, filename: String, user: User, app: Application, db: any Database, now: Date) async throws -> (token: String, preview: StatUploadPreview) {
        let temporary = try app.cpmg.blobs.temporaryURL()
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(buffer: data)) else {
            throw Abort(.internalServerError, reason: "the upload could not be written")
        }
        let stored = try app.cpmg.blobs.put(movingFileAt: temporary)
        let token = Secret.make()
        let preview = StatUploadPreview()
        preview.tokenHash = Secret.hash(token)
        preview.$user.id = try user.requireID()
        preview.sha256 = stored.sha256
        preview.filename = filename
        preview.expiresAt = now.addingTimeInterval(lifetime)
        do {
            try await preview.create(on: db)
            try await StatisticsPreviewExpiry.enqueue(at: preview.expiresAt, db: db)
        } catch {
            await removeBlobIfUnused(stored.sha256, app: app, db: db)
            throw error
        }
        return (token, preview)
    }

    /// The preview of `token`, when it is `user`'s and has not expired; nil otherwise (whoever else
    /// holds the token, or a digest, learns nothing).
    static func find(_ token: String, user: User, db: any Database, now: Date) async throws -> StatUploadPreview? {
        guard !token.isEmpty, token.count <= 100, let userID = user.id else { return nil }
        return try await StatUploadPreview.query(on: db).filter(\.$tokenHash == Secret.hash(token)).filter(\.$user.$id == userID)
            .filter(\.$expiresAt > now).first()
    }

    /// Forgets a preview and removes its file unless something else holds the same content.
    static func discard(_ preview: StatUploadPreview, app: Application, db: any Database) async throws {
        try await preview.delete(on: db)
        await removeBlobIfUnused(preview.sha256, app: app, db: db)
    }

    /// Discards every expired preview; returns how many.
    @discardableResult
    static func purgeExpired(app: Application, db: any Database, now: Date) async throws -> Int {
        let expired = try await StatUploadPreview.query(on: db).filter(\.$expiresAt <= now).all()
        for preview in expired { try await discard(preview, app: app, db: db) }
        return expired.count
    }

    /// Removes a blob that no document file, dataset version or other preview refers to.
    static func removeBlobIfUnused(_ sha256: String, app: Application, db: any Database) async {
        do {
            if try await StatUploadPreview.query(on: db).filter(\.$sha256 == sha256).count() > 0 { return }
            if try await StatDatasetVersion.query(on: db).filter(\.$sha256 == sha256).count() > 0 { return }
            if try await DocumentFile.query(on: db).filter(\.$sha256 == sha256).count() > 0 { return }
            try? FileManager.default.removeItem(at: app.cpmg.blobs.url(for: sha256))
        } catch {
            app.logger.warning("could not check whether a checked upload is still used", metadata: ["sha256": "\(sha256)", "error": "\(error)"])
        }
    }
}

/// Removes checked uploads that were never imported nor cancelled, once they expire. One job is
/// queued for each preview's expiry; each run removes every preview expired by then.
struct StatisticsPreviewExpiry: JobHandler {
    static let kind = "statistics.previews.expire"

    func run(payload: String, app: Application) async throws {
        try await StatisticsPreviews.purgeExpired(app: app, db: app.db, now: app.cpmg.now())
    }

    static func enqueue(at date: Date, db: any Database) async throws {
        try await JobQueue.enqueue(kind, payload: "", on: db, at: date)
    }
}
