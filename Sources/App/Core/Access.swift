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

/// Anything that carries a visibility. Sections' models conform so that one function decides.
public protocol AccessControlled {
    var accessVisibility: Visibility { get }
    var accessOwnerID: UUID? { get }
    var accessNetworkID: UUID? { get }
    /// Set while the item waits for review by the coordinators of this network.
    var accessReviewNetworkID: UUID? { get }
}

extension AccessControlled {
    public var accessReviewNetworkID: UUID? { nil }
}

/// A Fluent model whose visibility, owner and network live in columns, so lists can be filtered
/// in the database by the same rule `Access.canView` applies to one item.
public protocol AccessControlledModel: Model, AccessControlled {
    static var visibilityField: KeyPath<Self, FieldProperty<Self, Visibility>> { get }
    static var ownerField: KeyPath<Self, OptionalFieldProperty<Self, UUID>> { get }
    static var networkField: KeyPath<Self, OptionalFieldProperty<Self, UUID>> { get }
}

/// Writes and administrative actions, checked through `Access.can`.
public enum Action: Sendable, Equatable {
    case reviewMembershipRequests
    case manageAccounts
    case readAuditLog
    case readOutbox
    case publishContent
    case editCountry(UUID)
    case coordinateNetwork(UUID)
    case contribute
    /// Change an item's content: its owner while it is a draft, editors always.
    case editItem(ownerID: UUID?, ownerMayEdit: Bool)
    /// Publish or return an item in review: editors, and the coordinators of its network.
    case reviewItem(networkID: UUID?)
    /// Bring back an old revision of a country profile: editors.
    case restoreRevision
}

/// The one place that answers "may this viewer see this item" and "may this viewer do this".
public enum Access {
    public static func canView(_ viewer: Viewer, _ item: some AccessControlled) -> Bool {
        if viewer.isEditor { return true }
        if let owner = item.accessOwnerID, owner == viewer.userID { return true }
        if let network = item.accessReviewNetworkID, viewer.coordinatedNetworkIDs.contains(network) { return true }
        switch item.accessVisibility {
        case .public:
            return true
        case .members:
            return viewer.isSignedIn
        case .network:
            guard let network = item.accessNetworkID else { return false }
            return viewer.networkIDs.contains(network)
        case .draft:
            return false
        }
    }

    /// Narrows `query` to the rows `canView` would allow, in SQL.
    public static func filter<M: AccessControlledModel>(_ query: QueryBuilder<M>, for viewer: Viewer) -> QueryBuilder<M> {
        if viewer.isEditor { return query }
        guard let userID = viewer.userID else {
            return query.filter(M.visibilityField == .public)
        }
        let networks = Array(viewer.networkIDs)
        return query.group(.or) { or in
            or.filter(M.visibilityField == .public)
            or.filter(M.visibilityField == .members)
            or.filter(M.ownerField == userID)
            if !networks.isEmpty {
                or.group(.and) { and in
                    and.filter(M.visibilityField == .network)
                    and.filter(M.networkField ~~ networks.map { Optional($0) })
                }
            }
        }
    }

    public static func can(_ viewer: Viewer, _ action: Action) -> Bool {
        guard viewer.isSignedIn else { return false }
        switch action {
        case .contribute:
            return true
        case .reviewMembershipRequests, .publishContent, .restoreRevision:
            return viewer.isEditor
        case .manageAccounts, .readAuditLog, .readOutbox:
            return viewer.isAdmin
        case .editCountry(let country):
            return viewer.isEditor || viewer.focalCountryIDs.contains(country)
        case .coordinateNetwork(let network):
            return viewer.isEditor || viewer.coordinatedNetworkIDs.contains(network)
        case .editItem(let owner, let ownerMayEdit):
            return viewer.isEditor || (ownerMayEdit && owner != nil && owner == viewer.userID)
        case .reviewItem(let network):
            return viewer.isEditor || network.map { viewer.coordinatedNetworkIDs.contains($0) } == true
        }
    }
}
