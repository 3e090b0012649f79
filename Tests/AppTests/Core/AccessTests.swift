@testable import App
import Fluent
import Foundation
import Testing

/// A stand-in for the sections' content, to exercise the access rules in SQL.
final class TestItem: AccessControlledModel, @unchecked Sendable {
    static let schema = "test_items"
    static let visibilityField: KeyPath<TestItem, FieldProperty<TestItem, Visibility>> = \.$visibility
    static let ownerField: KeyPath<TestItem, OptionalFieldProperty<TestItem, UUID>> = \.$ownerID
    static let networkField: KeyPath<TestItem, OptionalFieldProperty<TestItem, UUID>> = \.$networkID

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "visibility") var visibility: Visibility
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @OptionalField(key: "network_id") var networkID: UUID?

    var accessVisibility: Visibility { visibility }
    var accessOwnerID: UUID? { ownerID }
    var accessNetworkID: UUID? { networkID }

    init() {}
    init(_ title: String, _ visibility: Visibility, owner: UUID? = nil, network: UUID? = nil) {
        self.title = title
        self.visibility = visibility
        self.ownerID = owner
        self.networkID = network
    }

    struct Migration: AsyncMigration {
        func prepare(on db: any Database) async throws {
            try await db.schema(TestItem.schema).id().field("title", .string, .required).field("visibility", .string, .required)
                .field("owner_id", .uuid).field("network_id", .uuid).create()
        }
        func revert(on db: any Database) async throws { try await db.schema(TestItem.schema).delete() }
    }
}

@Suite("Access control")
struct AccessTests {
    static let owner = UUID()
    static let network = UUID()
    static let otherNetwork = UUID()

    static let items = [
        TestItem("public", .public),
        TestItem("members", .members),
        TestItem("network", .network, network: network),
        TestItem("other network", .network, network: otherNetwork),
        TestItem("draft", .draft, owner: owner),
    ]

    static let viewers: [(String, Viewer, Set<String>)] = [
        ("visitor", .visitor, ["public"]),
        ("member", Viewer(userID: UUID(), role: .member), ["public", "members"]),
        ("network member", Viewer(userID: UUID(), role: .member, networkIDs: [network]), ["public", "members", "network"]),
        ("coordinator", Viewer(userID: UUID(), role: .member, coordinatedNetworkIDs: [network]), ["public", "members", "network"]),
        ("owner", Viewer(userID: owner, role: .member), ["public", "members", "draft"]),
        ("editor", Viewer(userID: UUID(), role: .editor), ["public", "members", "network", "other network", "draft"]),
        ("admin", Viewer(userID: UUID(), role: .admin), ["public", "members", "network", "other network", "draft"]),
    ]

    @Test("One function decides what each viewer may see", arguments: 0..<viewers.count)
    func canView(index: Int) {
        let (_, viewer, visible) = Self.viewers[index]
        let seen = Set(Self.items.filter { Access.canView(viewer, $0) }.map(\.title))
        #expect(seen == visible)
    }

    @Test("The list filter in SQL agrees with canView", arguments: TestDatabase.all)
    func filter(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given
            try await TestItem.Migration().prepare(on: app.db)
            for item in Self.items { try await TestItem(item.title, item.visibility, owner: item.ownerID, network: item.networkID).create(on: app.db) }
            // when / then
            for (name, viewer, visible) in Self.viewers {
                let titles = try await Access.filter(TestItem.query(on: app.db), for: viewer).all().map(\.title)
                #expect(Set(titles) == visible, "\(name)")
            }
            try await TestItem.Migration().revert(on: app.db)
        }
    }

    @Test("Writes: roles decide, visitors can do nothing")
    func actions() {
        let country = UUID()
        let member = Viewer(userID: UUID(), role: .member)
        let focal = Viewer(userID: UUID(), role: .member, focalCountryIDs: [country])
        let coordinator = Viewer(userID: UUID(), role: .member, coordinatedNetworkIDs: [Self.network])
        let editor = Viewer(userID: UUID(), role: .editor)
        let admin = Viewer(userID: UUID(), role: .admin)
        #expect(!Access.can(.visitor, .contribute))
        #expect(Access.can(member, .contribute))
        #expect(!Access.can(member, .reviewMembershipRequests))
        #expect(Access.can(editor, .reviewMembershipRequests))
        #expect(!Access.can(editor, .manageAccounts))
        #expect(!Access.can(editor, .readAuditLog))
        #expect(Access.can(admin, .manageAccounts) && Access.can(admin, .readAuditLog) && Access.can(admin, .readOutbox))
        #expect(Access.can(focal, .editCountry(country)))
        #expect(!Access.can(focal, .editCountry(UUID())))
        #expect(!Access.can(member, .editCountry(country)))
        #expect(Access.can(coordinator, .coordinateNetwork(Self.network)))
        #expect(!Access.can(coordinator, .coordinateNetwork(Self.otherNetwork)))
        #expect(Access.can(editor, .coordinateNetwork(Self.otherNetwork)))
    }
}
