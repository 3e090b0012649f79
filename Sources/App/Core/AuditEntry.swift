import Fluent
import Foundation

/// A line of the audit log: who did what to whom, when. Admins read it at /admin/audit.
public final class AuditEntry: Model, @unchecked Sendable {
    public static let schema = "audit_entries"

    public enum Event: String, Codable, Sendable, CaseIterable {
        case login
        case loginFailed = "login_failed"
        case logout
        case membershipRequested = "membership_requested"
        case emailConfirmed = "email_confirmed"
        case approved
        case rejected
        case roleChanged = "role_changed"
        case suspended
        case reinstated
        case passwordChanged = "password_changed"
        case passwordReset = "password_reset"
        case adminCreated = "admin_created"
        /// Someone asked to join with the address of an existing account.
        case joinAttempted = "join_attempted"
    }

    @ID(key: .id) public var id: UUID?
    @Enum(key: "event") public var event: Event
    @OptionalField(key: "actor_id") public var actorID: UUID?
    @OptionalField(key: "subject_id") public var subjectID: UUID?
    @Field(key: "detail") public var detail: String
    @Field(key: "address") public var address: String
    @Field(key: "at") public var at: Date

    public init() {}
    public init(event: Event, actorID: UUID?, subjectID: UUID?, detail: String = "", address: String = "", at: Date) {
        self.event = event
        self.actorID = actorID
        self.subjectID = subjectID
        self.detail = detail
        self.address = address
        self.at = at
    }
}

public enum Audit {
    public static func record(
        _ event: AuditEntry.Event, actor: UUID?, subject: UUID?, detail: String = "", address: String = "",
        on db: any Database, at: Date = Date()
    ) async throws {
        try await AuditEntry(event: event, actorID: actor, subjectID: subject, detail: detail, address: address, at: at)
            .create(on: db)
    }
}
