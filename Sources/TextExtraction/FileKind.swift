/// The kinds of file the repository accepts, decided from content by ``FileSniffer``.
public enum FileKind: String, Sendable, CaseIterable, Codable {
    case pdf, docx, pptx, xlsx, odt, odp, ods, html, markdown, text, png, jpeg, gif, webp, tiff, zip, unknown

    /// The media type to serve the file with. Text kinds say UTF-8 because the sniffer only calls
    /// a file text when it is UTF-8, or UTF-16 with a byte order mark (which browsers honour first).
    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .odt: "application/vnd.oasis.opendocument.text"
        case .odp: "application/vnd.oasis.opendocument.presentation"
        case .ods: "application/vnd.oasis.opendocument.spreadsheet"
        case .html: "text/html; charset=utf-8"
        case .markdown: "text/markdown; charset=utf-8"
        case .text: "text/plain; charset=utf-8"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .tiff: "image/tiff"
        case .zip: "application/zip"
        case .unknown: "application/octet-stream"
        }
    }

    /// Whether ``TextExtractor`` can read text out of this kind for the search index.
    public var isSearchable: Bool {
        switch self {
        case .pdf, .docx, .pptx, .odt, .odp, .html, .markdown, .text: true
        case .xlsx, .ods, .png, .jpeg, .gif, .webp, .tiff, .zip, .unknown: false
        }
    }

    /// The usual file name extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .markdown: "md"
        case .text: "txt"
        case .jpeg: "jpg"
        case .unknown: "bin"
        default: rawValue
        }
    }

    /// A name for people, as in "Upload a PDF or a Word document".
    public var label: String {
        switch self {
        case .pdf: "PDF"
        case .docx: "Word document"
        case .pptx: "PowerPoint presentation"
        case .xlsx: "Excel workbook"
        case .odt: "OpenDocument text"
        case .odp: "OpenDocument presentation"
        case .ods: "OpenDocument spreadsheet"
        case .html: "Web page"
        case .markdown: "Markdown document"
        case .text: "Plain text"
        case .png: "PNG image"
        case .jpeg: "JPEG image"
        case .gif: "GIF image"
        case .webp: "WebP image"
        case .tiff: "TIFF image"
        case .zip: "ZIP archive"
        case .unknown: "Unrecognised file"
        }
    }
}
