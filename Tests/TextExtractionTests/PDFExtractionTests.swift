import Foundation
import Testing
import TextExtraction

/// Serialized: the tools compete for the machine's cores, and the OCR test checks that no
/// temporary directory is left, which another OCR test running alongside would have open.
@Suite(
    "Text of PDFs through poppler, and OCR through tesseract",
    .serialized, .enabled(if: Tools.hasPoppler, "poppler-utils is not installed")
)
struct PDFExtractionTests {
    let scratch: Scratch
    let extractor = TextExtractor()

    init() throws { scratch = try Scratch() }

    /// Poppler's tools without tesseract, to test what a server without OCR does.
    private func extractorWithoutOCR(limits: ExtractionLimits = .init()) throws -> TextExtractor {
        TextExtractor(limits: limits, searchPath: try Tools.searchPath(in: scratch, real: ["pdftotext", "pdfinfo", "pdftoppm"]))
    }

    @Test("A three-page PDF gives every page's text, pages apart, and its page count")
    func threePages() async throws {
        // given
        let file = try scratch.file("three.pdf", PDFWriter(pages: [
            .text(["Migración en Curaçao", "second line"]),
            .text(["Page two"]),
            .text(["Zanzibar appears only on page three"]),
        ]).data())
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .pdf)
        // then
        #expect(extraction.pageCount == 3)
        #expect(extraction.method == .pdftotext)
        #expect(extraction.text == "Migración en Curaçao\nsecond line\n\nPage two\n\nZanzibar appears only on page three")
        #expect(!extraction.text.contains("\u{C}"))
    }

    @Test("A password-protected PDF is reported as encrypted")
    func encrypted() async throws {
        let file = try scratch.file("locked.pdf", PDFWriter(pages: [.text(["Secret"])], passwordProtected: true).data())
        await #expect(throws: ExtractionError.encrypted) { try await extractor.extract(fileAt: file, kind: .pdf) }
    }

    @Test("Garbage after a PDF header is corrupt, with poppler's complaint")
    func corrupt() async throws {
        // given
        let file = try scratch.file("broken.pdf", Data("%PDF-1.4\n".utf8) + Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        // when
        let error = await #expect(throws: ExtractionError.self) { try await extractor.extract(fileAt: file, kind: .pdf) }
        // then
        guard case .corrupt(let detail)? = error else { Issue.record("expected corrupt, got \(String(describing: error))"); return }
        #expect(detail.localizedCaseInsensitiveContains("error"))
    }

    @Test("A PDF of images only has no text when the server has no OCR")
    func scannedWithoutOCR() async throws {
        // given
        let file = try scratch.file("scan.pdf", PDFWriter(pages: [.drawing, .drawing]).data())
        let extractor = try extractorWithoutOCR()
        #expect(extractor.hasPDFToText && !extractor.hasTesseract)
        // when / then
        await #expect(throws: ExtractionError.scannedNoText) { try await extractor.extract(fileAt: file, kind: .pdf) }
    }

    @Test("OCR of a page with nothing to read still finds no text", .enabled(if: Tools.hasOCR, "tesseract-ocr is not installed: OCR not tested"))
    func blankScanWithOCR() async throws {
        let file = try scratch.file("blank.pdf", PDFWriter(pages: [.drawing]).data())
        await #expect(throws: ExtractionError.scannedNoText) { try await extractor.extract(fileAt: file, kind: .pdf) }
    }

    @Test("A scanned page is read by OCR", .enabled(if: Tools.hasOCR, "tesseract-ocr is not installed: OCR not tested"))
    func scannedWithOCR() async throws {
        // given: a page of large text, rendered to a greyscale bitmap and placed in a PDF as an image
        let source = try scratch.file("source.pdf", PDFWriter(pages: [.text(["MIGRATION POLICY", "CARIBBEAN REPORT"], size: 36)]).data())
        let image = try Self.render(source, in: scratch)
        let file = try scratch.file("scan.pdf", PDFWriter(pages: [.image(width: image.width, height: image.height, pixels: image.pixels)]).data())
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .pdf)
        // then
        #expect(extraction.method == .ocr)
        #expect(extraction.pageCount == 1)
        #expect(extraction.text.uppercased().contains("MIGRATION"))
        #expect(extraction.text.uppercased().contains("CARIBBEAN"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("cpmg-ocr-") }
        #expect(leftovers.isEmpty, "OCR temporary directories are removed")
    }

    @Test("A pdftotext that hangs is stopped at the timeout, leaving no process behind")
    func timeout() async throws {
        // given: a fake pdftotext that ignores SIGTERM and forks a sleeping child
        let pidFile = scratch.path("fake.pid")
        let searchPath = try Tools.searchPath(in: scratch, real: ["pdfinfo"], fakes: [
            "pdftotext": "#!/bin/sh\ntrap '' TERM\necho $$ > '\(pidFile.path)'\nsleep 30\n",
        ])
        let extractor = TextExtractor(limits: ExtractionLimits(timeout: .seconds(1)), searchPath: searchPath)
        let file = try scratch.file("slow.pdf", PDFWriter(pages: [.text(["Slow"])]).data())
        let clock = ContinuousClock()
        // when
        let start = clock.now
        await #expect(throws: ExtractionError.timedOut) { try await extractor.extract(fileAt: file, kind: .pdf) }
        // then: SIGTERM after 1 s is ignored, SIGKILL follows 2 s later
        #expect(clock.now - start < .seconds(6))
        let group = try #require(Int32(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.livingProcesses(inGroup: group).isEmpty)
    }

    @Test("PDF text past the output limit is cut and marked truncated")
    func outputCap() async throws {
        // given
        let lines = (1...40).map { "Line \($0) of the Curaçao migration report" }
        let file = try scratch.file("long.pdf", PDFWriter(pages: [.text(lines, size: 10), .text(lines, size: 10)]).data())
        let extractor = TextExtractor(limits: ExtractionLimits(maxOutputBytes: 200))
        // when
        let extraction = try await extractor.extract(fileAt: file, kind: .pdf)
        // then
        #expect(extraction.truncated)
        #expect(extraction.text.utf8.count <= 200)
        #expect(extraction.text.hasPrefix("Line 1 of the Curaçao"))
    }

    @Test("Without pdftotext the error names the package to install")
    func toolMissing() async throws {
        // given
        let extractor = TextExtractor(searchPath: [scratch.url.path])
        let file = try scratch.file("a.pdf", PDFWriter(pages: [.text(["x"])]).data())
        // when / then
        #expect(!extractor.hasPDFToText)
        await #expect(throws: ExtractionError.toolMissing("pdftotext")) { try await extractor.extract(fileAt: file, kind: .pdf) }
        #expect(ExtractionError.toolMissing("pdftotext").description.contains("poppler-utils"))
    }

    // MARK: - Helpers

    /// Renders page 1 of `pdf` at 100 dpi to an 8-bit greyscale bitmap with pdftoppm.
    static func render(_ pdf: URL, in scratch: Scratch) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Tools.locate("pdftoppm")))
        let output = scratch.path("render")
        process.arguments = ["-r", "100", "-gray", "-singlefile", pdf.path, output.path]
        try process.run()
        process.waitUntilExit()
        // PGM: "P5\n<width> <height>\n255\n" then one byte per pixel.
        let bytes = [UInt8](try Data(contentsOf: output.appendingPathExtension("pgm")))
        var fields: [Int] = []
        var index = 2
        while fields.count < 3 {
            while bytes[index] == 0x20 || bytes[index] == 0x0A { index += 1 }
            var value = 0
            while bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            fields.append(value)
        }
        return (fields[0], fields[1], Array(bytes[(index + 1)...]))
    }

    /// Processes of the group that are still alive (zombies waiting for a reaper count as gone).
    static func livingProcesses(inGroup group: Int32) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            // After "(command)": state, ppid, pgrp.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group
        }
    }
}

@Test("poppler-utils is installed, so PDFs can be read (install it with apt-get install poppler-utils)")
func popplerInstalled() {
    #expect(Tools.hasPoppler)
}
