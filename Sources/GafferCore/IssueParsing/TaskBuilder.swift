import Foundation

/// Checks the gathered fields against the rules and builds the task, listing
/// every problem at once rather than stopping at the first.
struct TaskBuilder {
    let fields: FieldCollector
    let issue: IssueInput
    let options: IssueParser.Options
    var problems: [IssueProblem] = []
    var warnings: [IssueWarning] = []
    var dependsOn = Set<Int>()

    init(fields: FieldCollector, issue: IssueInput, options: IssueParser.Options) {
        self.fields = fields
        self.issue = issue
        self.options = options
    }

    /// Taken as the kind when the issue names none (an issue that names a resource and gives all a create needs).
    private var assumedKind: TaskKind?

    mutating func build() -> IssueParseResult {
        if fields.fields["kind"] == nil, fields.fields["resource"] != nil || fields.fields["application"] != nil {
            var asCreate = self
            asCreate.assumedKind = .create
            if case .task(let task, var warnings) = asCreate.buildWithKind() {
                warnings.append(
                    IssueWarning(
                        field: "kind",
                        message: "is not given (no task word such as create, update or delete); "
                            + "read as a create because the issue gives everything a create needs. The plan still needs its approvals"
                    )
                )
                return .task(task, warnings: warnings)
            }
        }
        return buildWithKind()
    }

    private mutating func buildWithKind() -> IssueParseResult {
        let kind = readKind()
        let resource = readResource(kind: kind)
        let region = readRegion(kind: kind)
        let account = readAccount()
        let tags = readTags()
        readDependsOn()
        readConfirmation(kind: kind)
        let parameters = readParameters(kind: kind, resource: resource)

        guard problems.isEmpty, let kind, let resourceChoice = resource else {
            return .problems(problems, warnings: warnings)
        }
        return .task(
            AwsTask(
                kind: kind,
                resource: resourceChoice,
                region: region,
                account: account,
                parameters: parameters,
                dependsOn: dependsOn.sorted(),
                tags: tags,
                requester: issue.author,
                issue: issue.number
            ),
            warnings: warnings
        )
    }

    private func text(_ field: RawField) -> String { field.value.display.trimmingWhitespace().description }

    private mutating func readKind() -> TaskKind? {
        guard let field = fields.fields["kind"] else {
            if let assumedKind { return assumedKind }
            problems.append(
                IssueProblem(
                    field: "kind",
                    value: nil,
                    rule: "is required: say what to do in the title (\"Create ...\"), a task:<kind> label or a kind: line",
                    example: "create"
                )
            )
            return nil
        }
        if let kind = TaskKind(spoken: text(field)) { return kind }
        var rule = "must be one of \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))"
        if let near = EditDistance.nearest(to: text(field), in: TaskKind.allCases.map(\.rawValue), within: 2) { rule += "; did you mean \(near)?" }
        problems.append(IssueProblem(field: "kind", value: text(field), rule: rule, example: "create"))
        return nil
    }

    /// `.some(nil)` is a report over every resource; nil means the resource could not be read.
    private mutating func readResource(kind: TaskKind?) -> ResourceKind?? {
        let applicationField = fields.fields["application"]
        guard let field = fields.fields["resource"] else {
            if let applicationField { return readApplication(applicationField) }
            if kind?.isReport ?? false { return .some(nil) }
            problems.append(
                IssueProblem(
                    field: "resource",
                    value: nil,
                    rule: "is required: say what to \(kind?.rawValue ?? "work on") in the title, an aws:<resource> label or a resource: line",
                    example: "s3Bucket"
                )
            )
            return nil
        }
        let given = text(field)
        let key = FieldName.normalize(given)
        if ["all", "allresources", "everything", "any"].contains(key), kind?.isReport ?? true { return .some(nil) }
        if let resource = ResourceKind(spoken: given) { return resource }
        if let application = ApplicationKind(spoken: given) { return .application(application) }
        if key.hasPrefix("application") || key == "app" {
            // "Application (serverless-api)" from a dropdown, or "application" with the kind given apart.
            if let application = ApplicationKind.allCases.first(where: { key.hasSuffix(FieldName.normalize($0.rawValue)) }) {
                return .application(application)
            }
            if let applicationField { return readApplication(applicationField) }
            problems.append(
                IssueProblem(
                    field: "application",
                    value: nil,
                    rule: "is required for an application: one of \(ApplicationKind.allCases.map(\.rawValue).joined(separator: ", "))",
                    example: "serverless-api"
                )
            )
            return nil
        }
        let names = ResourceKind.singleResources.map(\.name) + ["application"]
        var rule = "must be one of \(names.joined(separator: ", "))"
        if let near = EditDistance.nearest(to: given, in: names, within: 2) { rule += "; did you mean \(near)?" }
        problems.append(IssueProblem(field: "resource", value: given, rule: rule, example: "s3Bucket"))
        return nil
    }

