import Fluent
import Foundation

/// A signed-in browser. Only a hash of the cookie's token is stored, so a copy of the database
/// cannot be replayed as logins.
public final class UserSession: Model, @unchecked Sendable {
    public static let schema = "user_sessions"
    @ID(key: .id) public var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "user_id") public var user: User
    @Field(key: "expires_at") public var expiresAt: Date
    @Field(key: "last_seen_at") public var lastSeenAt: Date
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    init(tokenHash: String, userID: UUID, expiresAt: Date, lastSeenAt: Date) {
        self.tokenHash = tokenHash
        self.$user.id = userID
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
    }
}

/// A single-use token sent by mail: confirming an address or resetting a password.
public final class AccountToken: Model, @unchecked Sendable {
    public static let schema = "account_tokens"

    public enum Purpose: String, Codable, Sendable { case confirmEmail = "confirm_email", resetPassword = "reset_password" }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    @Enum(key: "purpose") public var purpose: Purpose
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "used_at") public var usedAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    init(userID: UUID, purpose: Purpose, tokenHash: String, expiresAt: Date) {
        self.$user.id = userID
        self.purpose = purpose
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}

/// One login attempt, kept for throttling (per account and per address) for a short while.
public final class LoginAttempt: Model, @unchecked Sendable {
    public static let schema = "login_attempts"
    @ID(key: .id) public var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "succeeded") var succeeded: Bool
    @Field(key: "attempted_at") var attemptedAt: Date

    public init() {}
    init(email: String, address: String, succeeded: Bool, at: Date) {
        self.email = email
        self.address = address
        self.succeeded = succeeded
        self.attemptedAt = at
    }
}
