import Fluent
import Vapor

/// `/admin/members`: editors review membership requests; admins change roles and suspend.
struct AdminMembersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.adminMembers(status: nil).route, use: index)
        routes.get(SiteURL.adminMember(":id").route, use: show)
        routes.post(SiteURL.adminMemberDecision(":id").route, use: decide)
        routes.post(SiteURL.adminMemberRoles(":id").route, use: updateRoles)
        routes.post(SiteURL.adminMemberSuspension(":id").route, use: suspension)
    }

    func index(req: Request) async throws -> Response {
        try req.authorize(.reviewMembershipRequests)
        let filter = AdminMembersIndex.Filter(rawValue: req.query[String.self, at: "status"] ?? "") ?? .pending
        let model = try await AdminMembersIndex.query(filter: filter, db: req.db, language: req.language)
        return req.page(title: req.t("admin.members.title")) { AdminMembersIndex.view(model, $0) }
    }

    func show(req: Request) async throws -> Response {
        try req.authorize(.reviewMembershipRequests)
        let user = try await member(req)
        let model = try await AdminMemberShow.query(user: user, db: req.db, language: req.language)
        return req.page(title: user.name) { AdminMemberShow.view(model, $0) }
    }

    func decide(req: Request) async throws -> Response {
        try req.authorize(.reviewMembershipRequests)
        let reviewer = try req.requireUser()
        let user = try await member(req)
        let input = try FormInput.read(req)
        guard let decision = Membership.Decision(rawValue: input["action"]) else { throw Abort(.badRequest, reason: "error.badForm") }
        let reason = input.multiline("reason")
        if let problem = try await Membership.decide(decision, user: user, reason: reason, by: reviewer, app: req.application, db: req.db, now: req.now) {
            var model = try await AdminMembersIndex.query(filter: .pending, db: req.db, language: req.language)
            model.problem = (try user.requireID(), "admin.decision.\(problem)")
            return req.page(.unprocessableEntity, title: req.t("admin.members.title")) { AdminMembersIndex.view(model, $0) }
        }
        return req.redirect(to: .adminMembers(status: nil), notice: decision == .approve ? "notice.approved" : "notice.rejected")
    }

    func updateRoles(req: Request) async throws -> Response {
        try req.authorize(.manageAccounts)
        let admin = try req.requireUser()
        let user = try await member(req)
        guard let body = try? req.content.decode(RolesForm.self), let role = Role(rawValue: body.role) else {
            throw Abort(.badRequest, reason: "error.badForm")
        }
        if user.id == admin.id && role != .admin {
            var model = try await AdminMemberShow.query(user: user, db: req.db, language: req.language)
            model.problem = "admin.roles.notSelf"
            return req.page(.unprocessableEntity, title: user.name) { AdminMemberShow.view(model, $0) }
        }
        let countries = try await Country.query(on: req.db).all()
        let networks = try await Network.query(on: req.db).all()
        let wantedCountries = Set(body.countries ?? [])
        let wantedCoordinated = Set(body.coordinates ?? [])
        let userID = try user.requireID()
        let now = req.now
        try await req.db.transaction { db in
            var changes: [String] = []
            if user.role != role {
                changes.append("role \(user.role.rawValue) → \(role.rawValue)")
                user.role = role
                try await user.save(on: db)
            }
            let existingFocal = try await CountryFocalPoint.query(on: db).filter(\.$user.$id == userID).all()
            for country in countries {
                let id = try country.requireID()
                let has = existingFocal.first { $0.$country.id == id }
                let wants = wantedCountries.contains(country.iso2.lowercased())
                if wants && has == nil {
                    try await CountryFocalPoint(userID: userID, countryID: id).create(on: db)
                    changes.append("focal point of \(country.iso2)")
                } else if !wants, let has {
                    try await has.delete(on: db)
                    changes.append("no longer focal point of \(country.iso2)")
                }
            }
            let existingNetworks = try await NetworkMembership.query(on: db).filter(\.$user.$id == userID).all()
            for network in networks {
                let id = try network.requireID()
                let has = existingNetworks.first { $0.$network.id == id }
                let wants = wantedCoordinated.contains(network.slug)
                if wants, let has, has.kind != .coordinator {
                    has.kind = .coordinator
                    try await has.save(on: db)
                    changes.append("coordinator of \(network.slug)")
                } else if wants && has == nil {
                    try await NetworkMembership(userID: userID, networkID: id, kind: .coordinator).create(on: db)
                    changes.append("coordinator of \(network.slug)")
                } else if !wants, let has, has.kind == .coordinator {
                    has.kind = .member
                    try await has.save(on: db)
                    changes.append("no longer coordinator of \(network.slug)")
                }
            }
            if !changes.isEmpty {
                try await Audit.record(.roleChanged, actor: admin.id, subject: userID, detail: changes.joined(separator: "; "), address: req.clientAddress, on: db, at: now)
            }
        }
        return req.redirect(to: .adminMember(userID.uuidString), notice: "notice.rolesSaved")
    }

    struct RolesForm: Content {
        var role: String
        var countries: [String]?
        var coordinates: [String]?
    }

    func suspension(req: Request) async throws -> Response {
        try req.authorize(.manageAccounts)
        let admin = try req.requireUser()
        let user = try await member(req)
        let input = try FormInput.read(req)
        let userID = try user.requireID()
        let reason = String(input.multiline("reason").prefix(2000))
        switch input["action"] {
        case "suspend":
            guard user.id != admin.id else {
                var model = try await AdminMemberShow.query(user: user, db: req.db, language: req.language)
                model.problem = "admin.suspend.notSelf"
                return req.page(.unprocessableEntity, title: user.name) { AdminMemberShow.view(model, $0) }
            }
            guard user.status == .active else { throw Abort(.conflict, reason: "error.conflict") }
            try await req.db.transaction { db in
                user.status = .suspended
                try await user.save(on: db)
                try await Sessions.endAll(for: userID, on: db)
                try await Audit.record(.suspended, actor: admin.id, subject: userID, detail: reason, address: req.clientAddress, on: db, at: req.now)
            }
            return req.redirect(to: .adminMember(userID.uuidString), notice: "notice.suspended")
        case "reinstate":
            guard user.status == .suspended else { throw Abort(.conflict, reason: "error.conflict") }
            try await req.db.transaction { db in
                user.status = .active
                try await user.save(on: db)
                try await Audit.record(.reinstated, actor: admin.id, subject: userID, detail: reason, address: req.clientAddress, on: db, at: req.now)
            }
            return req.redirect(to: .adminMember(userID.uuidString), notice: "notice.reinstated")
        default:
            throw Abort(.badRequest, reason: "error.badForm")
        }
    }

    private func member(_ req: Request) async throws -> User {
        guard let id = req.parameters.get("id", as: UUID.self), let user = try await User.find(id, on: req.db) else {
            throw Abort(.notFound)
        }
        return user
    }
}
