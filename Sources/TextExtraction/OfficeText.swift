import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Text of Office Open XML (DOCX, PPTX) and OpenDocument (ODT, ODP) files, read from the XML
/// parts inside their ZIP container.
enum OfficeText {
    struct Result {
        var text: String
        var pageCount: Int?
        var truncated: Bool
    }

    static func extract(_ kind: FileKind, at url: URL, limits: ExtractionLimits, deadline: Deadline) throws(ExtractionError) -> Result {
        let zip = try BoundedZip(url: url, maxUncompressedBytes: limits.maxUncompressedBytes, deadline: deadline)
        let reader = PartReader(zip: zip, maxBytes: limits.maxOutputBytes, deadline: deadline)
        switch kind {
        case .docx:
            guard let body = try reader.text(of: "word/document.xml", dialect: .wordprocessing) else {
                throw .corrupt("word/document.xml is missing")
            }
            var parts = [body]
            for notes in ["word/footnotes.xml", "word/endnotes.xml"] {
                if let text = try reader.text(of: notes, dialect: .wordprocessing) { parts.append(text) }
            }
            return Result(text: parts.joined(separator: "\n\n"), pageCount: nil, truncated: reader.truncated)
        case .pptx:
            let slides = slidePaths(in: zip.paths)
            guard !slides.isEmpty else { throw .corrupt("the presentation has no slides") }
            var parts: [String] = []
            for slide in slides {
                if let text = try reader.text(of: slide, dialect: .drawing) { parts.append(text) }
            }
            return Result(text: parts.joined(separator: "\n\n"), pageCount: slides.count, truncated: reader.truncated)
        case .odt, .odp:
            guard let collector = try reader.collect("content.xml", dialect: .openDocument) else {
                throw .corrupt("content.xml is missing")
            }
            return Result(text: collector.text, pageCount: kind == .odp ? collector.pages : nil, truncated: reader.truncated)
        default:
            throw .notSearchable(kind)
        }
    }

    /// `ppt/slides/slideN.xml` in the order of N (so slide10 follows slide9).
    static func slidePaths(in paths: [String]) -> [String] {
        paths.compactMap { path -> (Int, String)? in
            guard path.hasPrefix("ppt/slides/slide"), path.hasSuffix(".xml"),
                  let number = Int(path.dropFirst("ppt/slides/slide".count).dropLast(".xml".count))
            else { return nil }
            return (number, path)
        }
        .sorted { $0.0 < $1.0 }
        .map(\.1)
    }
}

// MARK: - Reading parts

/// Reads XML parts from one archive, keeping the running total of text under the output cap.
private final class PartReader {
    let zip: BoundedZip
    let deadline: Deadline
    /// Text is collected up to twice the output cap: normalisation may shrink it, and the final
    /// cap is applied afterwards.
    private var budget: Int
    private(set) var truncated = false

    init(zip: BoundedZip, maxBytes: Int, deadline: Deadline) {
        self.zip = zip
        self.deadline = deadline
        budget = maxBytes.multipliedReportingOverflow(by: 2).overflow ? .max : maxBytes * 2
    }

    func text(of path: String, dialect: XMLTextCollector.Dialect) throws(ExtractionError) -> String? {
        try collect(path, dialect: dialect)?.text
    }

    func collect(_ path: String, dialect: XMLTextCollector.Dialect) throws(ExtractionError) -> XMLTextCollector? {
        guard budget > 0, let data = try zip.data(at: path) else { return nil }
        // Office files never declare a DTD; one that does is malformed or an entity-expansion attack.
        if data.prefix(4096).range(of: Data("<!DOCTYPE".utf8)) != nil || data.prefix(4096).range(of: Data("<!ENTITY".utf8)) != nil {
            throw .corrupt("\(path) declares a DTD")
        }
        let collector = XMLTextCollector(dialect: dialect, maxBytes: budget, deadline: deadline)
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = collector
        // On Linux `parse()` can return true after errors, so the delegate's record decides.
        let parsed = parser.parse()
        if collector.outOfTime { throw .timedOut }
        if !collector.full, !parsed || collector.errorLine != nil {
            throw .corrupt("the XML in \(path) is malformed at line \(collector.errorLine ?? parser.lineNumber)")
        }
        budget -= collector.byteCount
        truncated = truncated || collector.full
        return collector
    }
}

