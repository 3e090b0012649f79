@testable import App
import Foundation
import Testing

@Suite("Settings")
struct SettingsTests {
    let cwd = URL(fileURLWithPath: "/srv/cpmg")

    @Test("Defaults: 0.0.0.0:8080, ./data, SQLite in the data folder, plain http")
    func defaults() throws {
        let settings = try Settings.load(from: [:], workingDirectory: cwd)
        #expect(settings.host == "0.0.0.0")
        #expect(settings.port == 8080)
        #expect(settings.dataDirectory.path == "/srv/cpmg/data")
        #expect(settings.database == .sqlite(path: "/srv/cpmg/data/cpmg.sqlite"))
        #expect(settings.publicURL.absoluteString == "http://localhost:8080")
        #expect(settings.secureCookies == false)
        #expect(settings.sendmailPath == nil)
        #expect(settings.proxyHops == 1 && settings.metricsToken == nil)
        #expect(settings.passwordThreads >= 1 && settings.passwordQueue == 8 * settings.passwordThreads)
    }

    @Test("A malformed value stops start-up naming the variable", arguments: [
        ("PORT", "eighty"), ("PORT", "70000"), ("DATABASE_URL", "mysql://x"), ("CPMG_PUBLIC_URL", "ftp://example.org"),
        ("SENDMAIL_PATH", "/no/such/sendmail"), ("CPMG_JOB_POLL_SECONDS", "-1"), ("CPMG_TRUST_PROXY", "perhaps"),
        ("CPMG_SESSION_DAYS", "0"), ("CPMG_PROXY_HOPS", "0"), ("CPMG_PROXY_HOPS", "many"), ("CPMG_METRICS_TOKEN", "short"),
        ("CPMG_METRICS_TOKEN", "a token with spaces in it"), ("CPMG_PASSWORD_THREADS", "0"), ("CPMG_PASSWORD_QUEUE", "-1"),
    ])
    func malformed(variable: String, value: String) {
        do {
            _ = try Settings.load(from: [variable: value], workingDirectory: cwd)
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.contains(variable))
        }
    }

    @Test("DATABASE_URL chooses PostgreSQL; the password never appears in the error")
    func postgres() throws {
        let settings = try Settings.load(from: ["DATABASE_URL": "postgres://cpmg:secret@db:5432/cpmg"], workingDirectory: cwd)
        #expect(settings.database == .postgres(url: "postgres://cpmg:secret@db:5432/cpmg"))
        do {
            _ = try Settings.load(from: ["DATABASE_URL": "postgres://cpmg:secret@"], workingDirectory: cwd)
            Issue.record("a URL without host was accepted")
        } catch {
            #expect(!error.description.contains("secret"))
        }
    }

    @Test("An https public address makes cookies Secure")
    func https() throws {
        let settings = try Settings.load(from: ["CPMG_PUBLIC_URL": "https://cpmg.example.org/"], workingDirectory: cwd)
        #expect(settings.secureCookies)
        #expect(settings.publicURL.absoluteString == "https://cpmg.example.org")
    }
}

@Suite("Catalog")
struct CatalogTests {
    let resources = Settings.defaultResourcesDirectory(workingDirectory: URL(fileURLWithPath: "/nonexistent"))

    @Test("Spanish, French and Dutch have every English key, and no other")
    func complete() throws {
        let catalog = try Catalog.load(from: resources.appendingPathComponent("Localization"))
        let english = catalog.keys(.en)
        #expect(english.count > 200)
        for language in [Language.es, .fr, .nl] {
            let keys = catalog.keys(language)
            #expect(english.subtracting(keys).sorted() == [], "missing in \(language.rawValue)")
            #expect(keys.subtracting(english).sorted() == [], "extra in \(language.rawValue)")
        }
    }

    @Test("Placeholders survive translation")
    func placeholders() throws {
        let catalog = try Catalog.load(from: resources.appendingPathComponent("Localization"))
        let pattern = /\{[a-z]+\}/
        for key in catalog.keys(.en) {
            let english = Set(catalog.localizer(.en)(key).matches(of: pattern).map { String($0.output) })
            for language in [Language.es, .fr, .nl] {
                let translated = Set(catalog.localizer(language)(key).matches(of: pattern).map { String($0.output) })
                #expect(english == translated, "\(key) in \(language.rawValue)")
            }
        }
    }

    @Test("Every key the code uses exists in English")
    func usedKeysExist() throws {
        let catalog = try Catalog.load(from: resources.appendingPathComponent("Localization"))
        let sources = resources.deletingLastPathComponent().appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        let pattern = /\bt\("([a-zA-Z0-9_.]+)"/
        var used = Set<String>()
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            used.formUnion(text.matches(of: pattern).map { String($0.output.1) })
        }
        #expect(used.count > 50)
        #expect(used.subtracting(catalog.keys(.en)).sorted() == [])
    }

    @Test("Accept-Language picks the best supported language")
    func acceptLanguage() {
        #expect(Language.preferred(acceptLanguage: "fr-CA,fr;q=0.9,en;q=0.8") == .fr)
        #expect(Language.preferred(acceptLanguage: "de-DE,nl;q=0.7,es;q=0.9") == .es)
        #expect(Language.preferred(acceptLanguage: "de-DE") == nil)
        #expect(Language.preferred(acceptLanguage: "es;q=0, en") == .en)
    }
}

@Suite("Escaping")
struct EscapeTests {
    @Test("Attribute values cannot break out of their quotes")
    func attribute() {
        #expect(Escape.attribute(#""><script>alert('x')</script>&"#) == "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;")
        #expect(Escape.attribute("María López") == "María López")
    }
}
