import Foundation

/// Every setting the platform reads from its environment, read once at start-up.
/// A malformed value stops start-up with a message naming the variable.
public struct Settings: Sendable {
    public enum DatabaseKind: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var host: String
    public var port: Int
    public var dataDirectory: URL
    public var database: DatabaseKind
    /// The address users reach the platform at; links in mail are built from it.
    public var publicURL: URL
    /// A sendmail-compatible command; nil keeps mail in the outbox for admins to read.
    public var sendmailPath: String?
    public var mailFrom: String
    public var jobPollSeconds: Double
    /// Trust `X-Forwarded-For` from a reverse proxy (nginx) for the client address.
    public var trustProxy: Bool
    /// How many proxies of our own append to `X-Forwarded-For` (nginx alone: 1; a CDN before
    /// nginx: 2). The client address is the one that many places from the right.
    public var proxyHops: Int = 1
    /// A bearer token that opens `/metrics` to a scraper; nil leaves it to signed-in admins.
    public var metricsToken: String? = nil
    /// Threads that hash passwords (Bcrypt), apart from the ones the database uses.
    public var passwordThreads: Int = Settings.defaultPasswordThreads
    /// Logins that may wait for a hashing thread; more are answered 503 with Retry-After.
    public var passwordQueue: Int = 8 * Settings.defaultPasswordThreads

