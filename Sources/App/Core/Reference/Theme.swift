import Fluent
import Foundation

/// A thematic area of the CMC (border management, climate change, …) that content is tagged with.
public final class Theme: Model, @unchecked Sendable {
    public static let schema = "themes"
    @ID(key: .id) public var id: UUID?
    @Field(key: "slug") public var slug: String
    /// The English name; other languages come from the catalog (`theme.<slug>`).
    @Field(key: "name") public var name: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    public init(slug: String, name: String) {
        self.slug = slug
        self.name = name
    }
}
