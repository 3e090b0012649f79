import Fluent
import Foundation

/// Who may see an item. Every section's content carries one of these.
public enum Visibility: String, Codable, Sendable, CaseIterable {
    /// Anyone, signed in or not.
    case `public`
    /// Any approved, active member.
    case members
    /// Members of the item's network (and editors).
    case network
    /// The owner and editors only.
    case draft
}

/// Where an item is in its life, whatever its kind calls it. Visibility says for whom an item is
/// meant; the state says whether it is out yet (or still).
public enum ItemState: String, Sendable, CaseIterable {
    /// Its owner's own, not yet sent (or returned to them).
    case draft
    /// Waiting for review by editors or its network's coordinators.
    case pending
    case published
    /// Taken down: a tombstone page for those who could see it, no files, in no list.
    case withdrawn
    /// Called off (events): still shown, marked as cancelled.
    case cancelled
}

/// Platform-wide roles. Country focal points and network coordinators are per-country and
/// per-network assignments held beside the role.
public enum Role: String, Codable, Sendable, CaseIterable {
    case member, editor, admin
}

/// The person behind a request, as far as access is concerned. Only active accounts become a
/// signed-in viewer; anything else is a visitor.
public struct Viewer: Sendable, Equatable {
    public var userID: UUID?
    public var role: Role?
    /// Networks the viewer belongs to, as a member or a coordinator.
    public var networkIDs: Set<UUID>
    public var coordinatedNetworkIDs: Set<UUID>
    public var focalCountryIDs: Set<UUID>

    public static let visitor = Viewer(userID: nil, role: nil, networkIDs: [], coordinatedNetworkIDs: [], focalCountryIDs: [])

    public init(userID: UUID?, role: Role?, networkIDs: Set<UUID> = [], coordinatedNetworkIDs: Set<UUID> = [], focalCountryIDs: Set<UUID> = []) {
        self.userID = userID
        self.role = role
        self.networkIDs = networkIDs.union(coordinatedNetworkIDs)
        self.coordinatedNetworkIDs = coordinatedNetworkIDs
        self.focalCountryIDs = focalCountryIDs
    }

    public var isSignedIn: Bool { userID != nil }
    public var isEditor: Bool { role == .editor || role == .admin }
    public var isAdmin: Bool { role == .admin }
}

/// Anything the policy decides about: its audience, its state, its owner and its network.
public protocol AccessControlled {
    /// For whom the item is meant once it is out.
    var accessVisibility: Visibility { get }
    var accessState: ItemState { get }
    var accessOwnerID: UUID? { get }
    /// The network whose members see a network-only item, and whose coordinators review it.
    var accessNetworkID: UUID? { get }
}

extension AccessControlled {
    public var accessState: ItemState { .published }
}

/// The columns that hold an item's access facts, so that lists are filtered in the database by
/// the same rule `Access.canList` applies to one item.
public struct AccessColumns: Sendable {
    public var visibility: FieldKey
    public var network: FieldKey?
    /// The state column and its raw values in which an item is listed (nil: always listed).
    public var status: FieldKey?
    public var listedStatuses: [String]
    /// The raw value of "waiting for review", for review queues.
    public var pendingStatus: String?

    public init(visibility: FieldKey = "visibility", network: FieldKey? = nil, status: FieldKey? = nil,
                listedStatuses: [String] = [], pendingStatus: String? = nil) {
        self.visibility = visibility
        self.network = network
        self.status = status
        self.listedStatuses = listedStatuses
        self.pendingStatus = pendingStatus
    }
}

/// A Fluent model whose access facts live in columns.
public protocol AccessControlledModel: Model, AccessControlled {
    static var accessColumns: AccessColumns { get }
}

/// Who an item is for, as far as lists go: which visibilities a viewer reaches and in which
/// networks. Lists in SQL, search tags and `canView` all read it, so they cannot disagree.
public struct Audience: Sendable, Equatable {
    /// Editors: everything.
    public var all: Bool
    public var visibilities: [Visibility]
    public var networkIDs: [UUID]

    /// The search index's tags for this audience (nil: no restriction).
    public var searchTags: [String]? {
        if all { return nil }
        return visibilities.map { "vis:\($0.rawValue)" } + networkIDs.map { "net:\($0.uuidString.lowercased())" }
    }

    func reaches(_ visibility: Visibility, network: UUID?) -> Bool {
        if all { return true }
        if visibilities.contains(visibility) { return true }
        if visibility == .network, let network { return networkIDs.contains(network) }
        return false
    }
}

