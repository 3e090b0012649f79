import Fluent
import Foundation

/// The statistics centre's rules about datasets under review and their versions, in one place.
///
/// `Core/Access` decides about a dataset as a whole (`Access.canView`); it does not know yet about a
/// dataset's versions, nor about metadata that waits for review. These functions are written only
/// in terms of what `Access` offers today, so that they can move into `Access` as they are when its
/// status-aware policy lands (the controllers and pages call nothing else).
enum StatisticsAccess {
    /// Editors review members' datasets and versions, and publish them.
    static func mayReview(_ viewer: Viewer) -> Bool {
        Access.can(viewer, .publishContent)
    }

    /// May `viewer` know that this version exists: its line on the dataset page, its file, its
    /// observations (the reviewer's preview) and the changes it proposes. A published (or since
    /// replaced) version: whoever may see the dataset. Any other (waiting for review): the person who
    /// uploaded it and the reviewers only; everyone else gets 404 and no trace.
    static func canView(_ viewer: Viewer, _ version: StatDatasetVersion, of dataset: StatDataset) -> Bool {
        guard Access.canView(viewer, dataset) else { return false }
        switch version.status {
        case .published, .superseded:
            return true
        case .pending:
            return mayReview(viewer) || isUploader(viewer, of: version)
        }
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
        guard let user = viewer.userID, Access.can(viewer, .contribute) else { return query.filter(.sql(unsafeRaw: "1 = 0")) }
        return mayReview(viewer) ? query : query.filter(\.$submitter.$id == user)
    }

    /// Whether a change to the title, source, licence, visibility … of `dataset` made with a new
    /// version takes effect at once. A published dataset keeps what it shows until a reviewer
    /// publishes the version (a member's choice waits for review with the data); a reviewer's
    /// change is explicit and applies at once; a dataset nobody else sees yet changes at once.
    static func metadataChangeAppliesAtOnce(_ viewer: Viewer, dataset: StatDataset) -> Bool {
        mayReview(viewer) || dataset.status != .published
    }

    private static func isUploader(_ viewer: Viewer, of version: StatDatasetVersion) -> Bool {
        guard let user = viewer.userID else { return false }
        return version.$creator.id == user
    }
}
