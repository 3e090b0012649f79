import Fluent
import Foundation
import StatImport
import Vapor

/// `cpmg import-statistics FILE`: what `/statistics/datasets/new` does, from the shell, and
/// published at once (the operator is trusted): every problem named by line and column, all or
/// nothing, a new version of an existing dataset replacing its values in one transaction.
struct ImportStatisticsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "the CSV: tidy, wide or SDMX-CSV (docs/statistics.md)")
        var file: String
        @Option(name: "dataset", help: "slug of the dataset (a new one is created when it does not exist)")
        var dataset: String?
        @Option(name: "title", help: "title of a new dataset")
        var title: String?
        @Option(name: "source", help: "who produced the figures (new dataset)")
        var source: String?
        @Option(name: "licence", help: "licence of the figures (new dataset)")
        var licence: String?
        @Flag(name: "decimal-comma", help: "numbers use a decimal comma (1.234,5)")
        var decimalComma: Bool
        @Flag(name: "dry-run", help: "check and report, change nothing")
        var dryRun: Bool
    }

    var help: String {
        "Imports a statistical CSV as a published dataset (or a new version of one): every problem is reported by line and column, and nothing is imported unless the whole file is right."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        if let slug = signature.dataset, !StatisticsImport.isValidSlug(slug) {
            throw CommandFailure("--dataset: \(String(slug.debugDescription.prefix(100))) is not a dataset slug; use lower-case letters and digits, words joined by single hyphens, at most 8 words and 60 characters (e.g. world-bank-wdi)")
        }
        guard let data = FileManager.default.contents(atPath: signature.file) else { throw CommandFailure("\(signature.file): cannot be read") }
        try await prepareDatabase(app)
        context.console.print("Checking \(URL(fileURLWithPath: signature.file).lastPathComponent) (\(ByteCountFormatter.string(fromByteCount: Int64(data.count), countStyle: .file)))…")
        let preview = try await StatisticsImport.preview(data, decimalComma: signature.decimalComma, db: app.db, now: app.cpmg.now())
        context.console.print("\(preview.shape.rawValue): \(preview.rowCount) rows, \(preview.observations.count) observations, indicators \(preview.indicators.sorted().joined(separator: ", ")), \(preview.areas.count) areas")
        for warning in preview.warnings { context.console.print("warning: line \(warning.line), column \(warning.column): \(warning.detail)") }
        guard preview.isImportable else {
            for problem in preview.problems { context.console.error("line \(problem.line), column \(problem.column): \(problem.detail)") }
            throw CommandFailure("\(preview.problemCount) problems; nothing was imported")
        }
        if signature.dryRun { context.console.print("Dry run: nothing imported."); return }

        let slug = signature.dataset ?? StatisticsImport.slug(signature.title ?? "")
        let existing = try await StatDataset.query(on: app.db).filter(\.$slug == slug).first()
        let dataset = existing ?? StatDataset()
        if existing == nil {
            guard let title = signature.title, let source = signature.source, let licence = signature.licence else {
                throw CommandFailure("a new dataset needs --title, --source and --licence (or --dataset with an existing slug)")
            }
            dataset.slug = slug
            dataset.title = title
            dataset.descriptionText = ""
            dataset.source = source
            dataset.sourceURL = ""
            dataset.licence = licence
            dataset.caveats = ""
            dataset.status = .pending
            dataset.visibility = .public
            dataset.version = 0
            try await dataset.save(on: app.db)
        }
        let temporary = try app.cpmg.blobs.temporaryURL()
        try data.write(to: temporary)
        let stored = try app.cpmg.blobs.put(movingFileAt: temporary)
        let version = StatDatasetVersion()
        version.$dataset.id = try dataset.requireID()
        version.number = (try await StatDatasetVersion.query(on: app.db).filter(\.$dataset.$id == dataset.requireID()).max(\.$number) ?? 0) + 1
        version.sha256 = stored.sha256
        version.filename = URL(fileURLWithPath: signature.file).lastPathComponent
        version.rows = preview.observations.count
        version.decimalComma = signature.decimalComma
        version.status = .pending
        try await version.create(on: app.db)
        let bar = ProgressBar(Progress(title: "Importing", total: preview.observations.count))
        bar.update(0)
        _ = try await StatisticsImport.publish(version, dataset: dataset, app: app, db: app.db, now: app.cpmg.now()) { bar.update($0) }
        context.console.print("Published \(dataset.slug) version \(version.number): \(preview.observations.count) observations.")
    }
}

/// A progress bar that the import's batches can advance from wherever they run.
final class ProgressBar: @unchecked Sendable {
    private var progress: Progress
    private let lock = NSLock()

    init(_ progress: Progress) { self.progress = progress }

    func update(_ done: Int) { lock.withLock { progress.update(done) } }
}
