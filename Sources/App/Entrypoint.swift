import Foundation
import Logging
import Vapor

public enum Entrypoint {
    public static func main() async {
        var environment: Environment
        do {
            environment = try Environment.detect()
        } catch {
            FileHandle.standardError.write(Data("cpmg: \(error)\n".utf8))
            exit(1)
        }
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LogfmtLogHandler(label: label)
            handler.logLevel = level
            return handler
        }

        let arguments = environment.arguments.dropFirst()
        let wantsHelp = arguments.first == "--help" || arguments.first == "-h"
        let settings: Settings
        do {
            settings = try Settings.load()
        } catch {
            FileHandle.standardError.write(Data("cpmg: \(error)\n".utf8))
            exit(1)
        }

        let app: Application
        do {
            app = try await Application.make(environment)
        } catch {
            FileHandle.standardError.write(Data("cpmg: \(error)\n".utf8))
            exit(1)
        }
        do {
            try await configure(app, settings: settings)
            let command = arguments.first
            if command == nil || command == "serve" {
                try await prepareDatabase(app)
                reportOptionalTools(app)
                app.lifecycle.use(JobWorker(queue: app.cpmg.jobs, interval: settings.jobPollSeconds))
                if settings.sendmailPath == nil {
                    app.logger.notice("SENDMAIL_PATH is not set: mail waits in the outbox at /admin/outbox")
                }
            }
            try await app.execute()
            if wantsHelp { print("\n" + Settings.help) }
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            exit(1)
        }
        try? await app.asyncShutdown()
    }

    /// Says at start-up which optional system tools are missing, what to install, and what
    /// works less well meanwhile.
    static func reportOptionalTools(_ app: Application) {
        let tools: [(name: String, package: String, without: String)] = [
            ("pdftotext", "poppler-utils", "the full text of PDF documents is not extracted or searched"),
            ("tesseract", "tesseract-ocr", "scanned PDFs without a text layer are marked \"scanned, no text\""),
        ]
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for tool in tools where !path.contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool.name)") }) {
            app.logger.warning("\(tool.name) not found: install it with 'apt-get install \(tool.package)'; until then \(tool.without).")
        }
    }
}

/// One line per event as `key=value` pairs (logfmt), easy for people and log tools alike.
struct LogfmtLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        var text = "ts=\(Date().formatted(Self.timestamp)) level=\(event.level.rawValue) msg=\(Self.quote(event.message.description))"
        for key in merged.keys.sorted() {
            text += " \(key)=\(Self.quote("\(merged[key]!)"))"
        }
        text += "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// ISO 8601 in UTC with milliseconds.
    static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func quote(_ value: String) -> String {
        if !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:@".contains($0) }) { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
