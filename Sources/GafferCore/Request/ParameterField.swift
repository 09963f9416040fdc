import Foundation

/// One parameter a resource takes: its AWS property name, what it means, the
/// rule it follows and a good example. The rule lives here, next to the
/// resource that declares the field, and nowhere else.
public struct ParameterField: Sendable {
    public enum Kind: Sendable {
        case text
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        case boolean
        case choice([String])
    }

    /// The AWS property name in lowerCamelCase (`bucketName`, `memorySize`).
    public let key: String
    /// What the field is and the rule it follows, for forms and help text.
    public let summary: String
    public let example: String
    public let kind: Kind
    /// The task kinds that cannot go ahead without this field.
    public let requiredFor: Set<TaskKind>
    let check: @Sendable (String) -> Result<ParameterValue, RuleViolation>

    /// Reads and checks a value as a person wrote it.
    public func read(_ text: String) -> Result<ParameterValue, RuleViolation> {
        check(text.trimmingCharacters(in: .whitespaces))
    }

    /// The same field, required for other task kinds (an application's runtime is optional, a function's is not).
    func required(for kinds: Set<TaskKind>) -> ParameterField {
        ParameterField(key: key, summary: summary, example: example, kind: kind, requiredFor: kinds, check: check)
    }

    /// The same field, described for another resource.
    func summarized(_ summary: String) -> ParameterField {
        ParameterField(key: key, summary: summary, example: example, kind: kind, requiredFor: requiredFor, check: check)
    }

    /// Free text checked by `rule`, which returns the rule broken or nil.
    static func text(
        _ key: String,
        _ summary: String,
        example: String,
        requiredFor: Set<TaskKind> = [],
        rule: @escaping @Sendable (String) -> String?
    ) -> ParameterField {
        ParameterField(key: key, summary: summary, example: example, kind: .text, requiredFor: requiredFor) { text in
            if let broken = rule(text) { return .failure(RuleViolation(broken)) }
            return .success(.string(text))
        }
    }

    /// The id AWS gave an existing resource (`i-…`, `vpc-…`), to name it in an update or a delete.
    static func awsID(_ key: String, _ what: String, prefix: String) -> ParameterField {
        text(
            key,
            "\(what)'s id, for an update or a delete: \(prefix) and 8 or 17 lowercase hexadecimal digits",
            example: "\(prefix)0abcdef1234567890",
            rule: { TextRules.ec2ID($0, prefix: prefix) }
        )
    }

    /// A whole number in `range`; "1,024", "1_024" and "1024 MB" (when `unit` is "MB") all read as 1024.
    static func integer(
        _ key: String,
        _ range: ClosedRange<Int>,
        _ summary: String,
        unit: String? = nil,
        example: Int,
        requiredFor: Set<TaskKind> = []
    ) -> ParameterField {
        ParameterField(key: key, summary: summary, example: String(example), kind: .integer(range), requiredFor: requiredFor) { text in
            var digits = text.lowercased()
            if let unit, digits.hasSuffix(unit.lowercased()) { digits.removeLast(unit.count) }
            digits = digits.filter { $0 != "," && $0 != "_" && $0 != " " }
            guard let value = Int(digits) else { return .failure(RuleViolation("must be a whole number")) }
            guard range.contains(value) else {
                return .failure(RuleViolation("must be between \(range.lowerBound) and \(range.upperBound)\(unit.map { " \($0)" } ?? "")"))
            }
            return .success(.integer(value))
        }
    }

    static func number(
        _ key: String,
        _ range: ClosedRange<Double>,
        _ summary: String,
        example: String,
        requiredFor: Set<TaskKind> = []
    ) -> ParameterField {
        ParameterField(key: key, summary: summary, example: example, kind: .number(range), requiredFor: requiredFor) { text in
            guard let value = Double(text.filter { $0 != "," && $0 != "_" }), value.isFinite else {
                return .failure(RuleViolation("must be a number"))
            }
            guard range.contains(value) else {
                return .failure(
                    RuleViolation("must be between \(ParameterValue.number(range.lowerBound)) and \(ParameterValue.number(range.upperBound))")
                )
            }
            return .success(.number(value))
        }
    }

    static func boolean(_ key: String, _ summary: String, requiredFor: Set<TaskKind> = []) -> ParameterField {
        ParameterField(key: key, summary: summary, example: "true", kind: .boolean, requiredFor: requiredFor) { text in
            switch FieldName.normalize(text) {
            case "true", "yes", "on", "enabled", "enable", "1", "y": .success(.boolean(true))
            case "false", "no", "off", "disabled", "disable", "0", "n": .success(.boolean(false))
            default: .failure(RuleViolation("must be true or false"))
            }
        }
    }

    /// One of `options`, matched without regard to case or punctuation; `aliases` maps other spellings to an option.
    static func choice(
        _ key: String,
        _ options: [String],
        _ summary: String,
        aliases: [String: String] = [:],
        requiredFor: Set<TaskKind> = []
    ) -> ParameterField {
        // Spellings are compared as written (lowercased) and as letters and digits only, so
        // "sse-kms" finds "aws:kms" and ">=" finds its operator without "==" finding anything.
        let spellings = options.map { ($0, $0) } + aliases.map { ($0.key, $0.value) }
        let byName = Dictionary(
            spellings.map { ($0.0.lowercased(), $0.1) } + spellings.map { (FieldName.normalize($0.0), $0.1) }.filter { !$0.0.isEmpty },
            uniquingKeysWith: { first, _ in first }
        )
        return ParameterField(key: key, summary: summary, example: options[0], kind: .choice(options), requiredFor: requiredFor) { text in
            let normalized = FieldName.normalize(text)
            if let option = byName[text.lowercased()] ?? (normalized.isEmpty ? nil : byName[normalized]) { return .success(.string(option)) }
            var rule = "must be one of \(options.joined(separator: ", "))"
            if let near = EditDistance.nearest(to: text, in: options, within: 2) { rule += "; did you mean \(near)?" }
            return .failure(RuleViolation(rule))
        }
    }
}

/// The parameters of one kind of resource and the rules that tie them together.
public struct ResourceSchema: Sendable {
    /// The key of the field that names the resource; "Name" in a form fills it.
    public let identifier: String
    /// Fields that name an existing resource by the id AWS gave it (`instanceId: i-…`): an update
    /// or a delete may give one of them in place of the identifier.
    public let awsIdentifiers: [String]
    public let fields: [ParameterField]
    /// Rules between fields (a FIFO topic's name ends in `.fifo`); each returns the problems it finds.
    let crossChecks: @Sendable (_ values: [String: ParameterValue], _ kind: TaskKind) -> [IssueProblem]

    init(
        identifier: String,
        awsIdentifiers: [String] = [],
        fields: [ParameterField],
        crossChecks: @escaping @Sendable ([String: ParameterValue], TaskKind) -> [IssueProblem] = { _, _ in [] }
    ) {
        self.identifier = identifier
        self.awsIdentifiers = awsIdentifiers
        self.fields = fields
        self.crossChecks = crossChecks
    }

    /// The AWS-id field whose rule `value` passes (`i-0abc…` for `instanceId`), if any.
    func awsIdentifier(for value: String) -> ParameterField? {
        awsIdentifiers.lazy.compactMap { self.field(named: $0) }.first { field in
            if case .success = field.read(value) { return true }
            return false
        }
    }

    public func field(named name: String) -> ParameterField? {
        let key = FieldName.normalize(name)
        return fields.first { FieldName.normalize($0.key) == key }
    }
}
