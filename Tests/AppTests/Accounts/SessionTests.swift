@testable import App
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Login, sessions, CSRF and throttling")
struct SessionTests {
    @Test("Suspended and pending accounts cannot log in; suspension ends open sessions", arguments: TestDatabase.all)
    func suspended(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let admin = try await Fixtures.user(app, email: "admin@example.org", role: .admin)
            let member = try await Fixtures.user(app, email: "member@example.org")
            let pending = try await Fixtures.user(app, email: "pending@example.org", status: .pending)
            let memberBrowser = try await Fixtures.login(app, as: member)
            #expect(try await memberBrowser.get("/account").status == .ok)

            // when an admin suspends the member
            let adminBrowser = try await Fixtures.login(app, as: admin)
            let response = try await adminBrowser.post("/admin/members/\(member.id!.uuidString)/suspension", [("action", "suspend"), ("reason", "Left the ministry")])
            #expect(response.status == .seeOther)

            // then the open session is gone and a new login is refused
            let account = try await memberBrowser.get("/account")
            #expect(account.status == .seeOther)
            #expect(account.location?.hasPrefix("/login") == true)
            let again = try await TestBrowser(app).post("/login", [("email", member.email), ("password", Fixtures.password)])
            #expect(again.status == .forbidden)
            #expect(again.text.contains("suspended"))
            let pendingLogin = try await TestBrowser(app).post("/login", [("email", pending.email), ("password", Fixtures.password)])
            #expect(pendingLogin.status == .forbidden)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$event == .suspended).count() == 1)
        }
    }

    @Test("Login gives a new session id, HttpOnly and SameSite=Lax; logout ends it", arguments: TestDatabase.all)
    func sessionCookie(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let browser = TestBrowser(app)
            browser.cookies[Sessions.cookieName] = "planted-by-an-attacker"
            try await browser.get("/login")
            let csrfBefore = browser.csrfToken
            let response = try await browser.post("/login", [("email", member.email), ("password", Fixtures.password)])
            let header = try #require(response.headers[.setCookie].first { $0.hasPrefix("cpmg_session=") })
            #expect(header.contains("HttpOnly"))
            #expect(header.contains("SameSite=Lax"))
            #expect(!header.contains("Secure"))
            let token = try #require(browser.cookies[Sessions.cookieName])
            #expect(token != "planted-by-an-attacker")
            #expect(browser.csrfToken != csrfBefore)
            // only the hash is stored
            #expect(try await UserSession.query(on: app.db).filter(\.$tokenHash == token).count() == 0)
            #expect(try await UserSession.query(on: app.db).filter(\.$tokenHash == Secret.hash(token)).count() == 1)
            // logout
            let logout = try await browser.post("/logout", [])
            #expect(logout.status == .seeOther)
            #expect(try await UserSession.query(on: app.db).count() == 0)
            #expect(try await browser.get("/account").status == .seeOther)
        }
    }

    @Test("Cookies are Secure when the public address is https", arguments: TestDatabase.all)
    func secureCookies(database: TestDatabase) async throws {
        try await withApp(database, environment: ["CPMG_PUBLIC_URL": "https://cpmg.example.org"]) { app in
            let response = try await TestBrowser(app).get("/")
            let header = try #require(response.headers[.setCookie].first { $0.contains("cpmg_csrf=") })
            #expect(header.hasPrefix("__Host-cpmg_csrf="))
            #expect(header.contains("Secure"))
            #expect(response.headers.first(name: "Strict-Transport-Security") != nil)
        }
    }

    @Test("A POST without or with a wrong CSRF token is refused and changes nothing", arguments: TestDatabase.all)
    func csrf(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let browser = try await Fixtures.login(app, as: member)
            let form: [(String, String)] = [("name", "Changed Name"), ("organisation", "X"), ("organisation_type", "ngo"), ("country", "tt"), ("position", "Y")]
            let missing = try await browser.post("/account", form, csrf: false)
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("This form has expired"))
            let wrong = try await browser.post("/account", form + [("_csrf", "guess")])
            #expect(wrong.status == .forbidden)
            let visitor = try await TestBrowser(app).post("/join", Fixtures.joinForm, csrf: false)
            #expect(visitor.status == .forbidden)
            #expect(try await User.find(member.id, on: app.db)?.name == "Test Member")
            #expect(try await User.query(on: app.db).count() == 1)
            // and with the right token it works
            let right = try await browser.post("/account", form)
            #expect(right.status == .seeOther)
            #expect(try await User.find(member.id, on: app.db)?.name == "Changed Name")
        }
    }

    @Test("Too many failures for one account answer 429, even with the right password", arguments: TestDatabase.all)
    func throttleAccount(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let browser = TestBrowser(app)
            for _ in 1...LoginThrottle.perAccount {
                let response = try await browser.post("/login", [("email", member.email), ("password", "wrong password!")])
                #expect(response.status == .unauthorized)
            }
            let blocked = try await browser.post("/login", [("email", member.email), ("password", Fixtures.password)])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.text.contains("wait 15 minutes"))
            #expect(blocked.headers.first(name: .retryAfter) != nil)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$event == .loginFailed).count() == LoginThrottle.perAccount)
        }
    }

    @Test("Too many failures from one address answer 429 for every account", arguments: TestDatabase.all)
    func throttleAddress(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let now = Date()
            for i in 0..<LoginThrottle.perAddress {
                try await LoginThrottle.record(email: "guess\(i)@example.org", address: "unknown", succeeded: false, on: app.db, now: now)
            }
            let blocked = try await TestBrowser(app).post("/login", [("email", member.email), ("password", Fixtures.password)])
            #expect(blocked.status == .tooManyRequests)
            // failures older than 15 minutes no longer count
            #expect(try await LoginThrottle.isLimited(email: member.email, address: "unknown", on: app.db, now: now.addingTimeInterval(16 * 60)) == false)
        }
    }

    @Test("An unknown address and a wrong password get the same answer", arguments: TestDatabase.all)
    func noEnumeration(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let unknown = try await TestBrowser(app).post("/login", [("email", "nobody@example.org"), ("password", Fixtures.password)])
            let wrong = try await TestBrowser(app).post("/login", [("email", member.email), ("password", "not the password")])
            #expect(unknown.status == wrong.status)
            #expect(unknown.text.contains("is not right") && wrong.text.contains("is not right"))
        }
    }

    @Test("After login the member returns to the page that asked for it, never to another site", arguments: TestDatabase.all)
    func returnTo(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let member = try await Fixtures.user(app)
            let browser = TestBrowser(app)
            let redirect = try await browser.get("/account")
            #expect(redirect.location == "/login?return=/account")
            let login = try await browser.post("/login?return=/account", [("email", member.email), ("password", Fixtures.password)])
            #expect(login.location == "/account")
            let evil = try await TestBrowser(app).post("/login?return=//evil.example", [("email", member.email), ("password", Fixtures.password)])
            #expect(evil.location == "/")
        }
    }
}
