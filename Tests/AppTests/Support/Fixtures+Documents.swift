@testable import App
import Fluent
import Foundation
import Vapor
import VaporTesting

extension TestBrowser {
    /// Posts a multipart form with files, adding the CSRF token.
    @discardableResult
    func postMultipart(_ path: String, _ fields: [(String, String)], files: [(field: String, name: String, data: Data)]) async throws -> TestingHTTPResponse {
        if csrfToken == nil { try await get("/") }
        let boundary = "----cpmg-test-\(UUID().uuidString)"
        var body = Data()
        func add(_ text: String) { body.append(Data(text.utf8)) }
        for (name, value) in fields + [("_csrf", csrfToken ?? "")] {
            add("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for file in files {
            add("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            body.append(file.data)
            add("\r\n")
        }
        add("--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(data: body))
    }
}

enum DocumentFixtures {
    /// A small valid PDF with one line of Helvetica text per page.
    static func pdf(pages: [String]) -> Data {
        var objects: [String] = ["<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
        let pagesNumber = 2 + pages.count * 2
        var kids: [String] = []
        for text in pages {
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
            let stream = "BT /F1 12 Tf 72 720 Td (\(escaped)) Tj ET"
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
            objects.append("<< /Type /Page /Parent \(pagesNumber) 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 1 0 R >> >> /Contents \(objects.count) 0 R >>")
            kids.append("\(objects.count) 0 R")
        }
        objects.append("<< /Type /Pages /Kids [\(kids.joined(separator: " "))] /Count \(pages.count) >>")
        objects.append("<< /Type /Catalog /Pages \(pagesNumber) 0 R >>")
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { out += String(format: "%010d 00000 n \n", offset) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root \(objects.count) 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }

    static func form(title: String = "Border management in the Eastern Caribbean", visibility: String = "public",
                     network: String = "", countries: [String] = ["jm"], action: String = "submit", extra: [(String, String)] = []) -> [(String, String)] {
        [
            ("title", title), ("authors", "López, María\nPérez, Ana"), ("publisher", "IOM"), ("year", "2018"), ("month", "4"),
            ("kind", "report"), ("languages[]", "en"), ("themes[]", "border-management"), ("visibility", visibility),
            ("network", network), ("rights", "CC BY 4.0"), ("abstract", "An assessment of how borders are managed."), ("action", action),
        ] + countries.map { ("countries[]", $0) } + extra
    }

    /// Creates a document directly, published unless told otherwise, and indexes it.
    @discardableResult
    static func document(
        _ app: Application, title: String, body: String = "", abstract: String = "", by user: User,
        status: Document.Status = .published, visibility: Visibility = .public, network: String? = nil,
        countries: [String] = ["jm"], year: Int = 2018, kind: Document.Kind = .report
    ) async throws -> Document {
        var form = DocumentForm()
        form.title = title
        form.abstract = abstract
        form.authors = "López, María"
        form.year = String(year)
        form.kind = kind.rawValue
        form.languages = ["en"]
        form.countries = countries
        form.themes = ["border-management"]
        form.visibility = visibility.rawValue
        form.network = network ?? ""
        form.rights = "CC BY 4.0"
        let references = try await DocumentLibrary.References.load(app.db)
        var files: [DocumentLibrary.StoredFile] = []
        if !body.isEmpty {
            files = try DocumentLibrary.store([.init(name: "body.txt", data: ByteBuffer(string: body))], in: app.cpmg.blobs)
        }
        let document = try await DocumentLibrary.create(form, files: files, status: status, by: user, references: references, app: app, db: app.db, now: Date())
        try await app.cpmg.jobs.runDue(app: app)
        return document
    }
}
