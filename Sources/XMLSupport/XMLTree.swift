import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element, for checking that a response is well-formed and has the right shape
/// (tests use it to read back what the writers produce).
public final class XMLTree {
    public let name: String
    public let namespace: String?
    public let attributes: [String: String]
    public internal(set) var children: [XMLTree] = []
    public internal(set) var text = ""

    init(name: String, namespace: String?, attributes: [String: String]) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
    }

    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }
    public func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }
    /// Every element below this one (and itself) with the local name `name`.
    public func descendants(_ name: String) -> [XMLTree] { (self.name == name ? [self] : []) + children.flatMap { $0.descendants(name) } }
    public subscript(_ attribute: String) -> String? { attributes[attribute] }

    /// Parses with namespace processing; nil (and the parser's error) when not well-formed.
    public static func parse(_ xml: String) throws -> XMLTree {
        let delegate = Builder()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = delegate
        guard parser.parse(), let root = delegate.root else {
            throw NotWellFormed(reason: parser.parserError.map { "\($0)" } ?? "no root")
        }
        return root
    }

    public struct NotWellFormed: Error { public let reason: String }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLTree?
        var stack: [XMLTree] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            let node = XMLTree(name: elementName, namespace: namespaceURI, attributes: attributes)
            stack.last?.children.append(node)
            if root == nil { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
