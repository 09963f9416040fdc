/// A value as a person wrote it, before any rule is checked.
enum RawValue: Sendable, Equatable {
    case text(String)
    case list([String])
    case pairs([Pair])

    struct Pair: Sendable, Equatable {
        var key: String
        var value: String
    }

    /// How the value reads in a warning or a problem.
    var display: String {
        switch self {
        case .text(let text): text
        case .list(let items): items.joined(separator: ", ")
        case .pairs(let pairs): pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        }
    }
}

/// Where a value came from, in order of precedence: the first wins.
enum FieldSource: Int, Comparable, Sendable {
    case followUp, form, yaml, keyValue, labels, title, prose

    static func < (a: FieldSource, b: FieldSource) -> Bool { a.rawValue < b.rawValue }

    var description: String {
        switch self {
        case .followUp: "the changes asked for on the pull request"
        case .form: "the form"
        case .yaml: "the yaml block"
        case .keyValue: "a key: value line"
        case .labels: "the labels"
        case .title: "the title"
        case .prose: "the first paragraph"
        }
    }
}

/// A field as found in the issue: the name as written, its value, where it came from.
struct RawField: Sendable {
    var name: String
    var value: RawValue
    var source: FieldSource
}
