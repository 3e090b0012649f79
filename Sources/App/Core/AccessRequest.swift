import Vapor

extension Request {
    /// Where to come back after signing in: this page with its query (list filters survive).
    var returnPath: String {
        url.path + (url.query.map { "?" + $0 } ?? "")
    }

    /// Refuses unless the viewer may perform `action` on `item`: visitors are sent to log in,
    /// members get 403. Seeing the item is checked before (hidden items answer 404).
    public func authorize(_ action: ItemAction, _ item: some AccessControlled) throws {
        guard Access.can(viewer, action, item) else {
            if !viewer.isSignedIn { throw SignInRequired(returnTo: returnPath) }
            throw Abort(.forbidden, reason: "error.forbidden")
        }
    }
}
