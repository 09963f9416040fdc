/// A GitHub issue form (`.github/ISSUE_TEMPLATE/*.yml`), decoded from its YAML
/// by any `Decoder`, and the body GitHub writes when someone submits it.
/// Schema: docs.github.com/communities/using-templates-to-encourage-useful-issues-and-pull-requests/syntax-for-githubs-form-schema
public struct IssueForm: Sendable, Decodable {
    public var name: String
    public var description: String?
    public var title: String?
    public var labels: [String]
    public var body: [Element]

    public struct Element: Sendable, Decodable {
        public var type: String
        public var id: String?
        public var attributes: Attributes
        public var validations: Validations?
    }

    public struct Attributes: Sendable, Decodable {
        public var label: String?
        public var description: String?
        public var placeholder: String?
        public var value: String?
        public var render: String?
        public var multiple: Bool?
        public var options: [Option]?
    }

    /// A dropdown option is a string; a checkbox option is `{label, required}`.
    public struct Option: Sendable, Decodable {
        public var label: String
        public var required: Bool?

        private enum Keys: String, CodingKey { case label, required }

        public init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                label = text
                required = nil
            } else {
                let container = try decoder.container(keyedBy: Keys.self)
                label = try container.decode(String.self, forKey: .label)
                required = try container.decodeIfPresent(Bool.self, forKey: .required)
            }
        }
    }

    public struct Validations: Sendable, Decodable {
        public var required: Bool?
    }

    private enum Keys: String, CodingKey { case name, description, title, labels, body }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        // GitHub takes labels as a list or as one comma-separated string.
        if let list = try? container.decodeIfPresent([String].self, forKey: .labels) {
            labels = list
        } else if let text = try container.decodeIfPresent(String.self, forKey: .labels) {
            labels = text.split(separator: ",").map { $0.trimmingWhitespace().description }
        } else {
            labels = []
        }
        body = try container.decode([Element].self, forKey: .body)
    }

    /// An answer to one element.
    public enum Answer: Sendable, Hashable {
        case text(String)
        /// Chosen dropdown options or ticked checkboxes, by label.
        case chosen([String])
    }

    /// The markdown GitHub writes for a submitted form: each element but `markdown`
    /// as `### Label`, a blank line and the answer; `_No response_` for an empty
    /// one; a `render:` textarea inside a fence; checkboxes as `- [X]` / `- [ ]`.
    public func body(answers: [String: Answer]) -> String {
        var sections: [String] = []
        for element in body where element.type != "markdown" {
            let label = element.attributes.label ?? ""
            let answer = element.id.flatMap { answers[$0] }
            var value: String
            switch element.type {
            case "checkboxes":
                let ticked: Set<String> = if case .chosen(let labels) = answer { Set(labels) } else { [] }
                value = (element.attributes.options ?? []).map { "- [\(ticked.contains($0.label) ? "X" : " ")] \($0.label)" }.joined(separator: "\n")
            case "dropdown":
                if case .chosen(let labels) = answer { value = labels.joined(separator: ", ") } else { value = "" }
            default:
                if case .text(let text) = answer { value = text.trimmingWhitespace().description } else { value = "" }
                if !value.isEmpty, let render = element.attributes.render { value = "```\(render)\n\(value)\n```" }
            }
            sections.append("### \(label)\n\n\(value.isEmpty ? "_No response_" : value)")
        }
        return sections.joined(separator: "\n\n")
    }
}
