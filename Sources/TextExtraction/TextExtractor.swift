import Foundation

/// Reads the searchable text out of uploaded files. A value: hold one in the application and
/// give tests one with other limits or a search path of fake tools.
public struct TextExtractor: Sendable {
    /// Absolute paths of the external programs found on the search path.
    struct Tools: Sendable {
        var pdftotext: String?
        var pdfinfo: String?
        var pdftoppm: String?
        var tesseract: String?
    }

    public var limits: ExtractionLimits
    let tools: Tools

    /// Directories of the `PATH` environment variable, or the usual ones if it is not set.
    public static var environmentSearchPath: [String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map(String.init)
    }

    /// Looks the tools up once, now; a tool installed later needs a new extractor.
    public init(limits: ExtractionLimits = .init(), searchPath: [String] = TextExtractor.environmentSearchPath) {
        self.limits = limits
        func find(_ name: String) -> String? {
            searchPath.lazy
                .map { URL(fileURLWithPath: $0).appendingPathComponent(name).path }
                .first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        tools = Tools(pdftotext: find("pdftotext"), pdfinfo: find("pdfinfo"), pdftoppm: find("pdftoppm"), tesseract: find("tesseract"))
    }

    /// Whether PDFs can be read: needs both `pdftotext` and `pdfinfo` (poppler-utils).
    public var hasPDFToText: Bool { tools.pdftotext != nil && tools.pdfinfo != nil }
    /// Whether scanned PDFs can be read: needs `tesseract` (tesseract-ocr) and `pdftoppm`.
    public var hasTesseract: Bool { tools.tesseract != nil && tools.pdftoppm != nil }

    /// Reads the text of the file at `url`, which ``FileSniffer`` found to be of `kind`.
    ///
    /// Slow work (tools, unzipping, XML) runs off the Swift concurrency threads, and all of it
    /// together is bounded by ``ExtractionLimits/timeout``.
    public func extract(fileAt url: URL, kind: FileKind) async throws(ExtractionError) -> Extraction {
        guard kind.isSearchable else { throw .notSearchable(kind) }
        let deadline = Deadline(after: limits.timeout)
        let raw: Extraction
        switch kind {
        case .pdf:
            raw = try await PDFText(tools: tools, limits: limits).extract(at: url, deadline: deadline)
        case .docx, .pptx, .odt, .odp:
            let limits = limits
            raw = try await Self.offload { () throws(ExtractionError) in
                let result = try OfficeText.extract(kind, at: url, limits: limits, deadline: deadline)
                return Extraction(text: result.text, pageCount: result.pageCount, truncated: result.truncated, method: .xml)
            }
        case .html, .markdown, .text:
            let maxBytes = limits.maxUncompressedBytes
            raw = try await Self.offload { () throws(ExtractionError) in
                let (bytes, cut) = try PlainText.read(url, maxBytes: maxBytes)
                guard !bytes.isEmpty else { throw .empty }
                let decoded = TextDecoding.decode(bytes, isPrefix: cut)
                switch kind {
                case .html: return Extraction(text: HTMLText.text(of: decoded), truncated: cut, method: .html)
                case .markdown: return Extraction(text: PlainText.markdownText(decoded), truncated: cut, method: .plain)
                default: return Extraction(text: decoded, truncated: cut, method: .plain)
                }
            }
        default:
            throw .notSearchable(kind)
        }
        return try await Self.offload { () throws(ExtractionError) in try finish(raw) }
    }

    /// Normalises the text and applies the output cap.
    private func finish(_ raw: Extraction) throws(ExtractionError) -> Extraction {
        let (text, cut) = TextNormalization.cap(TextNormalization.normalize(raw.text), maxBytes: limits.maxOutputBytes)
        guard !text.isEmpty else { throw raw.method == .pdftotext || raw.method == .ocr ? .scannedNoText : .empty }
        return Extraction(text: text, pageCount: raw.pageCount, truncated: raw.truncated || cut, method: raw.method)
    }

    /// Runs CPU-bound work on a dispatch thread, so a large document cannot hold one of the few
    /// Swift concurrency threads for seconds.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws(ExtractionError) -> T) async throws(ExtractionError) -> T {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, ExtractionError>, Never>) in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: Result { () throws(ExtractionError) in try work() })
            }
        }
        return try result.get()
    }
}
