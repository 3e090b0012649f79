/// Why no text could be read from a file. `description` is a sentence to show the person who
/// uploaded it, or an administrator when a tool is missing.
public enum ExtractionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This kind of file is stored but never searched (images, spreadsheets, archives…).
    case notSearchable(FileKind)
    /// The file is empty, or holds no text at all.
    case empty
    /// The PDF needs a password to open.
    case encrypted
    /// The file is damaged or is not what its kind says; the associated text is the reader's
    /// own complaint (for PDFs, the first error line from poppler).
    case corrupt(String)
    /// Reading took longer than ``ExtractionLimits/timeout``.
    case timedOut
    /// A ZIP-based file unpacks to more than ``ExtractionLimits/maxUncompressedBytes``.
    case tooLarge
    /// A PDF with no text layer, and either no OCR on this server or OCR found no text.
    case scannedNoText
    /// A program the extraction needs (`pdftotext`, `pdfinfo`…) is not installed or cannot run.
    case toolMissing(String)

    public var description: String {
        switch self {
        case .notSearchable(let kind):
            "Text is not read from a \(kind.label) file, so it will not appear in search results; upload a PDF, Word, PowerPoint, OpenDocument, HTML, Markdown or text file to make the content searchable."
        case .empty:
            "The file contains no text; check that the right file was uploaded."
        case .encrypted:
            "The PDF is protected by a password; upload a copy saved without a password."
        case .corrupt(let detail):
            "The file could not be read (\(detail)); it may be damaged or not the type it claims to be, so open it, save or export it again, and re-upload it."
        case .timedOut:
            "Reading the text took too long and was stopped; the file may be very large or malformed, so try splitting it or exporting it again."
        case .tooLarge:
            "The file unpacks to more data than is allowed; it may be malformed, so save it again or split it into smaller files."
        case .scannedNoText:
            "The PDF has no text layer (it looks like a scan) and no text could be recognised in it; run it through OCR before uploading, or install tesseract-ocr on the server."
        case .toolMissing(let tool):
            "The \(tool) program is not installed or could not be run on the server; install the \(Self.package(providing: tool)) package."
        }
    }

    private static func package(providing tool: String) -> String {
        switch tool {
        case "tesseract": "tesseract-ocr"
        default: "poppler-utils"
        }
    }
}
