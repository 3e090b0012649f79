import Vapor

extension Request {
    /// Refuses unless the viewer may perform `action` on `item`: visitors are sent to log in,
    /// members get 403. Seeing the item is checked before (hidden items answer 404).
    public func authorize(_ action: ItemAction, _ item: some AccessControlled) throws {
        guard Access.can(viewer, action, item) else {
            if !viewer.isSignedIn { throw SignInRequired(returnTo: url.path) }
            throw Abort(.forbidden, reason: "error.forbidden")
        }
    }
}
