import Foundation
import Testing
import TextExtraction

@Suite("Text of Word, PowerPoint and OpenDocument files")
struct OfficeExtractionTests {
    let scratch: Scratch
    let extractor = TextExtractor()

    init() throws { scratch = try Scratch() }

    @Test("A Word document gives its paragraphs, tabs, breaks and footnotes with accents and entities intact")
    func docx() async throws {
        // given
        let file = scratch.path("policy.docx")
        try ZipFixtures.docx(
            at: file,
            bodyXML: """
                <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>\
                <w:r><w:t>Migración a Curaçao</w:t></w:r></w:p>\
                <w:p><w:r><w:t>Name</w:t><w:tab/><w:t xml:space="preserve">Fish &amp; Chips &lt;3</w:t>\
                <w:br/><w:t>second line</w:t></w:r></w:p>\
                <w:p><w:r><w:delText>deleted words</w:delText><w:t>kept</w:t></w:r></w:p>
                """,
            footnotesXML: "<w:footnote><w:p><w:r><w:t>A footnote from Aruba</w:t></w:r></w:p></w:footnote>"
        )
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .docx)
        // then
        #expect(extraction.text == "Migración a Curaçao\nName\tFish & Chips <3\nsecond line\nkept\n\nA footnote from Aruba")
        #expect(extraction.method == .xml)
        #expect(extraction.pageCount == nil)
        #expect(extraction.truncated == false)
    }

    @Test("Text in decomposed Unicode comes out composed (NFC)")
    func nfc() async throws {
        // given: "c" + COMBINING CEDILLA
        let file = scratch.path("nfc.docx")
        try ZipFixtures.docx(at: file, paragraphs: ["Curac\u{0327}ao"])
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .docx)
        // then
        #expect(extraction.text.unicodeScalars.elementsEqual("Cura\u{E7}ao".unicodeScalars))
    }

    @Test("A presentation gives its slides in numeric order, with the slide count as pages")
    func pptx() async throws {
        // given: eleven slides, so slide10 and slide11 must not sort before slide2
        let file = scratch.path("deck.pptx")
        let slides = (1...11).map { ["Slide \($0) título", "Punto \($0)"] }
        try ZipFixtures.pptx(at: file, slides: slides)
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .pptx)
        // then
        let expected = (1...11).map { "Slide \($0) título\nPunto \($0)" }.joined(separator: "\n\n")
        #expect(extraction.text == expected)
        #expect(extraction.pageCount == 11)
    }

    @Test("An OpenDocument text gives headings and paragraphs, with text:s, text:tab and spans")
    func odt() async throws {
        // given
        let file = scratch.path("report.odt")
        try ZipFixtures.openDocument(at: file, kind: "text", bodyXML: """
            <office:text><text:h text:outline-level="1">Migración</text:h>
            <text:p>Curaçao<text:s text:c="3"/>and <text:span>Bonaire</text:span><text:tab/>2024</text:p>
            <text:p>Line one<text:line-break/>line two &#233;</text:p></office:text>
            """)
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .odt)
        // then
        #expect(extraction.text == "Migración\nCuraçao   and Bonaire\t2024\nLine one\nline two é")
        #expect(extraction.pageCount == nil)
    }

    @Test("An OpenDocument presentation counts its pages")
    func odp() async throws {
        // given
        let file = scratch.path("slides.odp")
        try ZipFixtures.openDocument(at: file, kind: "presentation", bodyXML: """
            <office:presentation><draw:page><draw:frame><draw:text-box><text:p>Primera</text:p></draw:text-box></draw:frame></draw:page>\
            <draw:page><draw:frame><draw:text-box><text:p>Segunda</text:p></draw:text-box></draw:frame></draw:page></office:presentation>
            """)
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .odp)
        // then
        #expect(extraction.text == "Primera\nSegunda")
        #expect(extraction.pageCount == 2)
    }

    @Test("A Word document with no text is empty")
    func emptyDocx() async throws {
        let file = scratch.path("blank.docx")
        try ZipFixtures.docx(at: file, bodyXML: "<w:p/>")
        await #expect(throws: ExtractionError.empty) { try await extractor.extract(fileAt: file, kind: .docx) }
    }

    @Test("Malformed XML, a missing document part and a broken ZIP are corrupt")
    func corrupt() async throws {
        // given
        let badXML = scratch.path("bad.docx"), noBody = scratch.path("nobody.docx")
        try ZipFixtures.docx(at: badXML, bodyXML: "<w:p><w:r><w:t>unclosed</w:r>")
        try ZipFixtures.zip(at: noBody, [("word/styles.xml", "<styles/>")])
        let notZip = try scratch.file("junk.docx", Data("PK\u{3}\u{4} this is not really a zip".utf8))
        // when / then
        for file in [badXML, noBody, notZip] {
            do {
                _ = try await extractor.extract(fileAt: file, kind: .docx)
                Issue.record("\(file.lastPathComponent) should not extract")
            } catch {
                guard case .corrupt = error else { Issue.record("\(file.lastPathComponent): \(error)"); continue }
            }
        }
    }

    @Test("A document declaring entities (a billion-laughs attack) is refused, not expanded")
    func entityExpansion() async throws {
        // given
        let file = scratch.path("laughs.docx")
        try ZipFixtures.zip(at: file, [("word/document.xml", """
            <?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <w:document xmlns:w="\(ZipFixtures.wordNamespace)"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>
            """)])
        // when / then
        await #expect(throws: ExtractionError.corrupt("word/document.xml declares a DTD")) {
            try await extractor.extract(fileAt: file, kind: .docx)
        }
    }

    @Test("A zip bomb stops at the unpacked-size limit, quickly")
    func zipBomb() async throws {
        // given: 50 MB of spaces as the document, against a 10 MB limit
        let file = scratch.path("bomb.docx")
        try ZipFixtures.bomb(at: file, path: "word/document.xml", size: 50_000_000)
        let extractor = TextExtractor(limits: ExtractionLimits(maxUncompressedBytes: 10_000_000))
        let clock = ContinuousClock()
        // when
        let start = clock.now
        await #expect(throws: ExtractionError.tooLarge) { try await extractor.extract(fileAt: file, kind: .docx) }
        // then
        #expect(clock.now - start < .seconds(3))
    }

    @Test("A zip bomb that lies about its unpacked size is still stopped at the limit")
    func lyingZipBomb() async throws {
        // given: the headers claim 100 bytes
        let file = scratch.path("liar.docx")
        try ZipFixtures.bomb(at: file, path: "word/document.xml", size: 20_000_000)
        try ZipFixtures.declareUncompressedSize(100, in: file)
        let extractor = TextExtractor(limits: ExtractionLimits(maxUncompressedBytes: 1_000_000))
        // when / then
        await #expect(throws: ExtractionError.tooLarge) { try await extractor.extract(fileAt: file, kind: .docx) }
    }

    @Test("Text past the output limit is cut and marked truncated")
    func outputCap() async throws {
        // given
        let file = scratch.path("long.docx")
        try ZipFixtures.docx(at: file, paragraphs: (1...2000).map { "Paragraph \($0) about Curaçao." })
        let extractor = TextExtractor(limits: ExtractionLimits(maxOutputBytes: 1000))
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .docx)
        // then
        #expect(extraction.truncated)
        #expect(extraction.text.utf8.count <= 1000)
        #expect(extraction.text.hasPrefix("Paragraph 1 about Curaçao.\nParagraph 2"))
    }

    @Test("Spreadsheets, images and archives are not searchable")
    func notSearchable() async throws {
        let file = try scratch.file("sheet.xlsx", Data("irrelevant".utf8))
        for kind in [FileKind.xlsx, .ods, .png, .jpeg, .gif, .webp, .tiff, .zip, .unknown] {
            await #expect(throws: ExtractionError.notSearchable(kind)) { try await extractor.extract(fileAt: file, kind: kind) }
        }
    }
}
