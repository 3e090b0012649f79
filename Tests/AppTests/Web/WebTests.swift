@testable import App
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Pages, headers, languages, operations")
struct WebTests {
    @Test("Every response carries the security headers; the CSP allows no inline script", arguments: TestDatabase.all)
    func headers(database: TestDatabase) async throws {
        try await withApp(database) { app in
            for path in ["/", "/join", "/no-such-page"] {
                let response = try await TestBrowser(app).get(path)
                let csp = try #require(response.headers.first(name: "Content-Security-Policy"))
                #expect(csp.contains("script-src 'self'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") != nil)
            }
        }
    }

    @Test("The home page has landmarks, a skip link, navigation, search and the reference data", arguments: TestDatabase.all)
    func home(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let page = try await TestBrowser(app).get("/")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains(##"<a class="skip-link" href="#main">"##))
            #expect(html.contains(#"<main id="main""#))
            #expect(html.contains(#"<nav class="main-nav" aria-label="Main">"#))
            #expect(html.contains(#"role="search""#))
            #expect(html.contains(#"<nav class="languages""#))
            #expect(html.contains(#"href="/join""#))
            #expect(html.contains("Counter-Trafficking Network"))
            #expect(html.contains("Curaçao"))
            #expect(html.contains("33 countries and territories"))
            #expect(!html.contains("<script"))
            #expect(!html.contains("style="))
            #expect(html.utf8.count < 30_000)
        }
    }

    @Test("Language from ?lang=, then the cookie, then Accept-Language", arguments: TestDatabase.all)
    func language(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            browser.acceptLanguage = "fr-FR,fr;q=0.9"
            #expect(try await browser.get("/").text.contains(#"<html lang="fr">"#))
            let spanish = try await browser.get("/?lang=es")
            #expect(spanish.text.contains(#"<html lang="es">"#))
            #expect(spanish.text.contains("Plataforma"))
            #expect(try await browser.get("/join").text.contains(#"<html lang="es">"#), "the cookie beats Accept-Language")
            #expect(try await browser.get("/?lang=nl").text.contains(#"<html lang="nl">"#))
            #expect(try await browser.get("/?lang=xx").text.contains(#"<html lang="nl">"#))
            let dutchCountries = try await browser.get("/")
            #expect(dutchCountries.text.contains("Jamaica"))
        }
    }

    @Test("An unknown address is a friendly 404 page", arguments: TestDatabase.all)
    func notFound(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let response = try await TestBrowser(app).get("/no/such/page")
            #expect(response.status == .notFound)
            #expect(response.text.contains("Page not found"))
            #expect(response.headers.contentType == .html)
        }
    }

    @Test("Search finds countries by name regardless of accents, networks and themes", arguments: TestDatabase.all)
    func search(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            let curacao = try await browser.get("/search?q=curacao")
            #expect(curacao.text.contains("Curaçao"))
            #expect(curacao.text.contains("1 result"))
            let papiamentu = try await browser.get("/search?q=Papiamentu")
            #expect(papiamentu.text.contains("Curaçao") && papiamentu.text.contains("Caribbean Netherlands"))
            // Both spellings of the language find all three (Aruba writes Papiamento).
            #expect(papiamentu.text.contains("Aruba"))
            #expect(!papiamentu.text.contains("Jamaica"))
            let trafficking = try await browser.get("/search?q=trafficking")
            #expect(trafficking.text.contains("Counter-Trafficking Network"))
            #expect(trafficking.text.contains("Counter-trafficking"))
            let escaped = try await browser.get("/search?q=%22%3E%3Cscript%3E")
            #expect(!escaped.text.contains("\"><script>"))
        }
    }

    @Test("/healthz checks the database; /metrics counts requests by route and status", arguments: TestDatabase.all)
    func operations(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            let health = try await browser.get("/healthz")
            #expect(health.status == .ok)
            #expect(health.text.contains(#""database":"ok""#))
            try await browser.get("/join")
            let admin = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "admin@example.org", role: .admin))
            let metrics = try await admin.get("/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("http_requests_total"))
            #expect(metrics.text.contains(#"path="/join""#))
            #expect(metrics.text.contains(#"status="200""#))
            #expect(metrics.text.contains("http_request_duration_seconds_bucket"))
        }
    }

    @Test("/metrics is for admins and for a scraper with the token; everyone else gets 404", arguments: TestDatabase.all)
    func metricsRestricted(database: TestDatabase) async throws {
        let token = "a-scraper-token-of-some-length-0123456789"
        try await withApp(database, environment: ["CPMG_METRICS_TOKEN": token]) { app in
            // given a visitor, a member, an editor and an admin
            let member = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "member@example.org"))
            let editor = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "editor@example.org", role: .editor))
            let admin = try await Fixtures.login(app, as: try await Fixtures.user(app, email: "admin@example.org", role: .admin))
            // then only the admin reads the metrics
            for (who, browser) in [("visitor", TestBrowser(app)), ("member", member), ("editor", editor)] {
                let response = try await browser.get("/metrics")
                #expect(response.status == .notFound, "\(who) got \(response.status)")
                #expect(!response.text.contains("http_requests_total"))
            }
            #expect(try await admin.get("/metrics").status == .ok)
            // and a scraper with the bearer token, not with another one
            func scrape(_ authorization: String) async throws -> HTTPStatus {
                try await TestBrowser(app).get("/metrics", headers: ["Authorization": authorization]).status
            }
            #expect(try await scrape("Bearer \(token)") == .ok)
            #expect(try await scrape("bearer \(token)") == .ok)
            for wrong in ["Bearer wrong", "Bearer \(token)x", "Bearer ", "Basic \(token)", token, "Bearer \(token.dropLast())"] {
                #expect(try await scrape(wrong) == .notFound, "Authorization: \(wrong)")
            }
        }
        // Without a token configured, no bearer value opens it.
        try await withApp(database) { app in
            let empty = try await TestBrowser(app).get("/metrics", headers: ["Authorization": "Bearer "])
            #expect(empty.status == .notFound)
            let none = try await TestBrowser(app).get("/metrics")
            #expect(none.status == .notFound)
        }
    }

    @Test("The stylesheet is served under its content hash and cached for a year", arguments: TestDatabase.all)
    func stylesheet(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let version = app.cpmg.assets.cssVersion
            let css = try await TestBrowser(app).get("/assets/site.\(version).css")
            #expect(css.status == .ok)
            #expect(css.headers.first(name: .cacheControl)?.contains("immutable") == true)
            #expect(css.text.contains("@media print"))
            #expect(try await TestBrowser(app).get("/assets/site.old.css").status == .notFound)
        }
    }
}

@Suite("Limits")
struct LimitTests {
    @Test("A form over the size limit is answered 413 with a page, and nothing is saved", arguments: TestDatabase.all)
    func tooLarge(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let browser = TestBrowser(app)
            var form = Fixtures.joinForm.filter { $0.0 != "motivation" }
            form.append(("motivation", String(repeating: "a", count: 2_000_000)))
            let response = try await browser.post("/join", form)
            #expect(response.status == .payloadTooLarge)
            #expect(response.text.contains("<h1>"))
            #expect(try await User.query(on: app.db).count() == 0)
        }
    }
}
