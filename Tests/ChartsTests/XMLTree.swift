import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element (test helper).
final class XNode {
    let name: String
    let attrs: [String: String]
    var children: [XNode] = []
    var text = ""
    private(set) weak var parent: XNode?

    init(name: String, attrs: [String: String], parent: XNode?) {
        self.name = name
        self.attrs = attrs
        self.parent = parent
    }

    subscript(_ attr: String) -> String? { attrs[attr] }

    var classes: Set<String> { Set((attrs["class"] ?? "").split(separator: " ").map(String.init)) }

    /// All descendants (depth first, document order), including self.
    var all: [XNode] { [self] + children.flatMap(\.all) }

    func elements(_ name: String) -> [XNode] { all.filter { $0.name == name } }

    /// Text of this element and its descendants, excluding `<title>` children.
    var textContent: String { text + children.filter { $0.name != "title" }.map(\.textContent).joined() }

    /// The `<title>` child's text, if any.
    var titleText: String? { children.first { $0.name == "title" }?.text }

    /// Nearest ancestor (or self) whose class list contains `cls`.
    func ancestor(withClass cls: String) -> XNode? {
        var n: XNode? = self
        while let c = n {
            if c.classes.contains(cls) { return c }
            n = c.parent
        }
        return nil
    }

    /// Inherited attribute lookup (e.g. text-anchor set on a group).
    func inherited(_ attr: String) -> String? {
        var n: XNode? = self
        while let c = n {
            if let v = c.attrs[attr] { return v }
            n = c.parent
        }
        return nil
    }
}

enum XMLTreeError: Error { case parse(String), empty }

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var root: XNode?
    var stack: [XNode] = []
    var failure: String?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let node = XNode(name: elementName, attrs: attributeDict, parent: stack.last)
        if let top = stack.last { top.children.append(node) } else { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        failure = "\(parseError) line \(parser.lineNumber) column \(parser.columnNumber)"
    }
}

/// Parses a document with Foundation's XMLParser and returns its root element.
func parseXML(_ source: String) throws -> XNode {
    let parser = XMLParser(data: Data(source.utf8))
    let builder = TreeBuilder()
    parser.delegate = builder
    let ok = parser.parse()
    if !ok || builder.failure != nil {
        throw XMLTreeError.parse(builder.failure ?? "\(parser.parserError.map { "\($0)" } ?? "unknown error")")
    }
    guard let root = builder.root else { throw XMLTreeError.empty }
    return root
}
