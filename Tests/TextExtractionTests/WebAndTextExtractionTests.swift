import Foundation
import Testing
import TextExtraction

@Suite("Text of HTML, Markdown and plain text files")
struct WebAndTextExtractionTests {
    let scratch: Scratch
    let extractor = TextExtractor()

    init() throws { scratch = try Scratch() }

    @Test("HTML gives its title and visible text, without scripts, styles or comments, entities decoded")
    func html() async throws {
        // given
        let file = try scratch.file("page.html", text: """
            <!DOCTYPE html>
            <html><head><title>Migración &amp; Curaçao</title>
            <style>body { color: red; }</style>
            <script>var secret = "<p>not text</p>";</script></head>
            <body><!-- a comment -->
            <h1>Caf&eacute;   policy</h1><p>Line&nbsp;one<br>Line two &#233; &#xE9; &lt;b&gt; &quot;q&quot; &apos;a&apos; &unknown; a &lt; b</p>
            <noscript>enable JavaScript</noscript><svg><text>chart label</text></svg>
            <ul><li>First</li><li>Second</li></ul>
            <table><tr><td>Aruba</td><td>Bonaire</td></tr></table>
            <template><p>hidden</p></template>
            </body></html>
            """)
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .html)
        // then
        #expect(extraction.method == .html)
        #expect(extraction.text == """
            Migración & Curaçao

            Café policy

            Line one
            Line two é é <b> "q" 'a' &unknown; a < b

            First
            Second

            Aruba\tBonaire
            """)
    }

    @Test("UTF-8 text keeps its accents, and control characters and extra blank lines go")
    func utf8() async throws {
        // given
        let file = try scratch.file("notes.txt", text: "\u{FEFF}  Migración\r\nCuraçao\u{0}\u{7}\n\n\n\n\nend  \n\n")
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .text)
        // then
        #expect(extraction.text == "Migración\nCuraçao\n\nend")
        #expect(extraction.method == .plain)
    }

    @Test("UTF-16 with a byte order mark is decoded, little- or big-endian")
    func utf16() async throws {
        // given
        let little = try scratch.file("le.txt", Data([0xFF, 0xFE]) + "Migración en Curaçao".data(using: .utf16LittleEndian)!)
        let big = try scratch.file("be.txt", Data([0xFE, 0xFF]) + "Migración en Curaçao".data(using: .utf16BigEndian)!)
        // when / then
        #expect(try await extractor.extract(fileAt: little, kind: .text).text == "Migración en Curaçao")
        #expect(try await extractor.extract(fileAt: big, kind: .text).text == "Migración en Curaçao")
    }

    @Test("Text that is not UTF-8 is read as Latin-1 (Windows-1252)")
    func latin1() async throws {
        // given: "Migración en Curaçao – 2024" with a Windows-1252 en dash (0x96)
        let bytes: [UInt8] = Array("Migraci".utf8) + [0xF3] + Array("n en Cura".utf8) + [0xE7] + Array("ao ".utf8) + [0x96] + Array(" 2024".utf8)
        let file = try scratch.file("latin1.txt", Data(bytes))
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .text)
        // then
        #expect(extraction.text == "Migración en Curaçao – 2024")
    }

    @Test("Markdown keeps its words but not heading marks or link targets")
    func markdown() async throws {
        // given
        let file = try scratch.file("guide.md", text: """
            # Migración

            See [the Curaçao report](https://example.org/report.pdf) and ![a map](map.png).
            #hashtag stays
            """)
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .markdown)
        // then
        #expect(extraction.text == "Migración\n\nSee the Curaçao report and a map.\n#hashtag stays")
    }

    @Test("An empty or blank text file is empty")
    func empty() async throws {
        let empty = try scratch.file("empty.txt", Data())
        let blank = try scratch.file("blank.txt", text: " \n\n\t \n")
        await #expect(throws: ExtractionError.empty) { try await extractor.extract(fileAt: empty, kind: .text) }
        await #expect(throws: ExtractionError.empty) { try await extractor.extract(fileAt: blank, kind: .text) }
    }

    @Test("A text file past the output limit is cut on a character boundary and marked truncated")
    func outputCap() async throws {
        // given: two-byte characters, so a byte limit of 11 falls inside one
        let file = try scratch.file("long.txt", text: String(repeating: "é", count: 100))
        let extractor = TextExtractor(limits: ExtractionLimits(maxOutputBytes: 11))
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .text)
        // then
        #expect(extraction.truncated)
        #expect(extraction.text == String(repeating: "é", count: 5))
    }

    @Test("Every error explains itself in a sentence")
    func descriptions() {
        let errors: [ExtractionError] = [
            .notSearchable(.png), .empty, .encrypted, .corrupt("bad xref"), .timedOut, .tooLarge, .scannedNoText, .toolMissing("tesseract"),
        ]
        for error in errors {
            #expect(error.description.hasSuffix("."))
        }
        #expect(ExtractionError.notSearchable(.png).description.contains("PNG image"))
        #expect(ExtractionError.toolMissing("tesseract").description.contains("tesseract-ocr"))
        #expect(ExtractionError.corrupt("bad xref").description.contains("bad xref"))
    }
}
