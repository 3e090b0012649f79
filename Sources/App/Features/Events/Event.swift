import Fluent
import FluentSQL
import Foundation

/// A meeting, workshop, seminar … of the regional calendar.
public final class Event: Model, AccessControlledModel, @unchecked Sendable {
    public static let schema = "events"

    public enum Kind: String, Codable, Sendable, CaseIterable { case meeting, workshop, seminar, conference, training, webinar, consultation }
    public enum Status: String, Codable, Sendable, CaseIterable { case planned, confirmed, postponed, cancelled }

    @ID(key: .id) public var id: UUID?
    /// Stable across edits, for iCalendar UIDs and the seed ("refugee-network-workshop-2017").
    @Field(key: "slug") public var slug: String
    @Field(key: "title") public var title: String
    @Enum(key: "kind") public var kind: Kind
    @Field(key: "description") public var descriptionMarkdown: String
    @Field(key: "all_day") public var allDay: Bool
    /// yyyy-mm-dd in the event's zone: the first and last day (all-day events, and for display).
    @Field(key: "first_day") public var firstDay: String
    @Field(key: "last_day") public var lastDay: String
    /// The instants (timed events; for all-day events the start of the first day and the end of the last, in the zone).
    @Field(key: "starts_at") public var startsAt: Date
    @Field(key: "ends_at") public var endsAt: Date
    /// IANA time zone, the host country's by default.
    @Field(key: "time_zone") public var timeZone: String
    @Field(key: "venue") public var venue: String
    @Field(key: "city") public var city: String
    @OptionalParent(key: "country_id") public var country: Country?
    @Field(key: "online") public var online: Bool
    /// Members only.
    @Field(key: "online_link") public var onlineLink: String
    @Field(key: "organisers") public var organisers: String
    @Field(key: "funders") public var funders: String
    @OptionalParent(key: "network_id") public var network: Network?
    @Field(key: "visibility") public var visibility: Visibility
    @Enum(key: "status") public var status: Status
    @Field(key: "contact") public var contact: String
    @Field(key: "registration_open") public var registrationOpen: Bool
    @OptionalField(key: "capacity") public var capacity: Int?
    @OptionalField(key: "registration_deadline") public var registrationDeadline: Date?
    /// Grows with every change (iCalendar SEQUENCE).
    @Field(key: "sequence") public var sequence: Int
    @OptionalParent(key: "created_by_id") public var creator: User?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    /// Every event is listed, cancelled ones marked as such.
    public static let accessColumns = AccessColumns(network: "network_id")
    public var accessVisibility: Visibility { visibility }
    public var accessState: ItemState { status == .cancelled ? .cancelled : .published }
    public var accessOwnerID: UUID? { nil }
    public var accessNetworkID: UUID? { $network.id }

    var code: String { id?.uuidString.lowercased() ?? "" }
}

public final class EventTheme: Model, @unchecked Sendable {
    public static let schema = "event_themes"
    @ID(key: .id) public var id: UUID?
    @Parent(key: "event_id") public var event: Event
    @Parent(key: "theme_id") public var theme: Theme
    public init() {}
    init(eventID: UUID, themeID: UUID) {
        self.$event.id = eventID
        self.$theme.id = themeID
    }
}

/// A member's place at an event, or on its waiting list.
public final class EventRegistration: Model, @unchecked Sendable {
    public static let schema = "event_registrations"
    public enum Status: String, Codable, Sendable { case registered, waiting, cancelled }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "event_id") public var event: Event
    @Parent(key: "user_id") public var user: User
    @Enum(key: "status") public var status: Status
    /// When they asked (the waiting list moves up in this order).
    @Field(key: "requested_at") public var requestedAt: Date
    @OptionalField(key: "cancelled_at") public var cancelledAt: Date?
    @OptionalField(key: "reminded_at") public var remindedAt: Date?
    public init() {}
}

/// A repository document attached to an event as one of its outcomes.
public final class EventOutcome: Model, @unchecked Sendable {
    public static let schema = "event_outcomes"
    public enum Role: String, Codable, Sendable, CaseIterable { case report, presentation, conclusions, other }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "event_id") public var event: Event
    @Parent(key: "document_id") public var document: Document
    @Enum(key: "role") public var role: Role
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    public init() {}
}

/// The secret in a member's private calendar address; only its SHA-256 is kept.
public final class CalendarToken: Model, @unchecked Sendable {
    public static let schema = "calendar_tokens"
    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    @Field(key: "token_hash") public var tokenHash: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    public init() {}
}

struct CreateEvents: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Event.schema)
            .id()
            .field("slug", .string, .required)
            .field("title", .string, .required)
            .field("kind", .string, .required)
            .field("description", .sql(unsafeRaw: "TEXT"), .required)
            .field("all_day", .bool, .required)
            .field("first_day", .string, .required)
            .field("last_day", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("time_zone", .string, .required)
            .field("venue", .string, .required)
            .field("city", .string, .required)
            .field("country_id", .uuid, .references(Country.schema, .id, onDelete: .setNull))
            .field("online", .bool, .required)
            .field("online_link", .string, .required)
            .field("organisers", .string, .required)
            .field("funders", .string, .required)
            .field("network_id", .uuid, .references(Network.schema, .id, onDelete: .setNull))
            .field("visibility", .string, .required)
            .field("status", .string, .required)
            .field("contact", .string, .required)
            .field("registration_open", .bool, .required)
            .field("capacity", .int)
            .field("registration_deadline", .datetime)
            .field("sequence", .int, .required)
            .field("created_by_id", .uuid, .references(User.schema, .id, onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "slug")
            .create()
        try await db.schema(EventTheme.schema)
            .id()
            .field("event_id", .uuid, .required, .references(Event.schema, .id, onDelete: .cascade))
            .field("theme_id", .uuid, .required, .references(Theme.schema, .id, onDelete: .cascade))
            .unique(on: "event_id", "theme_id")
            .create()
        try await db.schema(EventRegistration.schema)
            .id()
            .field("event_id", .uuid, .required, .references(Event.schema, .id, onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("status", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("cancelled_at", .datetime)
            .field("reminded_at", .datetime)
            .unique(on: "event_id", "user_id")
            .create()
        try await db.schema(EventOutcome.schema)
            .id()
            .field("event_id", .uuid, .required, .references(Event.schema, .id, onDelete: .cascade))
            .field("document_id", .uuid, .required, .references(Document.schema, .id, onDelete: .cascade))
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "event_id", "document_id")
            .create()
        try await db.schema(CalendarToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "user_id")
            .unique(on: "token_hash")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX events_starts_at ON events (starts_at)").run()
    }

    func revert(on db: any Database) async throws {
        for schema in [CalendarToken.schema, EventOutcome.schema, EventRegistration.schema, EventTheme.schema, Event.schema] {
            try await db.schema(schema).delete()
        }
    }
}
