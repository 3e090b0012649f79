import CSVParser
import Fluent
import Foundation
import TextExtraction
import Vapor

/// A progress line for long commands: redrawn in place on a terminal, every tenth otherwise.
struct Progress {
    let title: String
    let total: Int
    private var lastTenth = -1
    private let terminal = isatty(STDERR_FILENO) == 1

    init(title: String, total: Int) {
        self.title = title
        self.total = total
    }

    mutating func update(_ done: Int) {
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        let width = 30
        let filled = Int(fraction * Double(width))
        let line = "\(title) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total)"
        if terminal {
            FileHandle.standardError.write(Data("\r\(line)".utf8))
            if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if Int(fraction * 10) != lastTenth || done >= total {
            lastTenth = Int(fraction * 10)
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }
}

/// `cpmg reindex`: rebuilds the search index from the database.
struct ReindexCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Rebuilds the search index: reference data and every published document." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        var progress: Progress? = nil
        try await ReferenceIndexing.reindexEverything(app: app) { done, total in
            if progress == nil { progress = Progress(title: "Indexing documents", total: total) }
            progress?.update(done)
        }
        context.console.print("The search index is rebuilt.")
    }
}

/// `cpmg import-documents DIR --manifest FILE.csv [--dry-run]`: bulk import with a report.
struct ImportDocumentsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "directory", help: "the folder the manifest's file names are relative to")
        var directory: String
        @Option(name: "manifest", help: "the CSV manifest (see docs/import.md)")
        var manifest: String?
        @Flag(name: "dry-run", help: "check every row and report, change nothing")
        var dryRun: Bool
        @Option(name: "submitter", help: "email of the account the documents are recorded as submitted by (default: the first administrator)")
        var submitter: String?
    }

    var help: String {
        """
        Imports documents listed in a CSV manifest. Columns (header row, UTF-8): \
        file (one or more file names separated by |, relative to DIRECTORY), title, authors (separated by ;), publisher, \
        year, month, day, type (\(Document.Kind.allCases.map(\.rawValue).joined(separator: ", "))), languages (codes separated by ;), \
        countries (ISO alpha-2 codes or "regional", separated by ;), themes (slugs separated by ;), network (slug), abstract, rights, \
        doi, isbn, external_url, visibility (public, members, network; default public), status (published, pending, draft; default published). \
        A row whose files are already in the repository is skipped, so running it again imports nothing twice. \
        Each row is imported whole or not at all; failures are reported by row.
        """
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let manifestPath = signature.manifest else { throw CommandFailure("--manifest: give the CSV manifest, e.g. --manifest documents.csv") }
        let directory = URL(fileURLWithPath: signature.directory)
        guard let data = FileManager.default.contents(atPath: manifestPath), let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("\(manifestPath): the manifest cannot be read as UTF-8 text")
        }
        let table: CSVTable
        do { table = try CSV.parse(text) } catch { throw CommandFailure("\(manifestPath): \(error.description)") }
        for column in ["file", "title", "year", "type", "languages", "countries"] where !table.header.contains(column) {
            throw CommandFailure("\(manifestPath): the column \(column) is missing (columns: cpmg import-documents --help)")
        }

        try await prepareDatabase(app)
        let submitter = try await submitterAccount(signature.submitter, db: app.db)
        var progress = Progress(title: signature.dryRun ? "Checking" : "Importing", total: table.rows.count)
        let report = try await Self.importManifest(table, directory: directory, submitter: submitter, dryRun: signature.dryRun, app: app) {
            progress.update($0)
        }
        context.console.print(report.summary(dryRun: signature.dryRun))
        if !report.failures.isEmpty { throw CommandFailure("\(report.failures.count) row(s) were not imported") }
    }

    /// Imports (or, dry, checks) every row; each row whole or not at all.
    static func importManifest(
        _ table: CSVTable, directory: URL, submitter: User, dryRun: Bool, app: Application, progress: (Int) -> Void = { _ in }
    ) async throws -> ImportReport {
        let references = try await DocumentLibrary.References.load(app.db)
        var report = ImportReport()
        for (index, row) in table.rows.enumerated() {
            do {
                report.record(try await importRow(row, directory: directory, references: references, submitter: submitter, dryRun: dryRun, app: app))
            } catch let problem as RowProblem {
                report.failures.append((row.line, problem.message))
            } catch {
                report.failures.append((row.line, "\(error)"))
            }
            progress(index + 1)
        }
        return report
    }

    struct RowProblem: Error { let message: String }

    enum Outcome { case imported, skipped, checked }

    struct ImportReport {
        var imported = 0
        var skipped = 0
        var checked = 0
        var failures: [(line: Int, message: String)] = []

        mutating func record(_ outcome: Outcome) {
            switch outcome {
            case .imported: imported += 1
            case .skipped: skipped += 1
            case .checked: checked += 1
            }
        }

        func summary(dryRun: Bool) -> String {
            var lines = dryRun
                ? ["Dry run: \(checked) row(s) would be imported, \(skipped) already in the repository, \(failures.count) with problems. Nothing was changed."]
                : ["Imported \(imported) document(s); \(skipped) already in the repository; \(failures.count) row(s) failed."]
            lines += failures.map { "  line \($0.line): \($0.message)" }
            return lines.joined(separator: "\n")
        }
    }

    private func submitterAccount(_ email: String?, db: any Database) async throws -> User {
        if let email {
            guard let user = try await User.query(on: db).filter(\.$email == User.normalise(email: email)).first() else {
                throw CommandFailure("--submitter: no account with the address \(email)")
            }
            return user
        }
        guard let admin = try await User.query(on: db).filter(\.$role == .admin).filter(\.$status == .active).sort(\.$createdAt).first() else {
            throw CommandFailure("there is no administrator yet: run cpmg create-admin first, or pass --submitter")
        }
        return admin
    }

    private static func importRow(
        _ row: CSVRow, directory: URL, references: DocumentLibrary.References, submitter: User, dryRun: Bool, app: Application
    ) async throws -> Outcome {
        func list(_ column: String) -> [String] {
            (row[column] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var form = DocumentForm()
        form.title = row["title"]?.trimmingCharacters(in: .whitespaces) ?? ""
        form.authors = list("authors").joined(separator: "\n")
        form.publisher = row["publisher"] ?? ""
        form.year = row["year"] ?? ""
        form.month = row["month"] ?? ""
        form.day = row["day"] ?? ""
        form.kind = row["type"] ?? ""
        form.languages = list("languages").map { $0.lowercased() }
        form.countries = list("countries").map { $0.lowercased() }
        form.themes = list("themes")
        form.network = row["network"] ?? ""
        form.abstract = row["abstract"] ?? ""
        form.rights = row["rights"] ?? ""
        form.doi = row["doi"] ?? ""
        form.isbn = row["isbn"] ?? ""
        form.externalURL = row["external_url"] ?? ""
        form.visibility = (row["visibility"] ?? "").isEmpty ? "public" : row["visibility"]!
        let statusText = (row["status"] ?? "").isEmpty ? "published" : row["status"]!
        guard let status = Document.Status(rawValue: statusText), status != .withdrawn else {
            throw RowProblem(message: "status: \(statusText) is not one of published, pending, draft")
        }
        let errors = references.validate(form, now: Date())
        if !errors.isEmpty {
            throw RowProblem(message: errors.fields.map { "\($0.name): \(app.cpmg.catalog.localizer(.en)($0.key))" }.joined(separator: "; "))
        }
        let names = (row["file"] ?? "").split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw RowProblem(message: "file: give at least one file name") }
        var uploads: [DocumentLibrary.Upload] = []
        for name in names {
            let url = directory.appendingPathComponent(name).standardizedFileURL
            guard url.path.hasPrefix(directory.standardizedFileURL.path), let data = FileManager.default.contents(atPath: url.path) else {
                throw RowProblem(message: "file: \(name) is not in \(directory.path)")
            }
            guard !data.isEmpty else { throw RowProblem(message: "file: \(name) is empty") }
            uploads.append(.init(name: name, data: ByteBuffer(data: data)))
        }
        // Idempotent by checksum: a row whose first file is already attached was imported before.
        let firstSHA = try LocalBlobStore.digest(ofData: Data(buffer: uploads[0].data))
        if try await DocumentFile.query(on: app.db).filter(\.$sha256 == firstSHA).first() != nil { return .skipped }
        if dryRun { return .checked }
        let stored = try DocumentLibrary.store(uploads, in: app.cpmg.blobs)
        do {
            _ = try await DocumentLibrary.create(form, files: stored, status: status, by: submitter, references: references, app: app, db: app.db, now: Date())
        } catch {
            DocumentLibrary.discard(stored, in: app.cpmg.blobs)
            throw error
        }
        try DocumentLibrary.restoreMissing(stored, from: uploads, in: app.cpmg.blobs)
        return .imported
    }
}
