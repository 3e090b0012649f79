import Fluent
import FluentSQL
import Foundation

/// Secrets every instance must share (they sign tokens handed out by one instance and read by
/// another), kept in the database and made once.
enum PlatformSecrets {
    static func oaiKey(on db: any Database) async throws -> [UInt8] {
        Array(try await value("oai_token_key", on: db).utf8)
    }

    static func value(_ name: String, on db: any Database) async throws -> String {
        let sql = db as! any SQLDatabase
        if let row = try await sql.raw("SELECT value FROM platform_secrets WHERE name = \(bind: name)").first() {
            return try row.decode(column: "value", as: String.self)
        }
        let fresh = Secret.make()
        try await sql.raw("INSERT INTO platform_secrets (name, value) VALUES (\(bind: name), \(bind: fresh)) ON CONFLICT (name) DO NOTHING").run()
        return try await sql.raw("SELECT value FROM platform_secrets WHERE name = \(bind: name)").first()!.decode(column: "value", as: String.self)
    }
}

struct CreatePlatformSecrets: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("platform_secrets").field("name", .string, .identifier(auto: false)).field("value", .string, .required).create()
    }
    func revert(on db: any Database) async throws { try await db.schema("platform_secrets").delete() }
}
