import Foundation

/// A request for AWS work, read from an issue and checked against AWS's rules.
public struct AwsTask: Sendable, Hashable, Codable {
    public var kind: TaskKind
    /// nil for a report over every kind of resource ("discover everything in eu-west-1").
    public var resource: ResourceKind?
    /// One region; for a report, possibly several as "us-east-1, eu-west-1" (see `regions`).
    public var region: String?
    public var account: String?
    /// Checked values keyed by AWS property name in lowerCamelCase (`bucketName`, `memorySize`).
    public var parameters: [String: ParameterValue]
    /// Issues that must be done first, ascending.
    public var dependsOn: [Int]
    public var tags: [String: String]
    public var requester: String?
    public var issue: Int?

    public init(
        kind: TaskKind,
        resource: ResourceKind?,
        region: String? = nil,
        account: String? = nil,
        parameters: [String: ParameterValue] = [:],
        dependsOn: [Int] = [],
        tags: [String: String] = [:],
        requester: String? = nil,
        issue: Int? = nil
    ) {
        self.kind = kind
        self.resource = resource
        self.region = region
        self.account = account
        self.parameters = parameters
        self.dependsOn = dependsOn
        self.tags = tags
        self.requester = requester
        self.issue = issue
    }

    /// The regions the task names: one, or a report's several; empty when it names none.
    public var regions: [String] {
        (region ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The resource's name, from its identifier parameter (`bucketName`, `functionName`, ...),
    /// or the AWS id it was named by (`instanceId`).
    public var resourceName: String? {
        guard let resource else { return nil }
        let schema = resource.schema
        for key in [schema.identifier] + schema.awsIdentifiers {
            if let name = parameters[key]?.stringValue { return name }
        }
        return nil
    }
}

/// What `IssueParser` makes of an issue.
public enum IssueParseResult: Sendable, Hashable {
    case task(AwsTask, warnings: [IssueWarning])
    case problems([IssueProblem], warnings: [IssueWarning])

    public var task: AwsTask? { if case .task(let task, _) = self { task } else { nil } }
    public var problems: [IssueProblem] { if case .problems(let problems, _) = self { problems } else { [] } }
    public var warnings: [IssueWarning] {
        switch self {
        case .task(_, let warnings), .problems(_, let warnings): warnings
        }
    }
}

extension IssueParseResult: Encodable {
    private enum Keys: String, CodingKey {
        case kind, resource, application, region, account, parameters, dependsOn, tags, requester, issue, warnings, problems
    }

    /// The documented JSON: a task with every key present (null when unknown), or `{"problems": [...]}`;
    /// both with `warnings`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .task(let task, let warnings):
            try container.encode(task.kind, forKey: .kind)
            try container.encode(task.resource?.name, forKey: .resource)
            if let application = task.resource?.applicationKind {
                try container.encode(application, forKey: .application)
            }
            try container.encode(task.region, forKey: .region)
            try container.encode(task.account, forKey: .account)
            try container.encode(task.parameters, forKey: .parameters)
            try container.encode(task.dependsOn, forKey: .dependsOn)
            try container.encode(task.tags, forKey: .tags)
            try container.encode(task.requester, forKey: .requester)
            try container.encode(task.issue, forKey: .issue)
            try container.encode(warnings, forKey: .warnings)
        case .problems(let problems, let warnings):
            try container.encode(problems, forKey: .problems)
            try container.encode(warnings, forKey: .warnings)
        }
    }

    /// The JSON `gaffer parse-issue` prints: keys sorted, so the output is stable.
    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
