import Foundation

/// PDF text through poppler's command-line tools, with OCR by tesseract for scans.
struct PDFText: Sendable {
    let tools: TextExtractor.Tools
    let limits: ExtractionLimits

    func extract(at url: URL, deadline: Deadline) async throws(ExtractionError) -> Extraction {
        guard let pdftotext = tools.pdftotext else { throw .toolMissing("pdftotext") }
        guard let pdfinfo = tools.pdfinfo else { throw .toolMissing("pdfinfo") }

        let info = try await run(pdfinfo, [url.path], deadline: deadline, maxOutputBytes: 1_000_000)
        guard info.succeeded else {
            if Self.needsPassword(info) { throw .encrypted }
            throw .corrupt(info.errorSummary)
        }
        let fields = Self.fields(of: info)
        let pageCount = fields["Pages"].flatMap { Int($0) }
        // "Encrypted: yes" alone is not fatal: a PDF with only an owner password (no copying,
        // no printing) opens without one and pdftotext reads it; only a failure below is.
        let isEncrypted = fields["Encrypted"]?.hasPrefix("yes") == true

        let output = try await run(
            pdftotext, ["-enc", "UTF-8", "-eol", "unix", url.path, "-"],
            deadline: deadline, maxOutputBytes: limits.maxOutputBytes
        )
        guard output.succeeded || output.outputTruncated else {
            if isEncrypted || Self.needsPassword(output) || output.termination == .exited(3) { throw .encrypted }
            throw .corrupt(output.errorSummary)
        }
        // pdftotext ends every page with a form feed; normalisation makes each a blank line.
        let text = Self.decodeCut(output.standardOutput)
        guard text.contains(where: { !$0.isWhitespace }) else {
            return try await recognise(url, pageCount: pageCount, deadline: deadline)
        }
        return Extraction(text: text, pageCount: pageCount, truncated: output.outputTruncated, method: .pdftotext)
    }

    // MARK: - OCR

    /// Renders the pages one at a time and reads each with tesseract, so that when time runs out
    /// the pages already read are kept (marked truncated) instead of all the work being lost.
    private func recognise(_ url: URL, pageCount: Int?, deadline: Deadline) async throws(ExtractionError) -> Extraction {
        guard let pdftoppm = tools.pdftoppm, let tesseract = tools.tesseract else { throw .scannedNoText }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cpmg-ocr-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .corrupt("no temporary directory for OCR: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }

        let pages = min(pageCount ?? limits.maxOCRPages, limits.maxOCRPages)
        var texts: [String] = []
        var truncated = (pageCount ?? 0) > pages
        for page in 1...max(pages, 1) {
            do throws(ExtractionError) {
                let image = directory.appendingPathComponent("page-\(page)")
                let rendered = try await run(
                    pdftoppm, ["-r", "150", "-png", "-f", "\(page)", "-l", "\(page)", "-singlefile", url.path, image.path],
                    deadline: deadline, maxOutputBytes: 1_000_000
                )
                guard rendered.succeeded else {
                    if texts.isEmpty && page == 1 { throw .corrupt(rendered.errorSummary) }
                    break
                }
                // One thread per tesseract: the server runs several extractions side by side.
                let recognised = try await run(
                    tesseract, [image.path + ".png", "stdout"], environment: ["OMP_THREAD_LIMIT": "1"],
                    deadline: deadline, maxOutputBytes: limits.maxOutputBytes
                )
                try? FileManager.default.removeItem(at: image.appendingPathExtension("png"))
                if recognised.succeeded || recognised.outputTruncated {
                    texts.append(Self.decodeCut(recognised.standardOutput))
                }
                if recognised.outputTruncated {
                    truncated = true
                    break
                }
            } catch .timedOut where texts.contains(where: { $0.contains { !$0.isWhitespace } }) {
                truncated = true
                break
            }
        }
        let text = texts.joined(separator: "\n\n")
        guard text.contains(where: { !$0.isWhitespace }) else { throw .scannedNoText }
        return Extraction(text: text, pageCount: pageCount, truncated: truncated, method: .ocr)
    }

    // MARK: - Helpers

    private func run(
        _ tool: String, _ arguments: [String], environment: [String: String] = [:],
        deadline: Deadline, maxOutputBytes: Int
    ) async throws(ExtractionError) -> SubprocessResult {
        let result = try await Subprocess.run(
            tool, arguments, environment: environment, timeout: deadline.remaining, maxOutputBytes: maxOutputBytes
        )
        if result.timedOut { throw .timedOut }
        return result
    }

    private static func needsPassword(_ result: SubprocessResult) -> Bool {
        let errors = String(decoding: result.standardError, as: UTF8.self)
        return errors.localizedCaseInsensitiveContains("password") || errors.localizedCaseInsensitiveContains("not allowed")
    }

    /// `Key: value` lines of pdfinfo.
    private static func fields(of result: SubprocessResult) -> [String: String] {
        var fields: [String: String] = [:]
        for line in String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// UTF-8 output that may have been cut in the middle of a character by the output cap.
    private static func decodeCut(_ data: Data) -> String {
        String(decoding: TextDecoding.droppingCutCharacter(Array(data)), as: UTF8.self)
    }
}
