@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

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
                try await LoginAttempt(email: "guess\(i)@example.org", address: "unknown", succeeded: false, at: now).create(on: app.db)
            }
            let blocked = try await TestBrowser(app).post("/login", [("email", member.email), ("password", Fixtures.password)])
            #expect(blocked.status == .tooManyRequests)
            // failures older than 15 minutes no longer count
            #expect(try await LoginThrottle.begin(email: member.email, address: "unknown", on: app.db, now: now.addingTimeInterval(16 * 60)) != nil)
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

    /// Return targets as an attacker writes them in the query string: browsers drop TAB, CR and LF
    /// from URLs and read a backslash as a slash, so each of these would leave the site.
    static let offSiteReturns = [
        "/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "/%00/evil.example", "/%0b/evil.example", "/%0c/evil.example",
        "%09//evil.example", "/%0d%0a/evil.example", "/%5Cevil.example", "/%5C%5Cevil.example", "/%5C/evil.example",
        "//evil.example", "///evil.example", "/%2f%2fevil.example", "/%252f%252fevil.example", "/%2509/evil.example",
        "https://evil.example", "http:/evil.example", "javascript:alert(1)", "JavaScript%3Aalert(1)", "%20//evil.example",
        "/%20/evil.example", "/%E2%80%AE/evil.example", "/%7F/evil.example", "evil.example", "",
    ]

    @Test("A return target that a browser would read as another site falls back to the home page", arguments: TestDatabase.all)
    func offSiteReturn(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a member and the throttle out of the way (each variant is a new login)
            let member = try await Fixtures.user(app)
            for target in Self.offSiteReturns {
                // when they log in from a link carrying the target
                let browser = TestBrowser(app)
                let form = try await browser.get("/login?return=\(target)")
                let login = try await browser.post("/login?return=\(target)", [("email", member.email), ("password", Fixtures.password)])
                // then they land at home, and the form never carried the target along
                #expect(login.status == .seeOther)
                #expect(login.location == "/", "return=\(target) sent the member to \(login.location ?? "nowhere")")
                #expect(form.text.contains(#"<form id="login-form" action="/login" method="post">"#), "return=\(target) reached the login form")
                // and once signed in, the login page sends them home too
                let again = try await browser.get("/login?return=\(target)")
                #expect(again.location == "/", "signed in, return=\(target) sent them to \(again.location ?? "nowhere")")
                try await LoginAttempt.query(on: app.db).delete()
            }
            // a page of the site, with its query, is still a good place to come back to
            let browser = TestBrowser(app)
            let back = try await browser.post("/login?return=/documents%3Fq%3Dborder%26page%3D2", [("email", member.email), ("password", Fixtures.password)])
            #expect(back.location == "/documents?q=border&page=2")
        }
    }

    @Test("Thirty parallel guesses at one password: at most five are checked, the rest are refused", arguments: TestDatabase.all)
    func throttleRace(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given an account and thirty browsers with a form token each
            let member = try await Fixtures.user(app)
            let first = TestBrowser(app)
            try await first.get("/login")
            let cookies = first.cookies
            // when they all send a wrong password at once
            let statuses = try await withThrowingTaskGroup(of: (HTTPStatus, String).self) { group in
                for i in 0..<30 {
                    group.addTask {
                        let browser = TestBrowser(app)
                        browser.cookies = cookies
                        let response = try await browser.post("/login", [("email", member.email), ("password", "wrong guess number \(i)")])
                        return (response.status, response.text)
                    }
                }
                return try await group.reduce(into: [(HTTPStatus, String)]()) { $0.append($1) }
            }
            // then no more than five passwords were checked (each check is one failed attempt and one audit line)
            let checked = try await LoginAttempt.query(on: app.db).filter(\.$email == member.email).count()
            let audited = try await AuditEntry.query(on: app.db).filter(\.$event == .loginFailed).count()
            #expect(checked <= LoginThrottle.perAccount, "\(checked) passwords checked")
            #expect(audited == checked)
            #expect(statuses.filter { $0.0 == .unauthorized }.count == checked)
            let refused = statuses.filter { $0.0 == .tooManyRequests }
            #expect(refused.count == 30 - checked)
            #expect(refused.allSatisfy { $0.1.contains("wait 15 minutes") })
            // (guesses that all land at once may all be refused: each sees the others' attempts)
            // and once five have been checked, the right password is refused too until the window has passed
            for i in checked..<LoginThrottle.perAccount {
                #expect(try await TestBrowser(app).post("/login", [("email", member.email), ("password", "late guess \(i)")]).status == .unauthorized)
            }
            #expect(try await TestBrowser(app).post("/login", [("email", member.email), ("password", Fixtures.password)]).status == .tooManyRequests)
        }
    }

    @Test("Behind a trusted proxy the address is the one our proxy appended, not one the client wrote", arguments: TestDatabase.all)
    func proxyAddress(database: TestDatabase) async throws {
        try await withApp(database, environment: ["CPMG_TRUST_PROXY": "true"]) { app in
            // given accounts and a client that writes its own X-Forwarded-For before our proxy appends the real address
            let member = try await Fixtures.user(app)
            func login(_ email: String, _ password: String, forwardedFor: [String]) async throws -> TestingHTTPResponse {
                let browser = TestBrowser(app)
                try await browser.get("/login")
                var headers = HTTPHeaders()
                headers.contentType = .urlEncodedForm
                for value in forwardedFor { headers.add(name: "X-Forwarded-For", value: value) }
                headers.replaceOrAdd(name: .cookie, value: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
                let body = TestBrowser.encode([("email", email), ("password", password), ("_csrf", browser.csrfToken ?? "")])
                var result: TestingHTTPResponse?
                try await app.testing().test(.POST, "/login", headers: headers, body: ByteBuffer(string: body)) { result = $0 }
                return result!
            }
            // when the client claims an address of its choosing
            _ = try await login(member.email, "not the password", forwardedFor: ["198.51.100.66, 203.0.113.7"])
            // then the audit log records the address our proxy saw
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$event == .loginFailed).first())
            #expect(entry.address == "203.0.113.7")

            // when it changes the left-most address on every guess
            for i in 0..<(LoginThrottle.perAddress - 1) {
                _ = try await login("nobody\(i)@example.org", "not the password", forwardedFor: ["10.0.0.\(i)", "203.0.113.7"])
            }
            // then the per-address limit still holds, for every account
            #expect(try await login(member.email, Fixtures.password, forwardedFor: ["10.9.9.9, 203.0.113.7"]).status == .tooManyRequests)
            // and another client behind the proxy is not affected
            #expect(try await login(member.email, Fixtures.password, forwardedFor: ["203.0.113.8"]).status == .seeOther)
            // a value that is not an address is not believed
            try await LoginAttempt.query(on: app.db).delete()
            _ = try await login("nobody@example.org", "not the password", forwardedFor: ["203.0.113.7, <script>"])
            let last = try #require(try await AuditEntry.query(on: app.db).filter(\.$event == .loginFailed).sort(\.$at, .descending).first())
            #expect(last.address != "<script>" && last.address != "203.0.113.7")
        }
        // Two proxies of our own (a CDN, then nginx): the client is the second address from the right.
        try await withApp(database, environment: ["CPMG_TRUST_PROXY": "true", "CPMG_PROXY_HOPS": "2"]) { app in
            let request = Request(application: app, method: .GET, url: "/", headers: ["X-Forwarded-For": "6.6.6.6, 198.51.100.9, 10.0.0.1"], on: app.eventLoopGroup.next())
            #expect(request.clientAddress == "198.51.100.9")
            let short = Request(application: app, method: .GET, url: "/", headers: ["X-Forwarded-For": "198.51.100.9"], on: app.eventLoopGroup.next())
            #expect(short.clientAddress != "198.51.100.9")
            let ipv6 = Request(application: app, method: .GET, url: "/", headers: ["X-Forwarded-For": "2001:db8::1, 10.0.0.1"], on: app.eventLoopGroup.next())
            #expect(ipv6.clientAddress == "2001:db8::1")
        }
        // Without a trusted proxy the header is ignored.
        try await withApp(database) { app in
            let request = Request(application: app, method: .GET, url: "/", headers: ["X-Forwarded-For": "198.51.100.9"], on: app.eventLoopGroup.next())
            #expect(request.clientAddress != "198.51.100.9")
        }
    }
}
