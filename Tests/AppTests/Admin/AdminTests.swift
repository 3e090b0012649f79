@testable import App
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Administration")
struct AdminTests {
    @Test("Who may open which admin page", arguments: TestDatabase.all)
    func permissions(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "m@example.org"))
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", role: .editor))
            let admin = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "a@example.org", role: .admin))
            let visitor = TestBrowser(app)
            for path in ["/admin/members", "/admin/audit", "/admin/outbox"] {
                #expect(try await visitor.get(path).status == .seeOther, "\(path) visitor")
                #expect(try await member.get(path).status == .forbidden, "\(path) member")
                #expect(try await admin.get(path).status == .ok, "\(path) admin")
            }
            #expect(try await editor.get("/admin/members").status == .ok)
            #expect(try await editor.get("/admin/audit").status == .forbidden)
            #expect(try await editor.get("/admin/outbox").status == .forbidden)
        }
    }

    @Test("Admins change roles and assignments; editors cannot; it is all audited", arguments: TestDatabase.all)
    func roles(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let target = try await Fixtures.user(app, email: "m@example.org")
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "e@example.org", role: .editor))
            let admin = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "a@example.org", role: .admin))
            let path = "/admin/members/\(target.id!.uuidString)/roles"
            let form: [(String, String)] = [("role", "editor"), ("countries[]", "jm"), ("countries[]", "tt"), ("coordinates[]", "counter-trafficking")]
            // an editor is refused and nothing changes
            #expect(try await editor.post(path, form).status == .forbidden)
            #expect(try await User.find(target.id, on: app.db)?.role == .member)
            // an admin changes them
            #expect(try await admin.post(path, form).status == .seeOther)
            #expect(try await User.find(target.id, on: app.db)?.role == .editor)
            let focal = try await CountryFocalPoint.query(on: app.db).filter(\.$user.$id == target.id!).with(\.$country).all().map(\.country.iso2)
            #expect(Set(focal) == ["JM", "TT"])
            let coordinated = try await NetworkMembership.query(on: app.db).filter(\.$user.$id == target.id!).with(\.$network).all()
            #expect(coordinated.map(\.network.slug) == ["counter-trafficking"])
            #expect(coordinated.first?.kind == .coordinator)
            // and the member's viewer carries the assignments
            let browser = try await Fixtures.login(app, as: target)
            let account = try await browser.get("/account")
            #expect(account.text.contains("Jamaica"))
            #expect(account.text.contains("Counter-Trafficking Network (coordinator)"))
            // removing one
            #expect(try await admin.post(path, [("role", "member"), ("countries[]", "jm")]).status == .seeOther)
            #expect(try await CountryFocalPoint.query(on: app.db).filter(\.$user.$id == target.id!).count() == 1)
            #expect(try await NetworkMembership.query(on: app.db).filter(\.$user.$id == target.id!).first()?.kind == .member)
            let audit = try await admin.get("/admin/audit")
            #expect(audit.text.contains("Roles changed"))
            #expect(audit.text.contains("focal point of TT"))
        }
    }

    @Test("An admin cannot demote or suspend themself", arguments: TestDatabase.all)
    func notSelf(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let user = try await Fixtures.user(app, email: "a@example.org", role: .admin)
            let admin = try await Fixtures.login(app, as: user)
            #expect(try await admin.post("/admin/members/\(user.id!.uuidString)/roles", [("role", "member")]).status == .unprocessableEntity)
            #expect(try await admin.post("/admin/members/\(user.id!.uuidString)/suspension", [("action", "suspend")]).status == .unprocessableEntity)
            #expect(try await User.find(user.id, on: app.db)?.role == .admin)
            #expect(try await User.find(user.id, on: app.db)?.status == .active)
        }
    }

    @Test("The outbox shows held mail to admins", arguments: TestDatabase.all)
    func outbox(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let admin = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "a@example.org", role: .admin))
            try await TestBrowser(app).post("/join", Fixtures.joinForm)
            let page = try await admin.get("/admin/outbox")
            #expect(page.status == .ok)
            #expect(page.text.contains("Confirm your email address for CPMG"))
            #expect(page.text.contains("/join/confirm?token="))
            #expect(page.text.contains("No SENDMAIL_PATH is configured"))
        }
    }

    @Test("An unknown member id is a 404 page", arguments: TestDatabase.all)
    func unknownMember(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let admin = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "a@example.org", role: .admin))
            #expect(try await admin.get("/admin/members/\(UUID().uuidString)").status == .notFound)
            #expect(try await admin.get("/admin/members/not-a-uuid").status == .notFound)
        }
    }
}
