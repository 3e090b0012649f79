import Foundation
import Testing
import TextExtraction

@Suite("Sniffing file kinds from content")
struct FileSnifferTests {
    let scratch: Scratch

    init() throws { scratch = try Scratch() }

    private func kind(of data: Data, named name: String) throws -> FileKind {
        try FileSniffer.kind(ofFileAt: scratch.file(UUID().uuidString, data), fileName: name)
    }

    @Test("A PNG named report.pdf is a PNG")
    func pngWithPDFName() throws {
        // given
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]) + Data("IHDR".utf8)
        // when
        let kind = try kind(of: png, named: "report.pdf")
        // then
        #expect(kind == .png)
    }

    @Test("A PDF named notes.txt is a PDF")
    func pdfWithTextName() throws {
        let pdf = PDFWriter(pages: [.text(["Hello"])]).data()
        #expect(try kind(of: pdf, named: "notes.txt") == .pdf)
    }

    @Test("JPEG, GIF, WebP and TIFF are known by their magic bytes, whatever their name")
    func images() throws {
        // given
        let samples: [(Data, FileKind)] = [
            (Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]) + Data("JFIF".utf8), .jpeg),
            (Data("GIF89a".utf8) + Data([1, 0, 1, 0]), .gif),
            (Data("RIFF".utf8) + Data([0x24, 0, 0, 0]) + Data("WEBPVP8 ".utf8), .webp),
            (Data([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]), .tiff),
            (Data([0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8]), .tiff),
        ]
        for (data, expected) in samples {
            // when / then
            #expect(try kind(of: data, named: "document.docx") == expected)
        }
    }

    @Test("Office and OpenDocument files are told apart by the entries inside the ZIP")
    func zipBasedKinds() throws {
        // given
        let docx = scratch.path("a.bin"), pptx = scratch.path("b.bin"), xlsx = scratch.path("c.bin")
        let odt = scratch.path("d.bin"), odp = scratch.path("e.bin"), ods = scratch.path("f.bin"), zip = scratch.path("g.docx")
        try ZipFixtures.docx(at: docx, paragraphs: ["Curaçao"])
        try ZipFixtures.pptx(at: pptx, slides: [["One"]])
        try ZipFixtures.xlsx(at: xlsx)
        try ZipFixtures.openDocument(at: odt, kind: "text", bodyXML: "")
        try ZipFixtures.openDocument(at: odp, kind: "presentation", bodyXML: "")
        try ZipFixtures.openDocument(at: ods, kind: "spreadsheet", bodyXML: "")
        try ZipFixtures.zip(at: zip, [("readme.txt", "just a zip")])
        // when
        let kinds = try [docx, pptx, xlsx, odt, odp, ods, zip].map { try FileSniffer.kind(ofFileAt: $0, fileName: $0.lastPathComponent) }
        // then
        #expect(kinds == [.docx, .pptx, .xlsx, .odt, .odp, .ods, .zip])
    }

    @Test("HTML is recognised by its doctype, after a byte order mark and comments, or by an early <body>")
    func html() throws {
        #expect(try kind(of: Data("<!DOCTYPE html><html><body>Hi</body></html>".utf8), named: "page.txt") == .html)
        #expect(try kind(of: Data([0xEF, 0xBB, 0xBF]) + Data("\n <!-- saved --> <HTML lang=en>".utf8), named: "x") == .html)
        #expect(try kind(of: Data("<meta charset=utf-8>\n<body><p>Migración</p></body>".utf8), named: "x.txt") == .html)
    }

    @Test("Text files are plain text or Markdown by the name's hint")
    func textAndMarkdown() throws {
        // given
        let text = Data("# Migración en Curaçao\n\nNotes.\n".utf8)
        // when / then
        #expect(try kind(of: text, named: "notes.md") == .markdown)
        #expect(try kind(of: text, named: "NOTES.Markdown") == .markdown)
        #expect(try kind(of: text, named: "notes.txt") == .text)
        #expect(try FileSniffer.kind(ofFileAt: scratch.file("n", text), fileName: nil) == .text)
    }

    @Test("Markdown that mentions <body> early stays Markdown")
    func markdownMentioningHTML() throws {
        #expect(try kind(of: Data("Put scripts before `</body>` closes.\n".utf8), named: "tips.md") == .markdown)
    }

    @Test("UTF-16 with a byte order mark is text")
    func utf16() throws {
        let data = Data([0xFF, 0xFE]) + "Migración".data(using: .utf16LittleEndian)!
        #expect(try kind(of: data, named: "x") == .text)
    }

    @Test("Binary junk and Latin-1 text are unknown, since only UTF-8 and UTF-16 count as text")
    func unknown() throws {
        #expect(try kind(of: Data([0x00, 0x01, 0x02, 0xFF, 0x10, 0x00]), named: "x.txt") == .unknown)
        #expect(try kind(of: Data("Migraci\u{F3}n".unicodeScalars.map { UInt8($0.value) }), named: "x.txt") == .unknown)
        #expect(try kind(of: Data("bell\u{7}\u{7}\u{7}\u{7}".utf8), named: "x.txt") == .unknown)
    }

    @Test("An empty file cannot be sniffed")
    func empty() throws {
        #expect(throws: ExtractionError.empty) { try kind(of: Data(), named: "empty.pdf") }
    }

    @Test("A long UTF-8 file cut mid-character by the sample is still text")
    func sampleBoundary() throws {
        // given: "é" is two bytes; 8191 ASCII bytes put one across the 8 KiB the sniffer samples
        let data = Data(String(repeating: "a", count: 8191).utf8) + Data("ééé".utf8)
        #expect(try kind(of: data, named: "long.txt") == .text)
    }

    @Test("Every kind has a media type, an extension and a label")
    func kindProperties() {
        for kind in FileKind.allCases {
            #expect(!kind.mediaType.isEmpty && !kind.fileExtension.isEmpty && !kind.label.isEmpty)
        }
        #expect(FileKind.docx.mediaType == "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        #expect(FileKind.markdown.mediaType == "text/markdown; charset=utf-8")
        #expect(FileKind.allCases.filter(\.isSearchable) == [.pdf, .docx, .pptx, .odt, .odp, .html, .markdown, .text])
    }
}
