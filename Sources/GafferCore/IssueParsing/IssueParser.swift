import Foundation

/// An issue as GitHub gives it to Gaffer.
public struct IssueInput: Sendable {
    public var title: String
    public var body: String
    public var labels: [String]
    public var author: String?
    public var number: Int?

    public init(title: String, body: String, labels: [String] = [], author: String? = nil, number: Int? = nil) {
        self.title = title
        self.body = body
        self.labels = labels
        self.author = author
        self.number = number
    }
}

/// Turns an issue into an `AwsTask`, or into problems that each say what to fix.
///
/// Sources, first wins: issue-form sections, a ```` ```yaml ```` block, loose
/// `key: value` lines, labels (`aws:<resource>`, `task:<kind>`), the title,
/// the body's first paragraph when it is prose.
/// A "Depends on #12, #15" line anywhere outside code adds dependencies.
public struct IssueParser: Sendable {
    public struct Options: Sendable {
        /// The label that tells Gaffer an issue is for it.
        public var triggerLabel: String
        /// The region when the issue names none.
        public var defaultRegion: String?

        public init(triggerLabel: String = "gaffer", defaultRegion: String? = nil) {
            self.triggerLabel = triggerLabel
            self.defaultRegion = defaultRegion
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Whether the labels ask Gaffer to act on the issue.
    public func isAddressedToGaffer(labels: [String]) -> Bool {
        labels.contains { $0.caseInsensitiveCompare(options.triggerLabel) == .orderedSame }
    }

    public func parse(_ issue: IssueInput) -> IssueParseResult {
        var fields = FieldCollector()
        var problems: [IssueProblem] = []
        var dependsOn = Set<Int>()

        // Changes asked for on the pull request come first, so they win; the rest of the issue is read without them.
        let (body, followUps) = FollowUpBlock.split(issue.body)
        let changes = KeyValueReader(followUps, strict: true)
        fields.add(changes.entries, source: .followUp)
        problems += changes.errors.map { error in
            IssueProblem(
                field: "follow-ups",
                value: error.text.trimmingWhitespace().description,
                rule: "line \(error.line) of the changes asked for on the pull request \(error.message)",
                example: "versioning: true"
            )
        }
        let markdown = MarkdownLines(body)
        let form = IssueFormBody(markdown)
        for section in form.sections {
            let key = FieldName.normalize(section.label)
            if section.text.isEmpty, section.checkboxes == nil { continue }
            if IssueVocabulary.settings.contains(key) {
                let reader = KeyValueReader(IssueParser.unfenced(section.lines), strict: true)
                fields.add(reader.entries, source: .form)
                problems += reader.errors.map { error in
                    IssueProblem(
                        field: section.label,
                        value: error.text.trimmingWhitespace().description,
                        rule: "line \(error.line) \(error.message)",
                        example: "versioning: true"
                    )
                }
            } else if IssueVocabulary.freeText.contains(key) || key.isEmpty {
                continue
            } else if let boxes = section.checkboxes {
                fields.add(RawField(name: section.label, value: .list(boxes.filter(\.checked).map(\.label)), source: .form))
            } else if !IssueParser.isKnownField(key), let read = IssueParser.unambiguousAnswer(section.text) {
                // A form of the organisation's own: "Which AWS service?" answered "S3 bucket".
                for field in read { fields.add(field) }
            } else {
                fields.add(RawField(name: section.label, value: .text(section.text), source: .form))
            }
        }

        // A yaml block and loose key: value lines count only outside the form's sections,
        // where an answer such as a description may quote anything.
        let loose = form.preamble
        if let yaml = IssueParser.firstYAMLBlock(loose) {
            let reader = KeyValueReader(yaml, strict: true)
            fields.add(reader.entries, source: .yaml)
            problems += reader.errors.map { error in
                IssueProblem(
                    field: "yaml",
                    value: error.text.trimmingWhitespace().description,
                    rule: "line \(error.line) of the yaml block \(error.message)",
                    example: "bucketName: logs-archive"
                )
            }
        }
        let prose = loose.filter { !$0.isCode }.map(\.text)
        fields.add(KeyValueReader(prose, strict: false).entries, source: .keyValue)

        for line in markdown.lines where !line.isCode {
            dependsOn.formUnion(DependsOnLine.issueNumbers(in: line.text))
        }

        for label in issue.labels {
            let lowered = label.lowercased()
            if lowered.hasPrefix("aws:") {
                fields.add(RawField(name: "resource", value: .text(String(label.dropFirst(4))), source: .labels))
            } else if lowered.hasPrefix("task:") {
                fields.add(RawField(name: "kind", value: .text(String(label.dropFirst(5))), source: .labels))
            }
        }
        for field in TitleReader(issue.title).fields { fields.add(field) }
        if let paragraph = IssueParser.firstProseParagraph(loose) {
            for field in TitleReader(paragraph, source: .prose).fields { fields.add(field) }
        }

        var warnings = fields.warnings
        if !isAddressedToGaffer(labels: issue.labels) {
            warnings.append(
                IssueWarning(field: "labels", message: "the issue has no \"\(options.triggerLabel)\" label; Gaffer acts only on issues that have it")
            )
        }
        var builder = TaskBuilder(fields: fields, issue: issue, options: options)
        builder.problems = problems
        builder.warnings = warnings
        builder.dependsOn = dependsOn
        return builder.build()
    }

    /// Whether a form label names a field Gaffer knows: a general one, a setting of some resource,
    /// a block of settings or free text.
    static func isKnownField(_ key: String) -> Bool {
        FieldCollector.isGeneralField(key) || IssueVocabulary.settings.contains(key) || IssueVocabulary.freeText.contains(key)
            // An application's fields too: "### Application name" answered "s3" is a name, not a resource.
            || (ResourceKind.singleResources + ApplicationKind.allCases.map(ResourceKind.application)).contains { $0.schema.field(named: key) != nil }
    }

    /// What a short answer under an unknown label can only mean: a task word, a resource kind,
    /// a region or an account, and nothing else; nil when it is longer or says anything more.
    static func unambiguousAnswer(_ text: String) -> [RawField]? {
        let words = TitleReader.words(text)
        guard (1...6).contains(words.count), !text.contains("\n") else { return nil }
        let read = TitleReader(text, source: .form).fields.filter { $0.name != "name" }
        // Every word must have gone into a field or be a filler ("an"); otherwise the answer says more than that.
        let consumed = Set(read.flatMap { TitleReader.words($0.value.display).map { $0.lowercased() } })
        guard !read.isEmpty, words.allSatisfy({ consumed.contains($0.lowercased()) || TitleReader.fillers.contains($0.lowercased()) }) else {
            return nil
        }
        return read
    }

    /// The body's first paragraph when it is prose (not `key: value` lines, a list or a heading),
    /// read like a title: "Could we get a Lambda function named resize-images in eu-west-2?"
    static func firstProseParagraph(_ lines: [MarkdownLines.Line]) -> String? {
        let text = lines.drop { $0.isCode || $0.text.trimmingWhitespace().isEmpty }
            .prefix { !$0.isCode && !$0.text.trimmingWhitespace().isEmpty }
            .map { $0.text.trimmingWhitespace() }
        guard let first = text.first, !first.hasPrefix("#"), !first.hasPrefix("-"), !first.hasPrefix("*"), !first.hasPrefix(">"),
            KeyValueReader.splitKey(first) == nil
        else { return nil }
        return text.joined(separator: " ")
    }

    /// The lines of an answer without the fence GitHub adds for a `render:` textarea.
    static func unfenced(_ lines: [MarkdownLines.Line]) -> [Substring] {
        lines.filter { !($0.isCode && ($0.fenceInfo != nil || $0.isFenceClose)) }.map(\.text)
    }

    static func firstYAMLBlock(_ lines: [MarkdownLines.Line]) -> [Substring]? {
        guard let start = lines.firstIndex(where: { ["yaml", "yml"].contains($0.fenceInfo?.lowercased() ?? "") }) else { return nil }
        var block: [Substring] = []
        for line in lines[(start + 1)...] {
            if line.isFenceClose || !line.isCode { break }
            block.append(line.text)
        }
        return block
    }
}

/// The names people give the fields that are not resource parameters.
enum IssueVocabulary {
    static let kind: Set<String> = [
        "kind", "task", "taskkind", "tasktype", "action", "operation", "request", "whattodo", "requesttype", "typeofrequest",
        "changetype", "typeofchange",
    ]
    static let resource: Set<String> = [
        "resource", "resourcetype", "resourcekind", "type", "service", "awsresource", "awsservice", "typeofresource",
        "whichservice", "whichresource",
    ]
    static let application: Set<String> = ["application", "applicationkind", "applicationtype", "appkind", "apptype"]
    static let region: Set<String> = ["region", "awsregion", "whichregion", "targetregion"]
    static let account: Set<String> = ["account", "awsaccount", "accountid", "awsaccountid", "accountnumber", "awsaccountnumber"]
    static let tags: Set<String> = ["tags", "tag", "resourcetags"]
    static let dependsOn: Set<String> = ["dependson", "depends", "dependencies", "blockedby"]
    static let name: Set<String> = ["name", "resourcename"]
    static let confirm: Set<String> = ["confirm", "confirmation", "confirmations"]
    static let settings: Set<String> = ["settings", "parameters", "configuration", "config", "options", "properties", "additionalsettings"]
    static let freeText: Set<String> = [
        "description", "notes", "reason", "details", "justification", "context", "summary", "why", "purpose",
        "additionalinformation", "additionalcontext", "anythingelse",
    ]
    /// Known names for the fields above, for "did you mean".
    static let all: [String] = ["kind", "resource", "application", "region", "account", "tags", "dependsOn", "name", "settings"]
}

/// "Depends on #12, #15", "depends on: #3 and #4", "Blocked by #7".
enum DependsOnLine {
    static func issueNumbers(in line: Substring) -> [Int] {
        guard let phrase = ["depends on", "blocked by"].lazy.compactMap({ line.firstRange(ofASCII: $0, ignoringCase: true) }).first
        else { return [] }
        var numbers: [Int] = []
        let words = line[phrase.upperBound...].split(whereSeparator: { $0 == " " || $0 == "," || $0 == ":" || $0 == "\t" })
        for word in words {
            if word.lowercased() == "and" || word == "&" { continue }
            guard word.hasPrefix("#"), let number = Int(word.dropFirst().prefix(while: \.isNumber)), number > 0 else { break }
            numbers.append(number)
        }
        return numbers
    }
}