/// Things a viewer may do that are not about one item.
public enum Action: Sendable, Equatable {
    case contribute
    /// Details kept for members: focal points' names, events' online links.
    case seeMemberDetails
    case reviewMembershipRequests
    case manageAccounts
    case readAuditLog
    case readOutbox
    case readMetrics
    /// Statistics releases, extraction retries, and other editorial work.
    case publishContent
    case editCountry(UUID)
    /// Bring back an old revision of a country profile.
    case restoreRevision
    case coordinateNetwork(UUID)
    /// Create events: editors, and coordinators for their networks.
    case createEvent
    /// Organise an event of this network (nil: a regional event): edit it, see attendees, add outcomes.
    case organiseEvent(networkID: UUID?)
    /// Open the review queue: editors, and coordinators for their networks' items.
    case openReviewQueue
    /// Publish a new item straight away, for this network (nil: none) instead of sending it to review.
    case publishDirectly(networkID: UUID?)
}

/// What a viewer may do with one item, in its current state.
public enum ItemAction: Sendable, Equatable {
    /// Open its page (a withdrawn item: its tombstone).
    case view
    /// Fetch its files and data.
    case download
    /// Change its content.
    case edit
    /// Send a draft to review.
    case submit
    /// Publish it (from draft, pending or withdrawn).
    case publish
    /// Send a pending item back to its owner.
    case `return`
    case withdraw
    case seeHistory
}

/// The one place that answers "may this viewer see, list, download, edit, review or publish this
/// item" and "may this viewer do this". Controllers and views name an action; they never look at
/// roles themselves.
public enum Access {
    // MARK: - Audience

    public static func audience(_ viewer: Viewer) -> Audience {
        if viewer.isEditor { return Audience(all: true, visibilities: Visibility.allCases, networkIDs: []) }
        guard viewer.isSignedIn else { return Audience(all: false, visibilities: [.public], networkIDs: []) }
        return Audience(all: false, visibilities: [.public, .members], networkIDs: viewer.networkIDs.sorted { $0.uuidString < $1.uuidString })
    }

    // MARK: - One item

    public static func canView(_ viewer: Viewer, _ item: some AccessControlled) -> Bool {
        if viewer.isEditor { return true }
        if let owner = item.accessOwnerID, owner == viewer.userID { return true }
        switch item.accessState {
        case .draft:
            return false
        case .pending:
            return isCoordinator(viewer, of: item.accessNetworkID)
        case .published, .withdrawn, .cancelled:
            return audience(viewer).reaches(item.accessVisibility, network: item.accessNetworkID)
        }
    }

    /// In lists, feeds, search, sitemaps and calendars: out, and meant for this viewer.
    public static func canList(_ viewer: Viewer, _ item: some AccessControlled) -> Bool {
        guard item.accessState == .published || item.accessState == .cancelled else { return false }
        return audience(viewer).reaches(item.accessVisibility, network: item.accessNetworkID)
    }

    public static func can(_ viewer: Viewer, _ action: ItemAction, _ item: some AccessControlled) -> Bool {
        guard viewer.isSignedIn || action == .view || action == .download else { return false }
        let isOwner = item.accessOwnerID != nil && item.accessOwnerID == viewer.userID
        let reviewer = viewer.isEditor || isCoordinator(viewer, of: item.accessNetworkID)
        switch action {
        case .view:
            return canView(viewer, item)
        case .download:
            return canView(viewer, item) && (item.accessState != .withdrawn || viewer.isEditor)
        case .edit:
            return viewer.isEditor || (isOwner && item.accessState == .draft)
        case .submit:
            return (viewer.isEditor || isOwner) && item.accessState == .draft
        case .publish:
            // A withdrawal is an editorial decision: only editors undo it.
            switch item.accessState {
            case .withdrawn: return viewer.isEditor
            case .draft: return viewer.isEditor || (isOwner && reviewer)
            case .pending: return reviewer
            case .published, .cancelled: return false
            }
        case .return:
            return reviewer && item.accessState == .pending
        case .withdraw:
            return item.accessState == .published && (viewer.isEditor || isOwner)
        case .seeHistory:
            return viewer.isEditor || isOwner
        }
    }

