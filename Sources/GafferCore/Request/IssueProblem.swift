/// Something in an issue that stops Gaffer from acting on it: which field, the
/// value given (nil when it is missing), the rule it breaks, and a good value.
public struct IssueProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    public var field: String
    public var value: String?
    public var rule: String
    public var example: String

    public init(field: String, value: String?, rule: String, example: String) {
        self.field = field
        self.value = value
        self.rule = rule
        self.example = example
    }

    public var description: String {
        let given = value.map { "\"\($0)\"" } ?? "missing"
        return "\(field): \(given) \(rule) (for example: \(example))"
    }

    enum CodingKeys: String, CodingKey { case field, value, rule, example }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(field, forKey: .field)
        // `value` is always present in the JSON, as null when the field was missing.
        try container.encode(value, forKey: .value)
        try container.encode(rule, forKey: .rule)
        try container.encode(example, forKey: .example)
    }
}

/// Something Gaffer noticed but could act around, such as an unknown field.
public struct IssueWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// The rule a value breaks, in words that finish the sentence "<value> ...".
public struct RuleViolation: Error, Sendable, Hashable {
    public var rule: String
    public init(_ rule: String) { self.rule = rule }
}
