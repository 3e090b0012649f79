import Foundation
import ZIPFoundation

/// Office files built at test time from XML strings.
enum ZipFixtures {
    static func zip(at url: URL, _ entries: [(path: String, content: String)]) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (path, content) in entries {
            let data = Data(content.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    /// A ZIP with one entry of `size` spaces: tiny on disk, huge once inflated.
    static func bomb(at url: URL, path: String, size: Int) throws {
        let archive = try Archive(url: url, accessMode: .create)
        let chunk = Data(repeating: UInt8(ascii: " "), count: 1 << 20)
        try archive.addEntry(
            with: path, type: .file, uncompressedSize: Int64(size), compressionMethod: .deflate, bufferSize: 1 << 20
        ) { _, size in
            size == chunk.count ? chunk : chunk.prefix(size)
        }
    }

    /// Rewrites the uncompressed size every header of the archive declares, to make a ZIP that
    /// lies about how big its entries are.
    static func declareUncompressedSize(_ size: UInt32, in url: URL) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        let local: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        let central: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
        var index = 0
        while index + 30 < bytes.count {
            let signature = Array(bytes[index..<index + 4])
            let offset = signature == local ? 22 : signature == central ? 24 : nil
            if let offset {
                withUnsafeBytes(of: size.littleEndian) { for (i, byte) in $0.enumerated() { bytes[index + offset + i] = byte } }
            }
            index += 1
        }
        try Data(bytes).write(to: url)
    }

    // MARK: - Office Open XML

    private static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>
        """
    static let wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    /// A Word document whose body is `bodyXML` (the children of `w:body`).
    static func docx(at url: URL, bodyXML: String, footnotesXML: String? = nil) throws {
        var entries = [
            ("[Content_Types].xml", contentTypes),
            ("word/document.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <w:document xmlns:w="\(wordNamespace)"><w:body>\(bodyXML)</w:body></w:document>
                """),
        ]
        if let footnotesXML {
            entries.append(("word/footnotes.xml", """
                <?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="\(wordNamespace)">\(footnotesXML)</w:footnotes>
                """))
        }
        try zip(at: url, entries)
    }

    /// One `w:p` per paragraph, each a single run.
    static func docx(at url: URL, paragraphs: [String]) throws {
        try docx(at: url, bodyXML: paragraphs.map { "<w:p><w:r><w:t xml:space=\"preserve\">\($0)</w:t></w:r></w:p>" }.joined())
    }

    /// A presentation with one slide per element of `slides`, each slide's paragraphs as `a:p`.
    static func pptx(at url: URL, slides: [[String]]) throws {
        var entries = [
            ("[Content_Types].xml", contentTypes),
            ("ppt/presentation.xml", """
                <?xml version="1.0" encoding="UTF-8"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>
                """),
        ]
        for (number, paragraphs) in slides.enumerated() {
            let body = paragraphs.map { "<a:p><a:r><a:t>\($0)</a:t></a:r></a:p>" }.joined()
            entries.append(("ppt/slides/slide\(number + 1).xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" \
                xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody>\
                \(body)</p:txBody></p:sp></p:spTree></p:cSld></p:sld>
                """))
        }
        try zip(at: url, entries)
    }

    static func xlsx(at url: URL) throws {
        try zip(at: url, [
            ("[Content_Types].xml", contentTypes),
            ("xl/workbook.xml", """
                <?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>
                """),
        ])
    }

    // MARK: - OpenDocument

    /// An OpenDocument file of `kind` ("text", "presentation", "spreadsheet") whose
    /// `office:body` holds `bodyXML`.
    static func openDocument(at url: URL, kind: String, bodyXML: String) throws {
        try zip(at: url, [
            ("mimetype", "application/vnd.oasis.opendocument.\(kind)"),
            ("content.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
                xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
                xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" office:version="1.2">\
                <office:body>\(bodyXML)</office:body></office:document-content>
                """),
        ])
    }
}
