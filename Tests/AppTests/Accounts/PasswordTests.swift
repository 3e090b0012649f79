@testable import App
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Passwords: change and reset")
struct PasswordTests {
    @Test("Reset by an emailed single-use link; the old password stops working", arguments: TestDatabase.all)
    func reset(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let session = try await Fixtures.login(app, as: member)
            let browser = TestBrowser(app)
            // when
            let ask = try await browser.post("/password/forgot", [("email", "Member@Example.org")])
            #expect(ask.status == .ok)
            let mail = try #require(try await Fixtures.lastMail(app, to: member.email))
            let link = try #require(Fixtures.link(in: mail.body, prefix: "http://cpmg.test/password/reset?token="))
            let token = String(link.split(separator: "=").last!)
            #expect(try await browser.get("/password/reset?token=\(token)").status == .ok)
            let short = try await browser.post("/password/reset", [("token", token), ("password", "too short")])
            #expect(short.status == .unprocessableEntity)
            let done = try await browser.post("/password/reset", [("token", token), ("password", "a brand new passphrase")])
            #expect(done.status == .seeOther)
            // then
            #expect(try await browser.post("/password/reset", [("token", token), ("password", "yet another passphrase")]).status == .gone)
            #expect(try await TestBrowser(app).post("/login", [("email", member.email), ("password", Fixtures.password)]).status == .unauthorized)
            #expect(try await TestBrowser(app).post("/login", [("email", member.email), ("password", "a brand new passphrase")]).status == .seeOther)
            #expect(try await session.get("/account").status == .seeOther, "old sessions end with a reset")
        }
    }

    @Test("Asking for a reset does not tell whether an account exists", arguments: TestDatabase.all)
    func noEnumeration(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let response = try await TestBrowser(app).post("/password/forgot", [("email", "nobody@example.org")])
            #expect(response.status == .ok)
            #expect(response.text.contains("If an active account uses this address"))
            #expect(try await OutboxMessage.query(on: app.db).count() == 0)
        }
    }

    @Test("A reset link expires after an hour", arguments: TestDatabase.all)
    func expiry(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let token = try await Membership.issueToken(.resetPassword, for: member, lifetime: Membership.resetLifetime, db: app.db, now: Date().addingTimeInterval(-3601))
            let response = try await TestBrowser(app).get("/password/reset?token=\(token)")
            #expect(response.status == .gone)
        }
    }

    @Test("Changing the password needs the current one and signs out other browsers", arguments: TestDatabase.all)
    func change(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let phone = try await Fixtures.login(app, as: member)
            let laptop = try await Fixtures.login(app, as: member)
            let wrong = try await laptop.post("/account/password", [("current_password", "not it at all"), ("new_password", "a brand new passphrase")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains("not your current password"))
            let right = try await laptop.post("/account/password", [("current_password", Fixtures.password), ("new_password", "a brand new passphrase")])
            #expect(right.status == .seeOther)
            #expect(try await laptop.get("/account").status == .ok)
            #expect(try await phone.get("/account").status == .seeOther)
            #expect(try await Fixtures.lastMail(app, to: member.email)?.subject.contains("password was changed") == true)
        }
    }

    /// The reset links in a member's mailbox, oldest first, as paths.
    static func resetLinks(_ app: Application, to address: String) async throws -> [String] {
        try await OutboxMessage.query(on: app.db).filter(\.$toAddress == address).sort(\.$createdAt).all()
            .compactMap { Fixtures.link(in: $0.body, prefix: "http://cpmg.test/password/reset?token=") }
            .map { String($0.dropFirst("http://cpmg.test".count)) }
    }

    @Test("A reset spends every reset link of the account, not only the one used", arguments: TestDatabase.all)
    func resetSpendsOlderLinks(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given two reset links in the member's mailbox
            let member = try await Fixtures.user(app)
            let browser = TestBrowser(app)
            try await browser.post("/password/forgot", [("email", member.email)])
            try await browser.post("/password/forgot", [("email", member.email)])
            let links = try await Self.resetLinks(app, to: member.email)
            #expect(links.count == 2)
            // when the newer one is used
            let token = String(links[1].split(separator: "=").last!)
            #expect(try await browser.post("/password/reset", [("token", token), ("password", "a brand new passphrase")]).status == .seeOther)
            // then the older one no longer works, to open or to use
            #expect(try await browser.get(links[0]).status == .gone)
            let older = String(links[0].split(separator: "=").last!)
            #expect(try await browser.post("/password/reset", [("token", older), ("password", "the attacker's passphrase")]).status == .gone)
            #expect(try await TestBrowser(app).post("/login", [("email", member.email), ("password", "a brand new passphrase")]).status == .seeOther)
        }
    }

    @Test("Changing the password on the account page spends outstanding reset links and ends other sessions", arguments: TestDatabase.all)
    func changeSpendsLinks(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a reset link someone asked for, and the member signed in on two browsers
            let member = try await Fixtures.user(app)
            try await TestBrowser(app).post("/password/forgot", [("email", member.email)])
            let link = try #require(try await Self.resetLinks(app, to: member.email).first)
            let phone = try await Fixtures.login(app, as: member)
            let laptop = try await Fixtures.login(app, as: member)
            // when the member changes the password on the laptop
            let change = try await laptop.post("/account/password", [("current_password", Fixtures.password), ("new_password", "a brand new passphrase")])
            #expect(change.status == .seeOther)
            // then the link is spent, the phone is signed out and the laptop stays in
            #expect(try await TestBrowser(app).get(link).status == .gone)
            #expect(try await phone.get("/account").status == .seeOther)
            #expect(try await laptop.get("/account").status == .ok)
            #expect(try await UserSession.query(on: app.db).count() == 1)
        }
    }

    @Test("The same reset link sent twice at once sets one password, not two", arguments: TestDatabase.all)
    func resetRace(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given one reset link
            let member = try await Fixtures.user(app)
            try await TestBrowser(app).post("/password/forgot", [("email", member.email)])
            let link = try #require(try await Self.resetLinks(app, to: member.email).first)
            let token = String(link.split(separator: "=").last!)
            // when two browsers submit it at the same moment with different passwords
            let passwords = ["the first new passphrase", "the second new passphrase"]
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for password in passwords {
                    group.addTask { try await TestBrowser(app).post("/password/reset", [("token", token), ("password", password)]).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // then exactly one went through, and its password is the one that works
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .gone }.count == 1, "\(statuses)")
            var working = 0
            for password in passwords where try await TestBrowser(app).post("/login", [("email", member.email), ("password", password)]).status == .seeOther {
                working += 1
            }
            #expect(working == 1)
        }
    }

    @Test("Signing in comes back to the page asked for, with its query")
    func returnWithQuery() async throws {
        try await withApp(.sqlite) { app in
            let answer = try await TestBrowser(app).get("/documents/mine?page=2")
            #expect(answer.status == .seeOther)
            let location = answer.location ?? ""
            #expect(location.removingPercentEncoding == "/login?return=/documents/mine?page=2", "\(location)")
        }
    }
}
