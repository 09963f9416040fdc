import Foundation
import Synchronization
import Yams

/// A YAML node with the line it starts on, for findings that point at a line.
public indirect enum TemplateNode: Sendable {
    /// `tag` is a short-form intrinsic such as `!Ref`, or nil.
    case scalar(String, tag: String?, line: Int)
    /// Each pair keeps the line of its key, where a person looks for the setting.
    case mapping([(key: String, keyLine: Int, value: TemplateNode)], tag: String?, line: Int)
    case sequence([TemplateNode], tag: String?, line: Int)

    public var line: Int {
        switch self {
        case .scalar(_, _, let line), .mapping(_, _, let line), .sequence(_, _, let line): line
        }
    }

    public subscript(key: String) -> TemplateNode? {
        guard case .mapping(let pairs, _, _) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// Follows a path of keys.
    public func at(_ keys: String...) -> TemplateNode? {
        keys.reduce(Optional(self)) { node, key in node?[key] }
    }

    public var string: String? { if case .scalar(let text, nil, _) = self { text } else { nil } }
    public var bool: Bool? { string.flatMap { ["true": true, "false": false][$0.lowercased()] } }
    public var int: Int? { string.flatMap { Int($0) } }
    public var items: [TemplateNode] { if case .sequence(let nodes, _, _) = self { nodes } else { [] } }
    public var pairs: [(key: String, keyLine: Int, value: TemplateNode)] { if case .mapping(let pairs, _, _) = self { pairs } else { [] } }

    /// The single string or every string of a list (`Action: s3:GetObject` or `Action: [a, b]`).
    public var strings: [String] {
        if let string { return [string] }
        return items.compactMap(\.string)
    }

    /// The logical id a `!Ref X` or `{Ref: X}` names.
    public var reference: String? {
        if case .scalar(let text, "!Ref", _) = self { return text }
        return self["Ref"]?.string
    }

    init(_ node: Node) {
        let line = node.mark?.line ?? 0
        let tag: String? = {
            let name = node.tag.rawValue
            return name.hasPrefix("!") ? name : nil
        }()
        switch node {
        case .scalar(let scalar): self = .scalar(scalar.string, tag: tag, line: line)
        case .mapping(let mapping):
            self = .mapping(
                mapping.map { (key: $0.key.string ?? "", keyLine: $0.key.mark?.line ?? line, value: TemplateNode($0.value)) },
                tag: tag,
                line: line
            )
        case .sequence(let sequence): self = .sequence(sequence.map(TemplateNode.init), tag: tag, line: line)
        case .alias: self = .scalar("", tag: nil, line: line)
        }
    }
}

/// A CloudFormation template read for review: its resources with their lines.
public struct CloudFormationDocument: Sendable {
    public struct Resource: Sendable {
        public let logicalID: String
        public let type: String
        public let line: Int
        public let node: TemplateNode

        public var properties: TemplateNode? { node["Properties"] }
        public var deletionPolicy: String? { node["DeletionPolicy"]?.string }
        public var updateReplacePolicy: String? { node["UpdateReplacePolicy"]?.string }

        /// The line of a property's key, or of the resource when the property is absent.
        public func line(of keys: String...) -> Int {
            var node = properties
            var line = self.line
            for key in keys {
                guard let pair = node?.pairs.first(where: { $0.key == key }) else { return line }
                line = pair.keyLine
                node = pair.value
            }
            return line
        }
    }

    public let path: String
    public let resources: [Resource]
    /// The names of the template's parameters, in the order written.
    public let parameterNames: [String]

    public init(path: String, text: String) throws {
        self.path = path
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw AgentError("\(path) is not valid YAML: \(error)")
        }
        guard let root else { throw AgentError("\(path) is empty") }
        let tree = TemplateNode(root)
        guard let resources = tree["Resources"] else { throw AgentError("\(path) has no Resources section") }
        parameterNames = tree["Parameters"]?.pairs.map(\.key) ?? []
        self.resources = resources.pairs.map { pair in
            Resource(logicalID: pair.key, type: pair.value["Type"]?.string ?? "", line: pair.keyLine, node: pair.value)
        }
    }

    /// The same as `init`, but a template already read (by another agent of the same plan) is not
    /// parsed again: an application's stack is read by four agents, and parsing is most of their time.
    public static func reading(path: String, text: String) throws -> CloudFormationDocument {
        let key = CacheKey(path: path, text: text)
        if let known = cache.withLock({ $0[key] }) { return known }
        let document = try CloudFormationDocument(path: path, text: text)
        cache.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[key] = document
        }
        return document
    }

    private struct CacheKey: Hashable {
        let path: String
        let text: String
    }

    private static let cache = Mutex<[CacheKey: CloudFormationDocument]>([:])

    /// Each resource's dependencies on the template's other resources: what it names with `Ref`,
    /// `Fn::GetAtt`, `Fn::Sub` or `DependsOn`. Parameters and pseudo parameters are not resources.
    public var dependencies: [String: Set<String>] {
        let ids = Set(resources.map(\.logicalID))
        return Dictionary(
            uniqueKeysWithValues: resources.map { resource in
                var named = Set(resource.node["DependsOn"]?.strings ?? [])
                Self.collectNames(in: resource.node, into: &named)
                named.remove(resource.logicalID)
                return (resource.logicalID, named.intersection(ids))
            }
        )
    }

    private static func collectNames(in node: TemplateNode, into names: inout Set<String>) {
        func subNames(_ text: String) {
            // `${Name}` and `${Name.Attribute}`; `${!Literal}` is written out as is.
            for match in text.matches(of: /\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/) { names.insert(String(match.1)) }
        }
        switch node {
        case .scalar(let text, let tag, _):
            switch tag {
            case "!Ref": names.insert(text)
            case "!GetAtt": if let id = text.split(separator: ".").first { names.insert(String(id)) }
            case "!Sub": subNames(text)
            default: break
            }
        case .sequence(let items, let tag, _):
            if tag == "!GetAtt", let id = items.first?.string { names.insert(id) }
            if tag == "!Sub", let text = items.first?.string { subNames(text) }
            for item in items { collectNames(in: item, into: &names) }
        case .mapping(let pairs, _, _):
            for pair in pairs {
                switch pair.key {
                case "Ref": if let id = pair.value.string { names.insert(id) }
                case "Fn::GetAtt":
                    if let id = (pair.value.string?.split(separator: ".").first).map(String.init) ?? pair.value.items.first?.string {
                        names.insert(id)
                    }
                case "Fn::Sub": if let text = pair.value.string ?? pair.value.items.first?.string { subNames(text) }
                default: break
                }
                collectNames(in: pair.value, into: &names)
            }
        }
    }

    public func resources(ofType type: String) -> [Resource] { resources.filter { $0.type == type } }
    public func resource(_ logicalID: String) -> Resource? { resources.first { $0.logicalID == logicalID } }
}
