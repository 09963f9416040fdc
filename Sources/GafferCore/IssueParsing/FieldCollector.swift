/// Gathers raw fields from every source. The first source to give a field wins
/// (sources are added in order of precedence); a later source that disagrees
/// is noted as a warning, so nobody is surprised which value was used.
struct FieldCollector {
    private(set) var fields: [String: RawField] = [:]
    /// Field names in the order they were first seen, for stable warnings.
    private(set) var order: [String] = []
    private(set) var warnings: [IssueWarning] = []

    mutating func add(_ field: RawField) {
        let key = FieldCollector.canonicalKey(FieldName.normalize(field.name))
        guard !key.isEmpty else { return }
        guard let existing = fields[key] else {
            fields[key] = field
            order.append(key)
            return
        }
        if existing.source == field.source, existing.value != field.value {
            warnings.append(
                IssueWarning(
                    field: field.name,
                    message: "is given twice in \(field.source.description); using the first, \"\(existing.value.display)\""
                )
            )
        } else if existing.source < field.source, existing.source != .followUp, !FieldCollector.agree(existing.value, field.value, key: key) {
            // A follow-up's value is meant to replace the issue's: that is no surprise to warn of.
            warnings.append(
                IssueWarning(
                    field: field.name,
                    message:
                        "\(field.source.description) says \"\(field.value.display)\" but \(existing.source.description) says \"\(existing.value.display)\"; using \(existing.source.description)"
                )
            )
        }
    }

    mutating func add(_ entries: [KeyValueReader.Entry], source: FieldSource) {
        for entry in entries { add(RawField(name: entry.key, value: entry.value, source: source)) }
    }

    /// Synonyms of the general fields collapse onto one key, so "Task" and "kind" are one field.
    static func canonicalKey(_ key: String) -> String {
        generalFields.first { $0.names.contains(key) }?.canonical ?? key
    }

    /// Whether `key` names one of the fields every task has (its kind, resource, name, region, ...), in any spelling.
    static func isGeneralField(_ key: String) -> Bool {
        generalFields.contains { $0.canonical == key || $0.names.contains(key) }
    }

    private static let generalFields: [(canonical: String, names: Set<String>)] = [
        ("kind", IssueVocabulary.kind), ("resource", IssueVocabulary.resource), ("application", IssueVocabulary.application),
        ("region", IssueVocabulary.region), ("account", IssueVocabulary.account), ("tags", IssueVocabulary.tags),
        ("dependson", IssueVocabulary.dependsOn), ("name", IssueVocabulary.name), ("confirm", IssueVocabulary.confirm),
    ]

    /// Two spellings of one value agree: "S3 bucket" from the form and "s3Bucket" from a label.
    static func agree(_ a: RawValue, _ b: RawValue, key: String) -> Bool {
        guard case .text(let x) = a, case .text(let y) = b else { return a == b }
        switch key {
        case "kind": return TaskKind(spoken: x) == TaskKind(spoken: y) && TaskKind(spoken: x) != nil
        case "resource": return ResourceKind(spoken: x) == ResourceKind(spoken: y) || FieldName.normalize(x) == FieldName.normalize(y)
        default: return FieldName.normalize(x) == FieldName.normalize(y)
        }
    }
}
