import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML element as a small tree: name, text, children. AWS's query and rest-xml
/// answers are read through it; namespaces are dropped, since AWS never reuses a name.
public struct XMLNode: Sendable {
    public let name: String
    public var text: String
    public var children: [XMLNode]

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ data: Data) throws(Invalid) -> XMLNode {
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            // Not quoted: an answer cut short may still hold credentials.
            throw Invalid(description: "the answer (\(data.count) bytes) is not XML: \(reason)")
        }
        return root
    }

    /// The first child named `name`.
    public subscript(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// The node at a path of child names.
    public func at(_ path: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in path { node = node?[name] }
        return node
    }

    /// The text of the child `name`, if there.
    public func string(_ name: String) -> String? { self[name]?.text }
    public func int(_ name: String) -> Int? { string(name).flatMap { Int($0) } }
    public func double(_ name: String) -> Double? { string(name).flatMap { Double($0) } }
    public func bool(_ name: String) -> Bool? { string(name).map { $0 == "true" } }

    /// The entries of a list child, such as `<Stacks><member>…</member></Stacks>` (query) or
    /// `<instancesSet><item>…</item></instancesSet>` (EC2): the grandchildren, whatever their name.
    public func list(_ name: String) -> [XMLNode] { self[name]?.children ?? [] }

    /// Every child named `name` (S3 repeats elements without a wrapper).
    public func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// `<Tags><member><Key>k</Key><Value>v</Value></member></Tags>` and its variants as a dictionary.
    public func tags(_ name: String, key: String = "Key", value: String = "Value") -> [String: String] {
        var tags: [String: String] = [:]
        for entry in list(name) { if let k = entry.string(key) { tags[k] = entry.string(value) ?? "" } }
        return tags
    }
}

/// Builds the tree as the parser walks the document.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(XMLNode(name: local, text: "", children: []))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard var node = stack.popLast() else { return }
        // Text between child elements is indentation, not content.
        if !node.children.isEmpty { node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }
}
