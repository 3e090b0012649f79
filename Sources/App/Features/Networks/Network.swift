import Fluent
import Foundation

/// A thematic network of the Caribbean Migration Consultations.
public final class Network: Model, @unchecked Sendable {
    public static let schema = "networks"
    @ID(key: .id) public var id: UUID?
    /// Stable URL name, e.g. "counter-trafficking".
    @Field(key: "slug") public var slug: String
    /// The English name; other languages come from the catalog (`network.<slug>`).
    @Field(key: "name") public var name: String
    @Field(key: "summary") public var summary: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
    public init(slug: String, name: String, summary: String) {
        self.slug = slug
        self.name = name
        self.summary = summary
    }
}
