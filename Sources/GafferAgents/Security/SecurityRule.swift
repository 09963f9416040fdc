import GafferCore

/// One check of a template. Each rule finds its own problems and says how to fix them; a rule
/// whose problem a task parameter controls names that parameter so the security agent can ask
/// the infrastructure agent to change it.
public protocol SecurityRule: Sendable {
    var id: String { get }
    func check(_ document: CloudFormationDocument) -> [RuleHit]
}

/// A problem a rule found, before it becomes a `Finding`.
public struct RuleHit: Sendable {
    public var severity: Finding.Severity
    public var resource: CloudFormationDocument.Resource
    public var line: Int
    public var message: String
    public var fix: String
    /// The task parameter and value that clear it, when a parameter controls it.
    public var parameterFix: (key: String, value: String)?

    public init(
        _ severity: Finding.Severity,
        _ resource: CloudFormationDocument.Resource,
        line: Int? = nil,
        _ message: String,
        fix: String,
        parameterFix: (key: String, value: String)? = nil
    ) {
        self.severity = severity
        self.resource = resource
        self.line = line ?? resource.line
        self.message = message
        self.fix = fix
        self.parameterFix = parameterFix
    }
}

/// Every rule the security agent applies; a new rule is added here.
public enum SecurityRules {
    public static let all: [any SecurityRule] = [
        PublicBucketRule(), MissingEncryptionRule(), OpenAdminPortRule(), IAMWildcardRule(), PublicDatabaseRule(),
        InstanceMetadataV1Rule(), LogRetentionRule(), DataDeletionPolicyRule(),
    ]
}