/// Collects the visible text of one XML part. Elements are matched by local name, so documents
/// using unusual namespace prefixes (or "strict" OOXML namespaces) read the same.
final class XMLTextCollector: NSObject, XMLParserDelegate {
    enum Dialect {
        /// WordprocessingML: text in `w:t`; `w:p` ends a line; `w:tab`, `w:br`, `w:cr` inside a run.
        case wordprocessing
        /// DrawingML (slides): text in `a:t`; `a:p` and `a:br` end a line.
        case drawing
        /// OpenDocument: text is the content of `text:p`/`text:h`; `text:s`, `text:tab`,
        /// `text:line-break` stand for spaces, tabs and line breaks; `draw:page` counts pages.
        case openDocument
    }

    let dialect: Dialect
    private let maxBytes: Int
    private let deadline: Deadline
    private var output = ""
    private var stack: [String] = []
    private var textDepth = 0
    private var elementCount = 0
    private(set) var byteCount = 0
    private(set) var pages = 0
    private(set) var full = false
    private(set) var outOfTime = false
    /// Where the first XML error was found.
    private(set) var errorLine: Int?

    var text: String { output }

    init(dialect: Dialect, maxBytes: Int, deadline: Deadline) {
        self.dialect = dialect
        self.maxBytes = maxBytes
        self.deadline = deadline
    }

    private func append(_ string: String, parser: XMLParser) {
        guard !full else { return }
        output += string
        byteCount += string.utf8.count
        if byteCount > maxBytes {
            full = true
            parser.abortParsing()
        }
    }

    private func isTextElement(_ name: String) -> Bool {
        switch dialect {
        case .wordprocessing, .drawing: name == "t"
        case .openDocument: name == "p" || name == "h"
        }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elementCount += 1
        if elementCount % 1024 == 0, deadline.hasPassed {
            outOfTime = true
            parser.abortParsing()
            return
        }
        let parent = stack.last
        stack.append(elementName)
        if isTextElement(elementName) { textDepth += 1 }
        switch (dialect, elementName) {
        case (.wordprocessing, "tab") where parent == "r":
            append("\t", parser: parser)
        case (.wordprocessing, "br") where parent == "r", (.wordprocessing, "cr") where parent == "r", (.drawing, "br"):
            append("\n", parser: parser)
        case (.openDocument, "s") where textDepth > 0:
            let count = attributes.first { $0.key == "c" || $0.key.hasSuffix(":c") }.flatMap { Int($0.value) } ?? 1
            append(String(repeating: " ", count: min(max(count, 1), 1000)), parser: parser)
        case (.openDocument, "tab") where textDepth > 0:
            append("\t", parser: parser)
        case (.openDocument, "line-break") where textDepth > 0:
            append("\n", parser: parser)
        case (.openDocument, "page"):
            pages += 1
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if !stack.isEmpty { stack.removeLast() }
        if isTextElement(elementName) { textDepth = max(0, textDepth - 1) }
        switch (dialect, elementName) {
        case (.wordprocessing, "p"), (.drawing, "p"), (.openDocument, "p"), (.openDocument, "h"):
            append("\n", parser: parser)
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if errorLine == nil { errorLine = parser.lineNumber }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard textDepth > 0 else { return }
        switch dialect {
        case .wordprocessing, .drawing:
            append(string, parser: parser)
        case .openDocument:
            // OpenDocument collapses white space in text content; explicit spaces are `text:s`.
            var collapsed = ""
            var lastWasSpace = false
            for character in string {
                if character.isWhitespace {
                    if !lastWasSpace { collapsed.append(" ") }
                    lastWasSpace = true
                } else {
                    collapsed.append(character)
                    lastWasSpace = false
                }
            }
            append(collapsed, parser: parser)
        }
    }
}
