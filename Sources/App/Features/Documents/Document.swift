import Fluent
import Foundation

/// A document in the repository: its metadata, its state in review, who may see it.
public final class Document: Model, @unchecked Sendable {
    public static let schema = "documents"

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case report, study, policy, legislation, guideline, training, presentation
        case meetingReport = "meeting_report"
        case factsheet, other
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        /// The submitter's own, not yet sent (or returned to them with a comment).
        case draft
        /// Waiting for an editor or the network's coordinator.
        case pending
        case published
        /// Taken down; its page stays as a tombstone.
        case withdrawn
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "title") public var title: String
    @Field(key: "abstract") public var abstract: String
    /// Authors in order, as JSON (an array of names).
    @Field(key: "authors") public var authorsJSON: String
    @Field(key: "publisher") public var publisher: String
    @Field(key: "pub_year") public var year: Int
    @OptionalField(key: "pub_month") public var month: Int?
    @OptionalField(key: "pub_day") public var day: Int?
    @Enum(key: "kind") public var kind: Kind
    /// ISO 639-1 codes (or "other"), as JSON.
    @Field(key: "languages") public var languagesJSON: String
    /// Concerns the region as a whole rather than (or beside) named countries.
    @Field(key: "regional") public var regional: Bool
    @OptionalParent(key: "network_id") public var network: Network?
    @Field(key: "rights") public var rights: String
    @OptionalField(key: "doi") public var doi: String?
    @OptionalField(key: "isbn") public var isbn: String?
    @OptionalField(key: "external_url") public var externalURL: String?
    @Field(key: "visibility") public var visibility: Visibility
    @Enum(key: "status") public var status: Status
    @Parent(key: "submitted_by_id") public var submitter: User
    @OptionalField(key: "submitted_at") public var submittedAt: Date?
    @OptionalField(key: "published_at") public var publishedAt: Date?
    @OptionalField(key: "review_comment") public var reviewComment: String?
    @OptionalField(key: "withdrawn_at") public var withdrawnAt: Date?
    @OptionalField(key: "withdrawal_reason") public var withdrawalReason: String?
    @Field(key: "download_count") public var downloadCount: Int
    /// It was once published for everyone: harvesters may hold it, so OAI-PMH reports it as
    /// deleted when it is withdrawn or restricted (set by `DocumentExposure`).
    @Field(key: "exposed_publicly") public var exposedPublicly: Bool
    @Siblings(through: DocumentCountry.self, from: \.$document, to: \.$country) public var countries: [Country]
    @Siblings(through: DocumentTheme.self, from: \.$document, to: \.$theme) public var themes: [Theme]
    @Children(for: \.$document) public var files: [DocumentFile]
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {
        exposedPublicly = false
    }

    public var authors: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(authorsJSON.utf8))) ?? [] }
        set { authorsJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

    public var languages: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(languagesJSON.utf8))) ?? [] }
        set { languagesJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

    /// yyyymmdd with unknown parts as zero, for sorting.
    public var dateKey: Int { year * 10_000 + (month ?? 0) * 100 + (day ?? 0) }

    /// ISO 8601 at the precision known: "2018", "2018-04" or "2018-04-26".
    public var isoDate: String {
        var text = String(format: "%04d", year)
        if let month { text += String(format: "-%02d", month) }
        if let month, let day, month > 0 { text += String(format: "-%02d", day) }
        return text
    }
}

extension Document: AccessControlledModel {
    public static let accessColumns = AccessColumns(
        network: "network_id", status: "status", listedStatuses: [Status.published.rawValue], pendingStatus: Status.pending.rawValue
    )
    public var accessVisibility: Visibility { visibility }
    public var accessState: ItemState {
        switch status {
        case .draft: .draft
        case .pending: .pending
        case .published: .published
        case .withdrawn: .withdrawn
        }
    }
    public var accessOwnerID: UUID? { $submitter.id }
    public var accessNetworkID: UUID? { $network.id }
}

public final class DocumentCountry: Model, @unchecked Sendable {
    public static let schema = "document_countries"
    @ID(key: .id) public var id: UUID?
    @Parent(key: "document_id") public var document: Document
    @Parent(key: "country_id") public var country: Country
    public init() {}
}

public final class DocumentTheme: Model, @unchecked Sendable {
    public static let schema = "document_themes"
    @ID(key: .id) public var id: UUID?
    @Parent(key: "document_id") public var document: Document
    @Parent(key: "theme_id") public var theme: Theme
    public init() {}
}

/// A file of a document: stored once in the blob store by its SHA-256, with what extraction found.
public final class DocumentFile: Model, @unchecked Sendable {
    public static let schema = "document_files"

    public enum Extraction: String, Codable, Sendable {
        /// Waiting for the background job.
        case pending
        case done
        /// Not a searchable kind (a spreadsheet, an image, an archive).
        case notSearchable = "not_searchable"
        /// A scanned PDF and no OCR available (or OCR found nothing).
        case scanned
        case failed
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "document_id") public var document: Document
    @Field(key: "sha256") public var sha256: String
    @Field(key: "original_name") public var originalName: String
    /// What the content is (`FileKind` raw value), whatever the name says.
    @Field(key: "kind") public var kind: String
    @Field(key: "media_type") public var mediaType: String
    @Field(key: "size") public var size: Int
    @OptionalField(key: "page_count") public var pageCount: Int?
    @Field(key: "is_primary") public var isPrimary: Bool
    @Field(key: "position") public var position: Int
    @Enum(key: "extraction") public var extraction: Extraction
    @OptionalField(key: "extraction_error") public var extractionError: String?
    @Field(key: "text_length") public var textLength: Int
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// One saved change of a document's metadata: who, when, and each field's before and after.
public final class DocumentRevision: Model, @unchecked Sendable {
    public static let schema = "document_revisions"
    @ID(key: .id) public var id: UUID?
    @Parent(key: "document_id") public var document: Document
    @OptionalField(key: "user_id") public var userID: UUID?
    @Field(key: "action") public var action: String
    /// JSON: [{"field": …, "before": …, "after": …}]
    @Field(key: "changes") public var changesJSON: String
    @Field(key: "at") public var at: Date
    public init() {}
}