    /// Half the cores, at least one: the other half keeps serving pages and the database.
    public static var defaultPasswordThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / 2) }
    public var resourcesDirectory: URL
    public var sessionDays: Int
    /// The largest upload accepted (all files of one form together).
    public var maxUploadBytes: Int
    /// How many of the most recent matches search ranks and counts facets over.
    public var searchCandidates: Int
    /// Load the statistics centre's published datasets (Resources/Statistics) at start-up.
    public var loadStatistics: Bool = true

    public var secureCookies: Bool { publicURL.scheme == "https" }

    public struct Invalid: Error, CustomStringConvertible {
        public let variable: String
        public let value: String
        public let expected: String
        public var description: String { "\(variable)=\(value) is not valid: expected \(expected)." }
    }

    /// Reads the settings from `environment`; `workingDirectory` anchors relative paths.
    public static func load(
        from environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws(Invalid) -> Settings {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(Invalid) -> Int {
            guard let raw = value(name) else { return fallback }
            guard let number = Int(raw), range.contains(number) else {
                throw Invalid(variable: name, value: raw, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        func bool(_ name: String) throws(Invalid) -> Bool {
            guard let raw = value(name)?.lowercased() else { return false }
            switch raw {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw Invalid(variable: name, value: raw, expected: "true or false")
            }
        }
        func path(_ raw: String) -> URL {
            raw.hasPrefix("/") ? URL(fileURLWithPath: raw) : workingDirectory.appendingPathComponent(raw)
        }

        let host = value("HOST") ?? "0.0.0.0"
        let port = try int("PORT", default: 8080, range: 1...65535)
        let dataDirectory = path(value("CPMG_DATA_DIR") ?? "data").standardizedFileURL

        let database: DatabaseKind
        if let url = value("DATABASE_URL") {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                guard let host = URL(string: url)?.host, !host.isEmpty else {
                    throw Invalid(variable: "DATABASE_URL", value: "(hidden)", expected: "postgres://user:password@host:port/database")
                }
                database = .postgres(url: url)
            } else if url.hasPrefix("sqlite://") {
                database = .sqlite(path: path(String(url.dropFirst("sqlite://".count))).path)
            } else {
                throw Invalid(variable: "DATABASE_URL", value: "(hidden)", expected: "a postgres:// or sqlite:// URL")
            }
        } else {
            database = .sqlite(path: dataDirectory.appendingPathComponent("cpmg.sqlite").path)
        }

        let publicURL: URL
        if let raw = value("CPMG_PUBLIC_URL") {
            guard let url = URL(string: raw.hasSuffix("/") ? String(raw.dropLast()) : raw),
                  url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw Invalid(variable: "CPMG_PUBLIC_URL", value: raw, expected: "an http:// or https:// address")
            }
            publicURL = url
        } else {
            publicURL = URL(string: "http://localhost:\(port)")!
        }

        var sendmailPath: String? = nil
        if let raw = value("SENDMAIL_PATH") {
            let resolved = path(raw).path
            guard FileManager.default.isExecutableFile(atPath: resolved) else {
                throw Invalid(variable: "SENDMAIL_PATH", value: raw, expected: "an executable sendmail-compatible program")
            }
            sendmailPath = resolved
        }

        let mailFrom = value("CPMG_MAIL_FROM") ?? "CPMG <no-reply@\(publicURL.host ?? "localhost")>"
        guard mailFrom.contains("@"), !mailFrom.contains("\n"), !mailFrom.contains("\r") else {
            throw Invalid(variable: "CPMG_MAIL_FROM", value: mailFrom, expected: "a mail address such as CPMG <no-reply@example.org>")
        }

        var jobPollSeconds = 2.0
        if let raw = value("CPMG_JOB_POLL_SECONDS") {
            guard let seconds = Double(raw), seconds >= 0.05, seconds <= 3600 else {
                throw Invalid(variable: "CPMG_JOB_POLL_SECONDS", value: raw, expected: "a number of seconds from 0.05 to 3600")
            }
            jobPollSeconds = seconds
        }

        var metricsToken: String? = nil
        if let raw = value("CPMG_METRICS_TOKEN") {
            guard raw.count >= 16, raw.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
                throw Invalid(variable: "CPMG_METRICS_TOKEN", value: "(hidden)", expected: "at least 16 characters, no spaces")
            }
            metricsToken = raw
        }
        let passwordThreads = try int("CPMG_PASSWORD_THREADS", default: defaultPasswordThreads, range: 1...64)

        let resources: URL
        if let raw = value("CPMG_RESOURCES_DIR") {
            resources = path(raw)
            guard FileManager.default.fileExists(atPath: resources.appendingPathComponent("Localization").path) else {
                throw Invalid(variable: "CPMG_RESOURCES_DIR", value: raw, expected: "the project's Resources folder")
            }
        } else {
            resources = Settings.defaultResourcesDirectory(workingDirectory: workingDirectory)
        }

        var settings = Settings(
            host: host,
            port: port,
            dataDirectory: dataDirectory,
            database: database,
            publicURL: publicURL,
            sendmailPath: sendmailPath,
            mailFrom: mailFrom,
            jobPollSeconds: jobPollSeconds,
            trustProxy: try bool("CPMG_TRUST_PROXY"),
            resourcesDirectory: resources,
            sessionDays: try int("CPMG_SESSION_DAYS", default: 14, range: 1...365),
            maxUploadBytes: try int("CPMG_MAX_UPLOAD_MB", default: 50, range: 1...2048) * 1_048_576,
            searchCandidates: try int("CPMG_SEARCH_CANDIDATES", default: SearchLimits.candidates, range: 100...10_000_000),
            loadStatistics: value("CPMG_LOAD_STATISTICS") == nil ? true : try bool("CPMG_LOAD_STATISTICS")
        )
        settings.proxyHops = try int("CPMG_PROXY_HOPS", default: 1, range: 1...10)
        settings.metricsToken = metricsToken
        settings.passwordThreads = passwordThreads
        settings.passwordQueue = try int("CPMG_PASSWORD_QUEUE", default: 8 * passwordThreads, range: 0...10_000)
        return settings
    }

    /// `Resources/` in the working directory, else the one beside this source tree (tests, `swift run`
    /// from elsewhere).
    static func defaultResourcesDirectory(workingDirectory: URL) -> URL {
        let local = workingDirectory.appendingPathComponent("Resources")
        if FileManager.default.fileExists(atPath: local.appendingPathComponent("Localization").path) { return local }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Core
            .deletingLastPathComponent()  // App
            .deletingLastPathComponent()  // Sources
            .deletingLastPathComponent()  // package root
            .appendingPathComponent("Resources")
    }

    /// What `cpmg --help` prints about the environment.
    public static let help = """
    Environment variables (all optional):
      HOST                   address to listen on (default 0.0.0.0)
      PORT                   port to listen on (default 8080)
      CPMG_DATA_DIR          folder for the SQLite database and files (default ./data)
      DATABASE_URL           postgres://user:pass@host:port/db?tlsmode=disable to use PostgreSQL
      CPMG_PUBLIC_URL        address users reach the platform at (default http://localhost:PORT);
                             https:// makes cookies Secure
      SENDMAIL_PATH          sendmail-compatible command for mail; without it mail waits in
                             /admin/outbox
      CPMG_MAIL_FROM         sender of the platform's mail
      CPMG_JOB_POLL_SECONDS  how often the background worker looks for work (default 2)
      CPMG_TRUST_PROXY       true behind nginx: take the client address from X-Forwarded-For
      CPMG_PROXY_HOPS        proxies of our own that append to X-Forwarded-For (default 1); the
                             client is that many places from the right, the rest is not believed
      CPMG_METRICS_TOKEN     bearer token (16+ characters) that lets a scraper read /metrics;
                             without it only signed-in admins can
      CPMG_PASSWORD_THREADS  threads that hash passwords (default half the cores, at least 1)
      CPMG_PASSWORD_QUEUE    logins that may wait for them (default 8 per thread); more get 503
      CPMG_SESSION_DAYS      days a login lasts without activity (default 14)
      CPMG_MAX_UPLOAD_MB     largest upload accepted, in megabytes (default 50)
      CPMG_SEARCH_CANDIDATES most recent matches that ranking and facet counts consider (default 2000)
      CPMG_LOAD_STATISTICS   load the statistics centre's reference datasets at start-up (default true)
      CPMG_RESOURCES_DIR     the Resources folder (default ./Resources)
      LOG_LEVEL              trace, debug, info (default), notice, warning, error
    """
}