    private mutating func readApplication(_ field: RawField) -> ResourceKind?? {
        if let application = ApplicationKind(spoken: text(field)) { return .application(application) }
        problems.append(
            IssueProblem(
                field: "application",
                value: text(field),
                rule: "must be one of \(ApplicationKind.allCases.map(\.rawValue).joined(separator: ", "))",
                example: "serverless-api"
            )
        )
        return nil
    }

    private mutating func readRegion(kind: TaskKind?) -> String? {
        let isReport = kind?.isReport ?? false
        guard let field = fields.fields["region"] else {
            // A report left without a region reads every enabled region, as the report form says.
            if isReport { return nil }
            if let region = options.defaultRegion { return region }
            problems.append(IssueProblem(field: "region", value: nil, rule: "is required: name the AWS region to work in", example: "eu-west-1"))
            return nil
        }
        if isReport, AwsRegion.meansEvery(text(field)) { return nil }
        // A report may read several regions: "us-east-1, eu-west-1", kept in that canonical spelling.
        let listed = text(field).split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init).filter { !$0.isEmpty && $0.lowercased() != "and" }
        if isReport, listed.count > 1 {
            var regions: [String] = []
            for region in listed {
                switch AwsRegion.check(region) {
                case .success(let code): if !regions.contains(code) { regions.append(code) }
                case .failure(let violation):
                    problems.append(IssueProblem(field: "region", value: region, rule: violation.rule, example: "us-east-1, eu-west-1"))
                }
            }
            return regions.joined(separator: ", ")
        }
        switch AwsRegion.check(text(field)) {
        case .success(let region): return region
        case .failure(let violation):
            problems.append(IssueProblem(field: "region", value: text(field), rule: violation.rule, example: "eu-west-1"))
            return nil
        }
    }

    private mutating func readAccount() -> String? {
        guard let field = fields.fields["account"] else { return nil }
        switch AwsAccount.check(text(field)) {
        case .success(let account): return account
        case .failure(let violation):
            problems.append(IssueProblem(field: "account", value: text(field), rule: violation.rule, example: AwsAccount.example))
            return nil
        }
    }

    private mutating func readTags() -> [String: String] {
        guard let field = fields.fields["tags"] else { return [:] }
        var pairs: [(key: String, value: String)] = []
        switch field.value {
        case .pairs(let given):
            pairs = given.map { ($0.key, $0.value) }
        case .list(let items):
            for item in items { pairs += TaskBuilder.tagPairs(Substring(item)) }
        case .text(let text):
            for line in text.split(whereSeparator: { $0 == "\n" || $0 == "," }) { pairs += TaskBuilder.tagPairs(line) }
        }
        let checked = Tags.check(pairs)
        problems += checked.problems
        return checked.tags
    }

    /// One tag written as `key: value`, `"key": "value"` or `key=value`.
    static func tagPairs(_ text: Substring) -> [(key: String, value: String)] {
        let line = text.trimmingWhitespace()
        guard !line.isEmpty, !line.hasPrefix("#") else { return [] }
        if let (key, rest) = KeyValueReader.splitKey(line) {
            return [(key, KeyValueReader.unquote(rest))]
        }
        if let equals = line.firstIndex(of: "=") {
            return [(KeyValueReader.unquote(line[..<equals]), KeyValueReader.unquote(line[line.index(after: equals)...]))]
        }
        return [(String(line), "")]
    }

    private mutating func readDependsOn() {
        defer {
            if let own = issue.number, dependsOn.contains(own) {
                problems.append(IssueProblem(field: "dependsOn", value: "#\(own)", rule: "must not name this issue itself", example: "#12"))
            }
        }
        guard let field = fields.fields["dependson"] else { return }
        let items: [String]
        switch field.value {
        case .list(let list): items = list
        case .text(let text):
            items = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init).filter { $0 != "and" && $0 != "&" }
        case .pairs(let pairs): items = pairs.map(\.key)
        }
        for item in items {
            let digits = item.hasPrefix("#") ? String(item.dropFirst()) : item
            guard let number = Int(digits), number > 0, digits.count <= 9 else {
                problems.append(IssueProblem(field: "dependsOn", value: item, rule: "must be issue numbers such as #12", example: "#12, #15"))
                continue
            }
            dependsOn.insert(number)
        }
    }

    private mutating func readConfirmation(kind: TaskKind?) {
        // The delete form asks for a tick; a body that has the box unticked has not confirmed.
        guard let field = fields.fields["confirm"], case .list(let checked) = field.value, checked.isEmpty else { return }
        problems.append(
            IssueProblem(
                field: "confirm",
                value: nil,
                rule: "must be ticked to \(kind?.rawValue ?? "go ahead")",
                example: "- [x] I understand"
            )
        )
    }

    private mutating func readParameters(kind: TaskKind?, resource: ResourceKind??) -> [String: ParameterValue] {
        let general: Set<String> = ["kind", "resource", "application", "region", "account", "tags", "dependson", "name", "confirm"]
        guard let resourceChoice = resource, let resource = resourceChoice else {
            for key in fields.order where !general.contains(key) {
                guard let field = fields.fields[key] else { continue }
                warnings.append(IssueWarning(field: field.name, message: "is not used: no single resource was named"))
            }
            return [:]
        }
        let schema = resource.schema
        var values: [String: ParameterValue] = [:]
        var raw: [(field: ParameterField, given: RawField)] = []
        if let name = fields.fields["name"], let identifier = schema.awsIdentifier(for: text(name)) ?? schema.field(named: schema.identifier) {
            raw.append((identifier, name))
        }
        for key in fields.order where !general.contains(key) {
            guard let given = fields.fields[key] else { continue }
            if let field = schema.field(named: key) {
                if raw.contains(where: { $0.field.key == field.key }) {
                    warnings.append(IssueWarning(field: given.name, message: "is given twice (as name and as \(field.key)); using the first"))
                    continue
                }
                raw.append((field, given))
            } else {
                warnings.append(IssueWarning(field: given.name, message: TaskBuilder.unknownFieldMessage(key, schema: schema, resource: resource)))
            }
        }
        for (field, given) in raw {
            // A block of `key: value` lines under a setting (an application's entities) keeps its lines.
            let value =
                if case .pairs(let pairs) = given.value {
                    pairs.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
                } else {
                    text(given)
                }
            if case .list = given.value, case .boolean = field.kind {
                // A ticked checkbox is true; an unticked one is false.
                values[field.key] = .boolean(!value.isEmpty)
                continue
            }
            switch field.read(value) {
            case .success(let checked): values[field.key] = checked
            case .failure(let violation):
                problems.append(IssueProblem(field: field.key, value: value, rule: violation.rule, example: field.example))
            }
        }
        guard let kind else { return values }
        // An existing resource may be named by its AWS id instead.
        let namedByID = kind != .create && schema.awsIdentifiers.contains { values[$0] != nil }
        for field in schema.fields
        where field.requiredFor.contains(kind) && values[field.key] == nil
            && !problems.contains(where: { $0.field == field.key }) && !(namedByID && field.key == schema.identifier)
        {
            problems.append(
                IssueProblem(
                    field: field.key,
                    value: nil,
                    rule: "is required to \(kind.rawValue) \(TaskBuilder.article(resource.displayName)) (\(field.summary))",
                    example: field.example
                )
            )
        }
        if kind == .update, values.keys.allSatisfy({ $0 == schema.identifier || schema.awsIdentifiers.contains($0) }), fields.fields["tags"] == nil {
            let example = schema.fields.first(where: { $0.key != schema.identifier }).map { "\($0.key): \($0.example)" } ?? "tags"
            problems.append(IssueProblem(field: "settings", value: nil, rule: "must change at least one setting for an update", example: example))
        }
        problems += schema.crossChecks(values, kind)
        return values
    }

    static func unknownFieldMessage(_ key: String, schema: ResourceSchema, resource: ResourceKind) -> String {
        if let owner = ResourceKind.singleResources.first(where: { $0 != resource && $0.schema.field(named: key) != nil }) {
            return "is a setting of \(article(owner.displayName)), not of \(article(resource.displayName)); ignored"
        }
        let known = schema.fields.map(\.key) + IssueVocabulary.all
        if let near = EditDistance.nearest(to: key, in: known.map { FieldName.normalize($0) }, within: 2),
            let spelled = known.first(where: { FieldName.normalize($0) == near })
        {
            return "is not a known field; ignored (did you mean \(spelled)?)"
        }
        return "is not a known field of \(article(resource.displayName)); ignored (known: \(schema.fields.map(\.key).joined(separator: ", ")))"
    }

    static func article(_ noun: String) -> String {
        let vowelSound = noun.first.map { "AEIORSaeio".contains($0) } ?? false
        return (vowelSound ? "an " : "a ") + noun
    }
}
