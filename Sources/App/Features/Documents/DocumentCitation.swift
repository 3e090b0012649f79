import Fluent
import Foundation
import Syndication
import Vapor

/// How a document is cited: a formatted reference, BibTeX, RIS and schema.org data, all from
/// one `CitationRecord`.
enum DocumentCitation {
    struct Formatted: Sendable {
        var text: String
        var parts: [(text: String, italic: Bool)]
    }

    static func record(_ document: Document, app: Application, db: any Database) async throws -> CitationRecord {
        let id = try document.requireID()
        let themes = try await DocumentTheme.query(on: db).filter(\.$document.$id == id).with(\.$theme).all().map(\.theme.name)
        var authors = document.authors.map { CitationRecord.Author($0) }
        if authors.isEmpty && !document.publisher.isEmpty { authors = [.corporate(document.publisher)] }
        let kind: CitationRecord.Kind = switch document.kind {
        case .report, .meetingReport, .factsheet: .report
        case .study: .report
        case .legislation: .legislation
        default: .misc
        }
        return CitationRecord(
            kind: kind, title: document.title, authors: authors,
            publisher: document.publisher.isEmpty ? nil : document.publisher,
            year: document.year, month: document.month, day: document.day,
            url: SiteURL.document(id.uuidString).absolute(base: app.cpmg.settings.publicURL),
            doi: document.doi, isbn: document.isbn, language: document.languages.first,
            abstract: document.abstract.isEmpty ? nil : document.abstract, keywords: themes
        )
    }

    static func formatted(_ record: CitationRecord) -> Formatted {
        let reference = record.reference
        return Formatted(text: reference.text, parts: reference.parts.map { ($0.text, $0.style == .italic) })
    }

    static func bibtex(_ record: CitationRecord) -> String { record.bibTeX }
    static func ris(_ record: CitationRecord) -> String { record.ris }

    /// schema.org JSON-LD for search engines; safe inside a `<script>` element.
    static func jsonLD(_ document: Document, record: CitationRecord, countries: [Country], base: URL, files: [DocumentFile]) -> String {
        let id = document.id?.uuidString ?? ""
        var object: [String: Any] = [
            "@context": "https://schema.org",
            "@type": document.kind == .report || document.kind == .meetingReport ? "Report" : "CreativeWork",
            "name": document.title,
            "url": SiteURL.document(id).absolute(base: base),
            "datePublished": document.isoDate,
            "inLanguage": document.languages.filter { $0 != "other" },
            "keywords": record.keywords.joined(separator: ", "),
        ]
        if !document.abstract.isEmpty { object["abstract"] = document.abstract }
        if !document.authors.isEmpty { object["author"] = document.authors.map { ["@type": "Person", "name": $0] } }
        if !document.publisher.isEmpty { object["publisher"] = ["@type": "Organization", "name": document.publisher] }
        if !countries.isEmpty { object["spatialCoverage"] = countries.map { ["@type": "Place", "name": $0.name] } }
        if !document.rights.isEmpty { object["license"] = document.rights }
        if let doi = document.doi { object["identifier"] = "https://doi.org/\(doi)" }
        if let isbn = document.isbn { object["isbn"] = isbn }
        object["associatedMedia"] = files.map {
            ["@type": "MediaObject", "name": $0.originalName, "encodingFormat": $0.mediaType, "contentSize": "\($0.size)",
             "contentUrl": SiteURL.documentFileByID(id, $0.id?.uuidString ?? "").absolute(base: base)]
        }
        return JSONLD.encode(object)
    }
}
