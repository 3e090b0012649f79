import Foundation

/// Decides what a file is from its content, never from its name, so that a renamed file is
/// stored, served and indexed as what it really is.
public enum FileSniffer {
    /// How much of the file is looked at for magic bytes and text.
    static let sampleSize = 8192

    /// The kind of the file at `url`.
    ///
    /// Magic bytes decide PDF and the images. A ZIP is told apart by its entries:
    /// `word/document.xml` → docx, `ppt/presentation.xml` → pptx, `xl/workbook.xml` → xlsx, an
    /// OpenDocument `mimetype` entry → odt, odp or ods; any other (or unreadable) ZIP → zip.
    /// Text is UTF-8, or UTF-16 with a byte order mark, with no NUL bytes and at most 1% control
    /// characters; it is HTML when it starts (after a byte order mark, white space and comments)
    /// with `<!doctype html` or `<html`, or has `<html`, `<head` or `<body` in its first kilobyte.
    /// `fileName` is only a hint, used to tell Markdown (`.md`, `.markdown`) from plain text;
    /// a Markdown name also keeps a file that merely mentions `<body` early from being HTML.
    ///
    /// - Throws: ``ExtractionError/empty`` for an empty file, or the file system's error when
    ///   the file cannot be read.
    public static func kind(ofFileAt url: URL, fileName: String?) throws -> FileKind {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let sample = Array(try handle.read(upToCount: sampleSize) ?? Data())
        guard !sample.isEmpty else { throw ExtractionError.empty }
        let isWhole = try sample.count < sampleSize || handle.read(upToCount: 1)?.isEmpty != false
        if let kind = binaryKind(of: sample) {
            return kind == .zip ? zipKind(at: url) : kind
        }
        return textKind(of: sample, isWhole: isWhole, fileName: fileName)
    }

    // MARK: - Binary formats

    static func binaryKind(of bytes: [UInt8]) -> FileKind? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + magic.count && Array(bytes[offset..<offset + magic.count]) == magic
        }
        func ascii(_ string: String) -> [UInt8] { Array(string.utf8) }

        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(ascii("GIF87a")) || starts(ascii("GIF89a")) { return .gif }
        if starts(ascii("RIFF")) && starts(ascii("WEBP"), at: 8) { return .webp }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return .zip }
        // Readers accept the PDF header anywhere in the first kilobyte, after junk.
        let pdf = ascii("%PDF-")
        let window = bytes.prefix(1024)
        if window.count >= pdf.count, (0...(window.count - pdf.count)).contains(where: { starts(pdf, at: $0) }) { return .pdf }
        return nil
    }

    private static func zipKind(at url: URL) -> FileKind {
        guard let zip = try? BoundedZip(url: url, maxUncompressedBytes: 4096) else { return .zip }
        let paths = Set(zip.paths)
        if paths.contains("word/document.xml") { return .docx }
        if paths.contains("ppt/presentation.xml") { return .pptx }
        if paths.contains("xl/workbook.xml") { return .xlsx }
        guard paths.contains("mimetype"), let data = try? zip.data(at: "mimetype") else { return .zip }
        let mimetype = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let odf: [(String, FileKind)] = [
            ("application/vnd.oasis.opendocument.text", .odt),
            ("application/vnd.oasis.opendocument.presentation", .odp),
            ("application/vnd.oasis.opendocument.spreadsheet", .ods),
        ]
        // Templates ("…text-template") count as their document kind.
        return odf.first { mimetype.hasPrefix($0.0) }?.1 ?? .zip
    }

    // MARK: - Text formats

    private static func textKind(of sample: [UInt8], isWhole: Bool, fileName: String?) -> FileKind {
        let encoding = TextDecoding.encoding(of: sample, isPrefix: !isWhole)
        let isUTF16 = encoding == .utf16LittleEndian || encoding == .utf16BigEndian
        guard encoding != .windows1252, isUTF16 || !sample.contains(0) else { return .unknown }
        let text = TextDecoding.decode(sample, isPrefix: !isWhole)
        guard isMostlyPrintable(text) else { return .unknown }
        let isMarkdownName = fileName.map(isMarkdownFileName) ?? false
        if looksLikeHTML(text, strictly: isMarkdownName) { return .html }
        return isMarkdownName ? .markdown : .text
    }

    private static func isMostlyPrintable(_ text: String) -> Bool {
        var total = 0
        var controls = 0
        for scalar in text.unicodeScalars {
            total += 1
            switch scalar.value {
            case 0x00: return false
            case 0x09, 0x0A, 0x0C, 0x0D: break
            case 0x01...0x1F, 0x7F: controls += 1
            default: break
            }
        }
        return controls * 100 <= total
    }

    private static func isMarkdownFileName(_ name: String) -> Bool {
        ["md", "markdown", "mdown", "mkd"].contains((name as NSString).pathExtension.lowercased())
    }

    /// `strictly`: only a document that starts as HTML counts.
    private static func looksLikeHTML(_ text: String, strictly: Bool) -> Bool {
        var rest = Substring(text.lowercased())
        while true {
            rest = rest.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
            if rest.hasPrefix("<!--"), let end = rest.range(of: "-->") {
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("<?xml"), let end = rest.range(of: "?>") {
                rest = rest[end.upperBound...]
            } else {
                break
            }
        }
        if rest.hasPrefix("<!doctype html") || rest.hasPrefix("<html") { return true }
        guard !strictly else { return false }
        let early = text.prefix(1024).lowercased()
        return ["<html", "<head", "<body"].contains { early.contains($0) }
    }
}
