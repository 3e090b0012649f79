import Fluent
import Foundation

/// The statistics centre's names for the policy's rules about datasets and their versions: each is
/// `Core/Access` applied to a dataset, or to a version seen as an item of its own (`VersionItem`:
/// the dataset's audience, the version's state, its uploader). Controllers and pages call nothing else.
enum StatisticsAccess {
    /// A version as the policy sees it.
    struct VersionItem: AccessControlled {
        let version: StatDatasetVersion
        let dataset: StatDataset
        var accessVisibility: Visibility { dataset.visibility }
        var accessState: ItemState { version.status == .pending ? .pending : .published }
        var accessOwnerID: UUID? { version.$creator.id }
        var accessNetworkID: UUID? { nil }
    }

    /// Editors review members' datasets and versions, and publish them.
    static func mayReview(_ viewer: Viewer) -> Bool {
        Access.can(viewer, .publishContent)
    }

    /// May `viewer` know that this version exists: its line on the dataset page, its file, its
    /// observations (the reviewer's preview) and the changes it proposes. A published (or since
    /// replaced) version: whoever may see the dataset. Any other (waiting for review): the person who
    /// uploaded it and the reviewers only; everyone else gets 404 and no trace.
    static func canView(_ viewer: Viewer, _ version: StatDatasetVersion, of dataset: StatDataset) -> Bool {
        Access.canView(viewer, dataset) && Access.canView(viewer, VersionItem(version: version, dataset: dataset))
    }

    /// `query` (one dataset's versions, the dataset already visible to `viewer`) narrowed in SQL to
    /// the versions `canView` allows.
    static func visibleVersions(_ query: QueryBuilder<StatDatasetVersion>, for viewer: Viewer) -> QueryBuilder<StatDatasetVersion> {
        if mayReview(viewer) { return query }
        return query.group(.or) { or in
            or.filter(\.$status ~~ [StatDatasetVersion.Status.published, .superseded])
            if let user = viewer.userID { or.filter(\.$creator.$id == user) }
        }
    }

    /// May `viewer` add a version to `dataset`: the member who submitted it, and the reviewers.
    static func mayAddVersion(_ viewer: Viewer, to dataset: StatDataset) -> Bool {
        guard let user = viewer.userID, Access.can(viewer, .contribute) else { return false }
        return mayReview(viewer) || dataset.$submitter.id == user
    }

    /// `query` narrowed, in SQL, to the datasets `mayAddVersion` allows.
    static func addable(_ query: QueryBuilder<StatDataset>, for viewer: Viewer) -> QueryBuilder<StatDataset> {
        // Visitors: none.
        guard let user = viewer.userID, Access.can(viewer, .contribute) else { return Access.nothing(query) }
        return mayReview(viewer) ? query : query.filter(\.$submitter.$id == user)
    }

    /// Whether a change to the title, source, licence, visibility … of `dataset` made with a new
    /// version takes effect at once. A published dataset keeps what it shows until a reviewer
    /// publishes the version (a member's choice waits for review with the data); a reviewer's
    /// change is explicit and applies at once; a dataset nobody else sees yet changes at once.
    static func metadataChangeAppliesAtOnce(_ viewer: Viewer, dataset: StatDataset) -> Bool {
        mayReview(viewer) || dataset.status != .published
    }
}
