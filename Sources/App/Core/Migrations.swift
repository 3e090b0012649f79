import Fluent
import FluentSQL

// The platform's tables. Each migration is numbered by its place in `configure.swift`, has a
// name that says what it does, and a revert that undoes exactly that.

struct CreateUsers: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(User.schema)
            .id()
            .field("name", .string, .required)
            .field("email", .string, .required)
            .field("password_hash", .string, .required)
            .field("organisation", .string, .required)
            .field("organisation_type", .string, .required)
            .field("country_iso2", .string)
            .field("position", .string, .required)
            .field("motivation", .string, .required)
            .field("language", .string, .required)
            .field("role", .string, .required)
            .field("status", .string, .required)
            .field("email_confirmed_at", .datetime)
            .field("decided_at", .datetime)
            .field("decided_by_id", .uuid)
            .field("decision_reason", .string)
            .field("last_login_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "email")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(User.schema).delete() }
}

struct CreateUserSessions: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(UserSession.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("expires_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(UserSession.schema).delete() }
}

struct CreateAccountTokens: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(AccountToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(AccountToken.schema).delete() }
}

struct CreateLoginAttempts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(LoginAttempt.schema)
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("succeeded", .bool, .required)
            .field("attempted_at", .datetime, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(LoginAttempt.schema).delete() }
}

struct CreateAuditEntries: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(AuditEntry.schema)
            .id()
            .field("event", .string, .required)
            .field("actor_id", .uuid)
            .field("subject_id", .uuid)
            .field("detail", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(AuditEntry.schema).delete() }
}

struct CreateJobs: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Job.schema)
            .id()
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("run_at", .datetime, .required)
            .field("locked_until", .datetime)
            .field("last_error", .string)
            .field("finished_at", .datetime)
            .field("created_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(Job.schema).delete() }
}

struct CreateOutboxMessages: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(OutboxMessage.schema)
            .id()
            .field("to_address", .string, .required)
            .field("to_name", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("last_error", .string)
            .field("sent_at", .datetime)
            .field("created_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(OutboxMessage.schema).delete() }
}

struct CreateCountries: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Country.schema)
            .id()
            .field("iso2", .string, .required)
            .field("iso3", .string, .required)
            .field("m49", .string, .required)
            .field("name", .string, .required)
            .field("status", .string, .required)
            .field("sovereign_state", .string)
            .field("official_languages", .string, .required)
            .field("capital", .string, .required)
            .field("capital_lat", .double, .required)
            .field("capital_lng", .double, .required)
            .field("currency", .string, .required)
            .field("timezone", .string, .required)
            .field("cmc_participant", .bool, .required)
            .field("needs_assessment_2018", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "iso2")
            .unique(on: "iso3")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(Country.schema).delete() }
}

struct CreateThemes: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Theme.schema)
            .id()
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "slug")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(Theme.schema).delete() }
}

struct CreateNetworks: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Network.schema)
            .id()
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("summary", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "slug")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(Network.schema).delete() }
}

struct CreateCountryFocalPoints: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(CountryFocalPoint.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("country_id", .uuid, .required, .references(Country.schema, "id", onDelete: .cascade))
            .field("created_at", .datetime)
            .unique(on: "user_id", "country_id")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(CountryFocalPoint.schema).delete() }
}

struct CreateNetworkMemberships: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(NetworkMembership.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("network_id", .uuid, .required, .references(Network.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "user_id", "network_id")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(NetworkMembership.schema).delete() }
}

/// Indexes the hot look-ups: sessions by user, attempts by time, jobs by state, audit by time.
struct CreateFoundationIndexes: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: String)] = [
        ("idx_user_sessions_user", "user_sessions", "user_id"),
        ("idx_login_attempts_email", "login_attempts", "email, attempted_at"),
        ("idx_login_attempts_address", "login_attempts", "address, attempted_at"),
        ("idx_jobs_due", "jobs", "status, run_at"),
        ("idx_audit_entries_at", "audit_entries", "at"),
        ("idx_users_status", "users", "status, created_at"),
    ]

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for index in Self.indexes {
            try await sql.raw("CREATE INDEX \(unsafeRaw: index.name) ON \(unsafeRaw: index.table) (\(unsafeRaw: index.columns))").run()
        }
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for index in Self.indexes.reversed() {
            try await sql.raw("DROP INDEX \(unsafeRaw: index.name)").run()
        }
    }
}

/// Mail may carry one attachment (an event's .ics with a registration).
struct AddOutboxAttachments: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(OutboxMessage.schema).field("attachment_name", .string).update()
        try await db.schema(OutboxMessage.schema).field("attachment_type", .string).update()
        try await db.schema(OutboxMessage.schema).field("attachment", .sql(unsafeRaw: "TEXT")).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(OutboxMessage.schema).deleteField("attachment").update()
        try await db.schema(OutboxMessage.schema).deleteField("attachment_type").update()
        try await db.schema(OutboxMessage.schema).deleteField("attachment_name").update()
    }
}
