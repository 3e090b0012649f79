import Vapor

/// Mounts every feature's routes: the one place to see what the platform answers.
func routes(_ app: Application) throws {
    try app.register(collection: OperationsController())
    try app.register(collection: HomeController())
    try app.register(collection: SearchController())
    try app.register(collection: MembershipController())
    try app.register(collection: SessionController())
    try app.register(collection: AccountController())
    try app.register(collection: AdminMembersController())
    try app.register(collection: AdminRecordsController())
    try app.register(collection: DocumentController())
    try app.register(collection: OAIController())
    try app.register(collection: FeedController())
    try app.register(collection: CountryController())
    try app.register(collection: EventController())
    try app.register(collection: StatisticsController())
    try app.register(collection: StatisticsUploadController())
}
