import GafferCore

/// Names a task's stacks and files: stack `gaffer-<resource>-<name>`, files under `infra/<stack>/`.
public struct StackNaming: Sendable, Hashable {
    public let name: String

    public init(task: AwsTask) {
        let resource = task.resource.map(Self.kebab) ?? "resources"
        name = Self.stackName("gaffer-\(resource)-\(task.resourceName ?? "unnamed")")
    }

    public var folder: String { "infra/\(name)" }
    public var templatePath: String { "\(folder)/template.yaml" }
    public var monitoringName: String { Self.stackName("\(name)-monitoring") }
    public var monitoringPath: String { "\(folder)/monitoring.yaml" }
    public var buildspecPath: String { "\(folder)/buildspec.yml" }
    public var readmePath: String { "\(folder)/README.md" }

    /// Whether a path is a CloudFormation template of a stack: a `.yaml` file (or a `.yml` one not
    /// named buildspec) directly in `infra/<stack>/`. An application's code and pipelines, in
    /// subfolders or named `buildspec*.yml`, are not.
    public static func isTemplatePath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "infra", let file = parts.last else { return false }
        return file.hasSuffix(".yaml") || (file.hasSuffix(".yml") && !file.hasPrefix("buildspec"))
    }

    /// The resource in a stack or branch name (`s3-bucket`).
    public static func kebab(_ resource: ResourceKind) -> String {
        switch resource {
        case .s3Bucket: "s3-bucket"
        case .dynamoDBTable: "dynamodb-table"
        case .lambdaFunction: "lambda-function"
        case .ec2Instance: "ec2-instance"
        case .rdsInstance: "rds-instance"
        case .vpc: "vpc"
        case .cloudFrontDistribution: "cloudfront-distribution"
        case .apiGateway: "api-gateway"
        case .snsTopic: "sns-topic"
        case .cloudWatchAlarm: "cloudwatch-alarm"
        case .ecsService: "ecs-service"
        case .application(let kind): "app-\(kind.rawValue)"
        }
    }

    /// CloudFormation's rule: a letter, then letters, digits and hyphens, at most 128 characters.
    public static func stackName(_ text: String) -> String {
        var out = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        while out.contains("--") { out = out.replacingOccurrences(of: "--", with: "-") }
        out = String(out.prefix(128))
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }
}
