import Fluent
import Foundation
import TextExtraction
import Vapor

/// Extracts the text of a stored file (by its SHA-256, so a file uploaded twice is read once),
/// records the outcome on every document file with that content, and re-indexes the published
/// documents among them. A failure is recorded, never lost: editors see it and can retry.
struct ExtractionJob: JobHandler {
    static let kind = "documents.extract"
    let extractor: TextExtractor

    func run(payload sha256: String, app: Application) async throws {
        let files = try await DocumentFile.query(on: app.db).filter(\.$sha256 == sha256).all()
        guard let first = files.first else { return }
        let kind = FileKind(rawValue: first.kind) ?? .unknown
        var outcome: DocumentFile.Extraction
        var problem: String? = nil
        var pages: Int? = nil
        var length = 0
        do throws(ExtractionError) {
            let result = try await extractor.extract(fileAt: app.cpmg.blobs.url(for: sha256), kind: kind)
            outcome = .done
            pages = result.pageCount
            length = result.text.count
            if result.truncated { problem = "truncated" }
            do { try app.cpmg.blobs.putText(result.text, key: sha256) } catch {
                outcome = .failed
                problem = "The extracted text could not be stored: \(error)"
            }
        } catch .notSearchable {
            outcome = .notSearchable
        } catch .scannedNoText {
            outcome = .scanned
            problem = ExtractionError.scannedNoText.description
        } catch {
            outcome = .failed
            problem = error.description
            app.logger.warning("text extraction failed", metadata: ["sha256": "\(sha256)", "error": "\(error.description)"])
        }
        // The files' state and the index change together, or neither does (the job is retried).
        let result = (outcome: outcome, problem: problem, pages: pages, length: length)
        try await app.db.transaction { db in
            var documents = Set<UUID>()
            for file in files {
                file.extraction = result.outcome
                file.extractionError = result.problem
                file.pageCount = result.pages ?? file.pageCount
                file.textLength = result.length
                try await file.save(on: db)
                documents.insert(file.$document.id)
            }
            for id in documents {
                if let document = try await Document.find(id, on: db), document.status == .published {
                    try await DocumentLibrary.reindex(document, app: app, db: db)
                }
            }
        }
    }
}