    /// Whether `action` would be allowed were the item in another state: a refusal about timing
    /// (a stale page: 409), not about who asks (403).
    public static func canInSomeState(_ viewer: Viewer, _ action: ItemAction, _ item: some AccessControlled) -> Bool {
        ItemState.allCases.contains { state in
            can(viewer, action, Restated(visibility: item.accessVisibility, state: state, owner: item.accessOwnerID, network: item.accessNetworkID))
        }
    }

    /// An item's access facts with another state.
    private struct Restated: AccessControlled {
        let visibility: Visibility, state: ItemState, owner: UUID?, network: UUID?
        var accessVisibility: Visibility { visibility }
        var accessState: ItemState { state }
        var accessOwnerID: UUID? { owner }
        var accessNetworkID: UUID? { network }
    }

    private static func isCoordinator(_ viewer: Viewer, of network: UUID?) -> Bool {
        network.map { viewer.coordinatedNetworkIDs.contains($0) } ?? false
    }

    // MARK: - Lists, in SQL

    /// Narrows `query` to the rows `canList` allows: listed states, and the viewer's audience.
    @discardableResult
    public static func listed<M: AccessControlledModel>(_ query: QueryBuilder<M>, for viewer: Viewer) -> QueryBuilder<M> {
        let columns = M.accessColumns
        if let status = columns.status {
            query.filter(column(status, M.self), .subset(inverse: false), .array(columns.listedStatuses.map { .bind($0) }))
        }
        return audienceFilter(query, audience(viewer), columns: columns)
    }

    /// Narrows `query` to the items waiting for this viewer's review.
    @discardableResult
    public static func reviewable<M: AccessControlledModel>(_ query: QueryBuilder<M>, for viewer: Viewer) -> QueryBuilder<M> {
        let columns = M.accessColumns
        guard let status = columns.status, let pending = columns.pendingStatus else { return nothing(query) }
        query.filter(column(status, M.self), .equal, .bind(pending))
        if viewer.isEditor { return query }
        guard let network = columns.network, !viewer.coordinatedNetworkIDs.isEmpty else { return nothing(query) }
        return query.filter(column(network, M.self), .subset(inverse: false), .array(viewer.coordinatedNetworkIDs.map { .bind($0) }))
    }

    /// Narrows `query` to no rows (a viewer who may list none of them).
    @discardableResult
    public static func nothing<M: Model>(_ query: QueryBuilder<M>) -> QueryBuilder<M> {
        query.filter(column("id", M.self), .subset(inverse: false), .array([]))
    }

    private static func column<M: Model>(_ key: FieldKey, _: M.Type) -> DatabaseQuery.Field {
        .extendedPath([key], schema: M.schemaOrAlias, space: M.spaceIfNotAliased)
    }

    private static func audienceFilter<M: AccessControlledModel>(_ query: QueryBuilder<M>, _ audience: Audience, columns: AccessColumns) -> QueryBuilder<M> {
        if audience.all { return query }
        let visibility = column(columns.visibility, M.self)
        let plain = DatabaseQuery.Value.array(audience.visibilities.map { .bind($0.rawValue) })
        guard let network = columns.network, !audience.networkIDs.isEmpty else {
            return query.filter(visibility, .subset(inverse: false), plain)
        }
        return query.group(.or) { or in
            or.filter(visibility, .subset(inverse: false), plain)
            or.group(.and) { and in
                and.filter(visibility, .equal, .bind(Visibility.network.rawValue))
                and.filter(column(network, M.self), .subset(inverse: false), .array(audience.networkIDs.map { .bind($0) }))
            }
        }
    }

    // MARK: - Actions

    public static func can(_ viewer: Viewer, _ action: Action) -> Bool {
        guard viewer.isSignedIn else { return false }
        switch action {
        case .contribute, .seeMemberDetails:
            return true
        case .reviewMembershipRequests, .publishContent, .restoreRevision:
            return viewer.isEditor
        case .manageAccounts, .readAuditLog, .readOutbox, .readMetrics:
            return viewer.isAdmin
        case .editCountry(let country):
            return viewer.isEditor || viewer.focalCountryIDs.contains(country)
        case .coordinateNetwork(let network):
            return viewer.isEditor || viewer.coordinatedNetworkIDs.contains(network)
        case .createEvent, .openReviewQueue:
            return viewer.isEditor || !viewer.coordinatedNetworkIDs.isEmpty
        case .organiseEvent(let network), .publishDirectly(let network):
            return viewer.isEditor || isCoordinator(viewer, of: network)
        }
    }
}
