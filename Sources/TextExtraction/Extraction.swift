/// Text read from one file, ready for the search index.
public struct Extraction: Sendable, Equatable {
    /// How the text was obtained.
    public enum Method: String, Sendable, Equatable, Codable {
        /// `pdftotext` read the PDF's text layer.
        case pdftotext
        /// The PDF had no text layer; its pages were rendered and read by tesseract.
        case ocr
        /// Read from the XML inside an Office Open XML or OpenDocument file.
        case xml
        /// Read from HTML markup.
        case html
        /// Decoded plain text or Markdown.
        case plain
    }

    /// NFC-normalised text: no control characters but newline and tab, at most one blank line in a
    /// row, pages and slides separated by a blank line, no leading or trailing whitespace.
    public var text: String
    /// Pages of a PDF or slides of a presentation; `nil` where the format has no fixed pages.
    public var pageCount: Int?
    /// More text was there than ``ExtractionLimits/maxOutputBytes`` allowed (or, for OCR, than
    /// the time or page limit allowed); `text` holds the beginning.
    public var truncated: Bool
    public var method: Method

    public init(text: String, pageCount: Int? = nil, truncated: Bool = false, method: Method) {
        self.text = text
        self.pageCount = pageCount
        self.truncated = truncated
        self.method = method
    }
}

/// Bounds on the work and memory one extraction may use.
public struct ExtractionLimits: Sendable, Equatable {
    /// Wall-clock time for the whole extraction, all tool runs included. A tool still running then
    /// gets SIGTERM, then SIGKILL two seconds later, and the extraction throws
    /// ``ExtractionError/timedOut``, except that OCR keeps the pages it had already read.
    public var timeout: Duration
    /// UTF-8 bytes of text kept; the rest is cut and ``Extraction/truncated`` is set.
    public var maxOutputBytes: Int
    /// Bytes that may be decompressed from a ZIP-based file, all entries together (so also the most
    /// any one entry may hold); past it the extraction throws ``ExtractionError/tooLarge``. Plain
    /// text and HTML files are read up to this many bytes, the rest counting as truncated.
    public var maxUncompressedBytes: Int
    /// Pages of a scanned PDF read by OCR; later pages are left out and the result is truncated.
    public var maxOCRPages: Int

    public init(
        timeout: Duration = .seconds(60),
        maxOutputBytes: Int = 5_000_000,
        maxUncompressedBytes: Int = 100_000_000,
        maxOCRPages: Int = 30
    ) {
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
        self.maxUncompressedBytes = maxUncompressedBytes
        self.maxOCRPages = maxOCRPages
    }
}
