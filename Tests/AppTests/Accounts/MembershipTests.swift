@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Membership: request, confirm, approve")
struct MembershipTests {
    @Test("The whole approval flow: nobody gets member rights before approval", arguments: TestDatabase.all)
    func approvalFlow(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, email: "editor@example.org", name: "Eda Editor", role: .editor)
            let applicant = TestBrowser(app)

            // given a membership request
            let join = try await applicant.post("/join", Fixtures.joinForm)
            #expect(join.status == .seeOther)
            #expect(join.location == "/join/sent")
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "maria.lopez@example.gov.jm").first())
            #expect(user.status == .pending)
            #expect(user.emailConfirmedAt == nil)
            #expect(user.countryISO2 == "JM")
            #expect(user.passwordHash != "a long enough password")

            // then she cannot log in before confirming
            var login = try await applicant.post("/login", [("email", user.email), ("password", "a long enough password")])
            #expect(login.status == .forbidden)
            #expect(login.text.contains("confirm your email address"))

            // when she opens the emailed link
            let mail = try #require(try await Fixtures.lastMail(app, to: user.email))
            #expect(mail.subject.contains("Confirm"))
            let link = try #require(Fixtures.link(in: mail.body, prefix: "http://cpmg.test/join/confirm?token="))
            let confirm = try await applicant.get(String(link.dropFirst("http://cpmg.test".count)))
            #expect(confirm.location == "/join/confirmed")
            let confirmed = try #require(try await User.find(user.id, on: app.db))
            #expect(confirmed.emailConfirmedAt != nil)
            #expect(try await Fixtures.lastMail(app, to: editor.email)?.subject.contains("membership request") == true)

            // then she still cannot log in: approval pending
            login = try await applicant.post("/login", [("email", user.email), ("password", "a long enough password")])
            #expect(login.status == .forbidden)
            #expect(login.text.contains("waiting for the secretariat"))
            #expect(!login.text.contains("logout-form"))

            // when an editor approves
            let reviewer = try await Fixtures.login(app, as: editor)
            let list = try await reviewer.get("/admin/members")
            #expect(list.status == .ok)
            #expect(list.text.contains(#"data-email="maria.lopez@example.gov.jm""#))
            let approve = try await reviewer.post("/admin/members/\(user.id!.uuidString)/decision", [("action", "approve")])
            #expect(approve.status == .seeOther)

            // then she is told, and can log in
            let approved = try #require(try await User.find(user.id, on: app.db))
            #expect(approved.status == .active)
            #expect(approved.decidedByID == editor.id)
            #expect(try await Fixtures.lastMail(app, to: user.email)?.subject.contains("approved") == true)
            login = try await applicant.post("/login", [("email", user.email), ("password", "a long enough password")])
            #expect(login.status == .seeOther)
            let account = try await applicant.get("/account")
            #expect(account.status == .ok)
            #expect(account.text.contains("María López"))
            #expect(account.text.contains("logout-form"))

            // and the audit log has the story
            let events = try await AuditEntry.query(on: app.db).filter(\.$subjectID == user.id).all().map(\.event)
            #expect(Set(events).isSuperset(of: [.membershipRequested, .emailConfirmed, .approved, .login]))
        }
    }

    @Test("A rejection needs a reason, is mailed, and the account cannot log in", arguments: TestDatabase.all)
    func rejection(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, email: "editor@example.org", role: .editor)
            let applicant = try await Fixtures.user(app, email: "applicant@example.org", status: .pending)
            let reviewer = try await Fixtures.login(app, as: editor)
            // when rejected without a reason
            var response = try await reviewer.post("/admin/members/\(applicant.id!.uuidString)/decision", [("action", "reject"), ("reason", "")])
            #expect(response.status == .unprocessableEntity)
            #expect(try await User.find(applicant.id, on: app.db)?.status == .pending)
            // when rejected with a reason
            response = try await reviewer.post("/admin/members/\(applicant.id!.uuidString)/decision", [("action", "reject"), ("reason", "Not working on migration.")])
            #expect(response.status == .seeOther)
            #expect(try await User.find(applicant.id, on: app.db)?.status == .rejected)
            #expect(try await Fixtures.lastMail(app, to: applicant.email)?.body.contains("Not working on migration.") == true)
            // then
            let browser = TestBrowser(app)
            let login = try await browser.post("/login", [("email", applicant.email), ("password", Fixtures.password)])
            #expect(login.status == .forbidden)
            #expect(login.text.contains("not approved"))
        }
    }

    @Test("An unconfirmed address cannot be approved", arguments: TestDatabase.all)
    func unconfirmed(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let editor = try await Fixtures.user(app, email: "editor@example.org", role: .editor)
            let applicant = try await Fixtures.user(app, email: "applicant@example.org", status: .pending, confirmed: false)
            let reviewer = try await Fixtures.login(app, as: editor)
            let response = try await reviewer.post("/admin/members/\(applicant.id!.uuidString)/decision", [("action", "approve")])
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("not confirmed their email address"))
            #expect(try await User.find(applicant.id, on: app.db)?.status == .pending)
        }
    }

    @Test("Missing and invalid fields are named, values kept, password never echoed", arguments: TestDatabase.all)
    func invalidForm(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            var form = Fixtures.joinForm.filter { $0.0 != "organisation" && $0.0 != "email" && $0.0 != "password" }
            form += [("email", "not-an-address"), ("password", "too short"), ("organisation", String(repeating: "x", count: 301))]
            let response = try await browser.post("/join", form)
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains(#"id="f-email-error""#))
            #expect(response.text.contains(#"id="f-password-error""#))
            #expect(response.text.contains(#"id="f-organisation-error""#))
            #expect(response.text.contains("Enter an email address like"))
            #expect(response.text.contains("Use at least 12 characters."))
            #expect(response.text.contains(#"value="Director of Border Management""#))
            #expect(response.text.contains(#"value="not-an-address""#))
            #expect(!response.text.contains("too short"))
            #expect(response.text.contains(#"<option value="jm" selected>"#))
            #expect(try await User.query(on: app.db).count() == 0)
        }
    }

    @Test("Joining with an address that has an account looks exactly like joining anew; the owner is told", arguments: TestDatabase.all)
    func duplicate(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given an account for one address and none for another
            let owner = try await Fixtures.user(app, email: "maria.lopez@example.gov.jm")
            func join(_ email: String) async throws -> TestingHTTPResponse {
                let browser = TestBrowser(app)
                try await browser.get("/join")
                return try await browser.post("/join", Fixtures.joinForm.filter { $0.0 != "email" } + [("email", email)])
            }
            // when someone asks to join with each
            let taken = try await join("  Maria.Lopez@Example.gov.jm ")
            let fresh = try await join("ana.perez@example.gov.jm")
            // then both answers are the same, byte for byte apart from the cookies
            #expect(taken.status == .seeOther && fresh.status == .seeOther)
            #expect(taken.location == "/join/sent" && fresh.location == "/join/sent")
            #expect(taken.text == fresh.text)
            func comparable(_ headers: HTTPHeaders) -> [String] {
                headers.filter { !["set-cookie", "date"].contains($0.name.lowercased()) }.map { "\($0.name.lowercased()): \($0.value)" }.sorted()
            }
            #expect(comparable(taken.headers) == comparable(fresh.headers))
            #expect(taken.headers[.setCookie].map { $0.split(separator: "=")[0] } == fresh.headers[.setCookie].map { $0.split(separator: "=")[0] })
            // and the account is untouched, while its owner learns of the attempt and how to reset the password
            #expect(try await User.query(on: app.db).filter(\.$email == owner.email).count() == 1)
            #expect(try await User.find(owner.id, on: app.db)?.name == "Test Member")
            let mail = try #require(try await Fixtures.lastMail(app, to: owner.email))
            #expect(mail.body.contains("http://cpmg.test/password/forgot"))
            #expect(!mail.body.contains("/join/confirm"))
            // a second attempt within the hour does not mail the owner again
            _ = try await join("maria.lopez@example.gov.jm")
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$toAddress == owner.email).count() == 1)
        }
    }

    @Test("Control and bidirectional characters are taken out of names; line breaks stay only where a form has several lines", arguments: TestDatabase.all)
    func cleaning(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // given a join form whose name carries a right-to-left override, a NUL and a tab, and a motivation with lines
            let browser = TestBrowser(app)
            var form = Fixtures.joinForm.filter { !["name", "organisation", "motivation"].contains($0.0) }
            form += [("name", "Mar\u{202E}ía\u{0} López\tPérez\u{200F}"), ("organisation", "PICA\u{2066}\u{0085}\u{9F}\r\nJamaica\u{061C}"),
                     ("motivation", "First line\r\nSecond\tline\u{7}\u{202D}\u{2069}")]
            // when the request is sent
            let response = try await browser.post("/join", form)
            // then it is accepted, with the characters gone
            #expect(response.status == .seeOther)
            let user = try #require(try await User.query(on: app.db).first())
            #expect(user.name == "María López Pérez")
            #expect(user.organisation == "PICA Jamaica")
            #expect(user.motivation == "First line\nSecond\tline")

            // when a member renames themselves with the same characters
            let member = try await Fixtures.user(app, email: "member@example.org")
            let signedIn = try await Fixtures.login(app, as: member)
            let profile: [(String, String)] = [("name", "\u{202E}Ana\u{0}\u{1B}[31m"), ("organisation", "X"), ("organisation_type", "ngo"),
                                               ("country", "tt"), ("position", "Officer\u{2067}")]
            #expect(try await signedIn.post("/account", profile).status == .seeOther)
            let renamed = try #require(try await User.find(member.id, on: app.db))
            #expect(renamed.name == "Ana[31m")
            #expect(renamed.position == "Officer")
        }
    }

    @Test("User text is escaped everywhere it is shown", arguments: TestDatabase.all)
    func escaping(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            var form = Fixtures.joinForm.filter { $0.0 != "position" && $0.0 != "email" }
            form += [("position", #""><script>alert(1)</script>"#), ("email", "bad")]
            let response = try await browser.post("/join", form)
            #expect(!response.text.contains("<script>alert(1)</script>"))
            #expect(response.text.contains("&quot;&gt;&lt;script&gt;"))
        }
    }

    @Test("Invalid UTF-8 in a form is a 400 page, not a 500", arguments: TestDatabase.all)
    func invalidUTF8(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            try await browser.get("/join")
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            let body = "_csrf=\(browser.csrfToken!)&name=%C3%28%FF&email=a%40b.org"
            let response = try await browser.send(.POST, "/join", headers: headers, body: ByteBuffer(string: body))
            #expect(response.status == .badRequest || response.status == .unprocessableEntity)
            #expect(response.text.contains("<h1>"))
            #expect(try await User.query(on: app.db).count() == 0)
        }
    }

    @Test("Confirmation links work once, expire, and unknown ones are refused", arguments: TestDatabase.all)
    func links(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            try await browser.post("/join", Fixtures.joinForm)
            let mail = try #require(try await Fixtures.lastMail(app, to: "maria.lopez@example.gov.jm"))
            let path = String(try #require(Fixtures.link(in: mail.body, prefix: "http://cpmg.test/")).dropFirst("http://cpmg.test".count))
            #expect(try await browser.get(path).status == .seeOther)
            let reused = try await browser.get(path)
            #expect(reused.status == .gone)
            #expect(reused.text.contains("already been used"))
            #expect(try await browser.get("/join/confirm?token=made-up").status == .notFound)

            // a link older than its lifetime
            let user = try #require(try await User.query(on: app.db).first())
            let token = try await Membership.issueToken(.confirmEmail, for: user, lifetime: 60, db: app.db, now: Date().addingTimeInterval(-120))
            let expired = try await browser.get("/join/confirm?token=\(token)")
            #expect(expired.status == .gone)
            #expect(expired.text.contains("expired"))
        }
    }
}
