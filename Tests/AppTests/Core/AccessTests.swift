@testable import App
import Fluent
import Foundation
import Testing

/// A stand-in for the sections' content, to exercise the access rules in SQL.
final class TestItem: AccessControlledModel, @unchecked Sendable {
    static let schema = "test_items"
    static let accessColumns = AccessColumns(
        network: "network_id", status: "status", listedStatuses: [ItemState.published.rawValue, ItemState.cancelled.rawValue],
        pendingStatus: ItemState.pending.rawValue
    )

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "visibility") var visibility: Visibility
    @Field(key: "status") var status: String
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @OptionalField(key: "network_id") var networkID: UUID?

    var accessVisibility: Visibility { visibility }
    var accessState: ItemState { ItemState(rawValue: status) ?? .draft }
    var accessOwnerID: UUID? { ownerID }
    var accessNetworkID: UUID? { networkID }

    init() {}
    init(_ title: String, _ visibility: Visibility, _ state: ItemState = .published, owner: UUID? = nil, network: UUID? = nil) {
        self.title = title
        self.visibility = visibility
        self.status = state.rawValue
        self.ownerID = owner
        self.networkID = network
    }

    struct Migration: AsyncMigration {
        func prepare(on db: any Database) async throws {
            try await db.schema(TestItem.schema).id().field("title", .string, .required).field("visibility", .string, .required)
                .field("status", .string, .required).field("owner_id", .uuid).field("network_id", .uuid).create()
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
        TestItem("cancelled members", .members, .cancelled),
        TestItem("own draft", .public, .draft, owner: owner),
        TestItem("own pending in network", .public, .pending, owner: owner, network: network),
        TestItem("pending elsewhere", .public, .pending, owner: UUID(), network: otherNetwork),
        TestItem("withdrawn public", .public, .withdrawn, owner: owner),
        TestItem("withdrawn members", .members, .withdrawn),
    ]

    static let coordinator = Viewer(userID: UUID(), role: .member, coordinatedNetworkIDs: [network])
    static let editor = Viewer(userID: UUID(), role: .editor)

    /// (viewer, what they may open, what they find in lists)
    static let viewers: [(String, Viewer, Set<String>, Set<String>)] = [
        ("visitor", .visitor,
         ["public", "withdrawn public"],
         ["public"]),
        ("member", Viewer(userID: UUID(), role: .member),
         ["public", "members", "cancelled members", "withdrawn public", "withdrawn members"],
         ["public", "members", "cancelled members"]),
        ("network member", Viewer(userID: UUID(), role: .member, networkIDs: [network]),
         ["public", "members", "network", "cancelled members", "withdrawn public", "withdrawn members"],
         ["public", "members", "network", "cancelled members"]),
        ("coordinator", coordinator,
         ["public", "members", "network", "cancelled members", "own pending in network", "withdrawn public", "withdrawn members"],
         ["public", "members", "network", "cancelled members"]),
        ("owner", Viewer(userID: owner, role: .member),
         ["public", "members", "cancelled members", "own draft", "own pending in network", "withdrawn public", "withdrawn members"],
         ["public", "members", "cancelled members"]),
        ("editor", editor, Set(items.map(\.title)),
         ["public", "members", "network", "other network", "cancelled members"]),
        ("admin", Viewer(userID: UUID(), role: .admin), Set(items.map(\.title)),
         ["public", "members", "network", "other network", "cancelled members"]),
    ]

    @Test("One function decides what each viewer may open and find in lists", arguments: 0..<viewers.count)
    func canViewAndList(index: Int) {
        let (_, viewer, opened, listed) = Self.viewers[index]
        #expect(Set(Self.items.filter { Access.canView(viewer, $0) }.map(\.title)) == opened)
        #expect(Set(Self.items.filter { Access.canList(viewer, $0) }.map(\.title)) == listed)
    }

    @Test("Lists filtered in SQL agree with canList; review queues with the review rule", arguments: TestDatabase.all)
    func sql(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given
            try await TestItem.Migration().prepare(on: app.db)
            for item in Self.items {
                try await TestItem(item.title, item.visibility, item.accessState, owner: item.ownerID, network: item.networkID).create(on: app.db)
            }
            // when / then
            for (name, viewer, _, listed) in Self.viewers {
                let titles = try await Access.listed(TestItem.query(on: app.db), for: viewer).all().map(\.title)
                #expect(Set(titles) == listed, "\(name)")
            }
            let coordinatorQueue = try await Access.reviewable(TestItem.query(on: app.db), for: Self.coordinator).all().map(\.title)
            #expect(coordinatorQueue == ["own pending in network"])
            let editorQueue = try await Access.reviewable(TestItem.query(on: app.db), for: Self.editor).all().map(\.title)
            #expect(Set(editorQueue) == ["own pending in network", "pending elsewhere"])
            #expect(try await Access.reviewable(TestItem.query(on: app.db), for: Viewer(userID: UUID(), role: .member)).count() == 0)
            try await TestItem.Migration().revert(on: app.db)
        }
    }

    @Test("Search tags are the audience of the same policy")
    func searchTags() {
        #expect(Access.audience(.visitor).searchTags == ["vis:public"])
        let tags = Access.audience(Viewer(userID: UUID(), role: .member, networkIDs: [Self.network])).searchTags
        #expect(tags == ["vis:public", "vis:members", "net:\(Self.network.uuidString.lowercased())"])
        #expect(Access.audience(Self.editor).searchTags == nil)
    }

    @Test("Item actions follow role, ownership and state")
    func itemActions() {
        let owner = Viewer(userID: Self.owner, role: .member)
        let member = Viewer(userID: UUID(), role: .member)
        let draft = TestItem("d", .public, .draft, owner: Self.owner, network: Self.network)
        let pending = TestItem("p", .public, .pending, owner: UUID(), network: Self.network)
        let published = TestItem("x", .public, .published, owner: Self.owner, network: Self.network)
        let withdrawn = TestItem("w", .public, .withdrawn, owner: Self.owner, network: Self.network)
        // Owners edit and submit their drafts, not what is out.
        #expect(Access.can(owner, .edit, draft) && Access.can(owner, .submit, draft))
        #expect(!Access.can(owner, .edit, published) && !Access.can(owner, .submit, published))
        #expect(!Access.can(member, .edit, draft))
        // Coordinators review their network's pending items; a withdrawal is the editors' to undo.
        #expect(Access.can(Self.coordinator, .publish, pending) && Access.can(Self.coordinator, .return, pending))
        #expect(!Access.can(Self.coordinator, .publish, withdrawn))
        #expect(Access.can(Self.editor, .publish, withdrawn))
        #expect(!Access.can(member, .publish, pending))
        // Owners and editors withdraw published items; files of withdrawn items are for editors.
        #expect(Access.can(owner, .withdraw, published) && !Access.can(member, .withdraw, published))
        #expect(!Access.can(owner, .withdraw, withdrawn))
        #expect(Access.can(.visitor, .view, withdrawn) && !Access.can(.visitor, .download, withdrawn))
        #expect(Access.can(Self.editor, .download, withdrawn))
        #expect(!Access.can(.visitor, .edit, draft) && !Access.can(.visitor, .seeHistory, published))
        #expect(Access.can(owner, .seeHistory, published) && !Access.can(member, .seeHistory, published))
    }

    @Test("Writes: roles decide, visitors can do nothing")
    func actions() {
        let country = UUID()
        let member = Viewer(userID: UUID(), role: .member)
        let focal = Viewer(userID: UUID(), role: .member, focalCountryIDs: [country])
        let admin = Viewer(userID: UUID(), role: .admin)
        #expect(!Access.can(.visitor, .contribute))
        #expect(Access.can(member, .contribute))
        #expect(!Access.can(member, .reviewMembershipRequests))
        #expect(Access.can(Self.editor, .reviewMembershipRequests))
        #expect(!Access.can(Self.editor, .manageAccounts))
        #expect(!Access.can(Self.editor, .readAuditLog))
        #expect(!Access.can(Self.editor, .readMetrics) && Access.can(admin, .readMetrics))
        #expect(Access.can(admin, .manageAccounts) && Access.can(admin, .readAuditLog) && Access.can(admin, .readOutbox))
        #expect(Access.can(focal, .editCountry(country)))
        #expect(!Access.can(focal, .editCountry(UUID())))
        #expect(!Access.can(member, .editCountry(country)))
        #expect(Access.can(Self.coordinator, .coordinateNetwork(Self.network)))
        #expect(!Access.can(Self.coordinator, .coordinateNetwork(Self.otherNetwork)))
        #expect(Access.can(Self.editor, .coordinateNetwork(Self.otherNetwork)))
        #expect(Access.can(Self.coordinator, .publishDirectly(networkID: Self.network)))
        #expect(!Access.can(Self.coordinator, .publishDirectly(networkID: nil)) && !Access.can(Self.coordinator, .publishDirectly(networkID: Self.otherNetwork)))
        #expect(Access.can(Self.coordinator, .createEvent) && !Access.can(member, .createEvent))
        #expect(Access.can(Self.coordinator, .openReviewQueue) && !Access.can(member, .openReviewQueue))
    }
}
