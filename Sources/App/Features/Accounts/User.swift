import Fluent
import Foundation

/// A person with an account: an applicant until an editor approves them, then a member.
public final class User: Model, @unchecked Sendable {
    public static let schema = "users"

    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Asked to join; waits for an editor (and for their email address to be confirmed).
        case pending
        case active
        case rejected
        case suspended
    }

    public enum OrganisationType: String, Codable, Sendable, CaseIterable {
        case government
        case regionalOrganisation = "regional"
        case unAgency = "un_agency"
        case ngo
        case academia
        case other
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    /// Always stored lower-cased and trimmed so that one address is one account.
    @Field(key: "email") public var email: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "organisation") public var organisation: String
    @Enum(key: "organisation_type") public var organisationType: OrganisationType
    @OptionalField(key: "country_iso2") public var countryISO2: String?
    @Field(key: "position") public var position: String
    @Field(key: "motivation") public var motivation: String
    /// The interface language they used when joining; their mail is written in it.
    @Enum(key: "language") public var language: Language
    @Enum(key: "role") public var role: Role
    @Enum(key: "status") public var status: Status
    @OptionalField(key: "email_confirmed_at") public var emailConfirmedAt: Date?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    @OptionalField(key: "decided_by_id") public var decidedByID: UUID?
    @OptionalField(key: "decision_reason") public var decisionReason: String?
    @OptionalField(key: "last_login_at") public var lastLoginAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public init(
        id: UUID? = nil, name: String, email: String, passwordHash: String, organisation: String,
        organisationType: OrganisationType, countryISO2: String?, position: String, motivation: String,
        role: Role = .member, status: Status = .pending
    ) {
        self.id = id
        self.name = name
        self.email = User.normalise(email: email)
        self.passwordHash = passwordHash
        self.organisation = organisation
        self.organisationType = organisationType
        self.countryISO2 = countryISO2
        self.position = position
        self.motivation = motivation
        self.language = .en
        self.role = role
        self.status = status
    }

    public static func normalise(email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

/// Assigns a member as focal point of a country: they keep that country's profile current.
public final class CountryFocalPoint: Model, @unchecked Sendable {
    public static let schema = "country_focal_points"
    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    @Parent(key: "country_id") public var country: Country
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    public init(userID: UUID, countryID: UUID) {
        self.$user.id = userID
        self.$country.id = countryID
    }
}

/// A member's place in a thematic network, as a member or as its coordinator.
public final class NetworkMembership: Model, @unchecked Sendable {
    public static let schema = "network_memberships"

    public enum Kind: String, Codable, Sendable, CaseIterable { case member, coordinator }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    @Parent(key: "network_id") public var network: Network
    @Enum(key: "kind") public var kind: Kind
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    public init(userID: UUID, networkID: UUID, kind: Kind) {
        self.$user.id = userID
        self.$network.id = networkID
        self.kind = kind
    }
}
