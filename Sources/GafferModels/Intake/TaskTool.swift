import Foundation
import GafferCore

/// The tool a model fills in to say what an issue asks for. Its JSON schema is made from Gaffer's own
/// resource schemas, and its answer becomes a form that `IssueParser` checks like any other.
public enum TaskTool {
    public static let name = "submit_task"

    /// The tool, with every task kind, resource, application kind, region and setting Gaffer knows.
    public static let tool: ModelTool = ModelTool(
        name: name,
        description: "Record the AWS task the issue asks for, in Gaffer's terms. Leave out what the issue does not say.",
        inputSchema: schema()
    )

    static func schema() -> JSONValue {
        let strings = { (values: [String]) in JSONValue.array(values.map { .string($0) }) }
        let resources = ResourceKind.singleResources + [.application(.serverlessAPI)]
        var settings: [String: JSONValue] = [:]
        for key in Set(resources.flatMap { $0.schema.fields.map(\.key) }).sorted() {
            let owners = resources.compactMap { resource in resource.schema.fields.first { $0.key == key }.map { (resource, $0) } }
            guard let (_, first) = owners.first, !owners.contains(where: { $0.0.schema.identifier == key }) else { continue }
            var property: [String: JSONValue] = [
                "description": .string(owners.map { "\($0.0.name): \($0.1.summary)" }.joined(separator: " | ") + " (e.g. \(first.example))")
            ]
            if owners.allSatisfy({ Self.sameKind($0.1.kind, first.kind) }) { property.merge(Self.type(of: first.kind)) { $1 } }
            settings[key] = .object(property)
        }
        return .object([
            "type": "object",
            "properties": .object([
                "understood": .object([
                    "type": "boolean",
                    "description": "false when the issue does not ask for AWS work of these kinds, or is too vague to name the task and resource",
                ]),
                "task": .object(["type": "string", "enum": strings(TaskKind.allCases.map(\.rawValue))]),
                "resource": .object(["type": "string", "enum": strings(ResourceKind.singleResources.map(\.name) + ["application"])]),
                "application": .object([
                    "type": "string", "enum": strings(ApplicationKind.allCases.map(\.rawValue)),
                    "description": "the kind of application, when resource is application",
                ]),
                "name": .object(["type": "string", "description": "the resource's name, only as the issue gives it; never made up"]),
                "region": .object(["type": "string", "enum": strings(AwsRegion.all)]),
                "settings": .object([
                    "type": "object", "properties": .object(settings), "additionalProperties": false,
                    "description": "the resource's settings the issue asks for, by Gaffer's key",
                ]),
                "tags": .object(["type": "object", "additionalProperties": .object(["type": "string"])]),
                "unclear": .object([
                    "type": "array", "items": .object(["type": "string"]),
                    "description": "questions for the requester about what the issue leaves open",
                ]),
            ]),
            "required": .array(["understood"]),
            "additionalProperties": false,
        ])
    }

    private static func type(of kind: ParameterField.Kind) -> [String: JSONValue] {
        switch kind {
        case .text: ["type": "string"]
        case .integer(let range): ["type": "integer", "minimum": .number(Decimal(range.lowerBound)), "maximum": .number(Decimal(range.upperBound))]
        case .number: ["type": "number"]
        case .boolean: ["type": "boolean"]
        case .choice(let options): ["type": "string", "enum": .array(options.map { .string($0) })]
        }
    }

    private static func sameKind(_ a: ParameterField.Kind, _ b: ParameterField.Kind) -> Bool {
        switch (a, b) {
        case (.text, .text), (.number, .number), (.boolean, .boolean): true
        case (.integer(let x), .integer(let y)): x == y
        case (.choice(let x), .choice(let y)): x == y
        default: false
        }
    }

    /// The model's answer as the fields of a form (`key: value` in a YAML block), in the order a person reads them.
    /// Only keys the schema names are kept, and every value is quoted, so an answer cannot add structure of its own.
    public static func form(from input: JSONValue) -> [(key: String, value: String)] {
        var fields: [(String, String)] = []
        for key in ["task", "resource", "application", "name", "region"] {
            if let value = scalar(input[key]) { fields.append((key, value)) }
        }
        let known = Set((ResourceKind.singleResources + [.application(.serverlessAPI)]).flatMap { $0.schema.fields.map(\.key) })
        if case .object(let settings)? = input["settings"] {
            for key in settings.keys.sorted() where known.contains(key) {
                if let value = scalar(settings[key]) { fields.append((key, value)) }
            }
        }
        return fields
    }

    /// The tags of the answer, kept apart: they are a mapping in the form.
    public static func tags(from input: JSONValue) -> [(key: String, value: String)] {
        guard case .object(let tags)? = input["tags"] else { return [] }
        return tags.keys.sorted().compactMap { key in scalar(tags[key]).map { (key, $0) } }
    }

    /// The form's YAML block, as an issue would carry it.
    public static func body(fields: [(key: String, value: String)], tags: [(key: String, value: String)]) -> String {
        var lines = fields.map { "\($0.key): \(IssueParser.quoted($0.value))" }
        if !tags.isEmpty {
            lines.append("tags:")
            lines += tags.map { "  \(IssueParser.quoted($0.key)): \(IssueParser.quoted($0.value))" }
        }
        return "```yaml\n" + lines.joined(separator: "\n") + "\n```\n"
    }

    private static func scalar(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text.isEmpty ? nil : text.replacingOccurrences(of: "\n", with: " ")
        case .number(let number)?: number.description
        case .bool(let flag)?: flag ? "true" : "false"
        default: nil
        }
    }
}
