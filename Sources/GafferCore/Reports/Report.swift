import Foundation

/// What a read-only task found: the resources it saw, what is wrong with them, what they cost.
/// The comment, the `--json` output and the files in the data directory are all made from it.
public struct Report: Sendable, Hashable, Codable {
    public var kind: TaskKind
    public var accounts: [String]
    public var regions: [String]
    public var generatedAt: Date
    /// discover and healthCheck: every resource seen, and registry resources no longer there (`gone`).
    public var resources: [ReportResource]
    /// securityAudit: what is unsafe, worst first.
    public var findings: [AuditFinding]
    /// optimizeCosts: what was spent, and ways to spend less, largest saving first.
    public var costs: CostSummary?
    public var proposals: [SavingsProposal]
    /// What could not be read (a region that refused, a service not offered there): said, never hidden.
    public var gaps: [String]

    public init(
        kind: TaskKind,
        accounts: [String],
        regions: [String],
        generatedAt: Date,
        resources: [ReportResource] = [],
        findings: [AuditFinding] = [],
        costs: CostSummary? = nil,
        proposals: [SavingsProposal] = [],
        gaps: [String] = []
    ) {
        self.kind = kind
        self.accounts = accounts
        self.regions = regions
        self.generatedAt = generatedAt
        self.resources = resources
        self.findings = findings
        self.costs = costs
        self.proposals = proposals
        self.gaps = gaps
    }

    /// The report as one JSON object, keys sorted, for `gaffer report --json` and the data directory.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// A report as `jsonData` wrote it.
    public static func decoded(from data: Data) throws -> Report {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Report.self, from: data)
    }

    /// One row per resource (discover, health) or per finding (security), with a header.
    public func csv() -> String {
        var rows: [[String]]
        if kind == .optimizeCosts {
            rows = [["id", "rule", "resource", "region", "account", "action", "monthlySavingUSD", "managed", "evidence"]]
            rows += proposals.map {
                [
                    $0.id ?? "", $0.rule, $0.resource, $0.region, $0.account, $0.action, String(format: "%.2f", $0.monthlySavingUSD),
                    String($0.managed),
                    $0.evidence,
                ]
            }
        } else if kind == .securityAudit {
            rows = [["severity", "rule", "resource", "region", "account", "managed", "evidence", "fix"]]
            rows += findings.map { [$0.severity.rawValue, $0.rule, $0.resource, $0.region, $0.account, String($0.managed), $0.evidence, $0.fix] }
        } else {
            rows = [["service", "type", "id", "arn", "region", "account", "managed", "gone", "health", "evidence", "dependsOn"]]
            rows += resources.map {
                [
                    $0.service, $0.type, $0.id, $0.arn, $0.region, $0.account, String($0.managed), String($0.gone), $0.health.rawValue,
                    $0.evidence.joined(separator: "; "), ($0.dependsOn ?? []).joined(separator: " "),
                ]
            }
        }
        return rows.map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. A field a
    /// spreadsheet would run as a formula (`=`, `+`, `-`, `@`) gets a leading quote mark.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A resource's health as a report judges it from the evidence it read.
public enum HealthVerdict: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case healthy = "Healthy"
    case degraded = "Degraded"
    case unhealthy = "Unhealthy"
    case unknown = "Unknown"

    private var rank: Int { [.healthy: 0, .unknown: 1, .degraded: 2, .unhealthy: 3][self] ?? 1 }
    public static func < (a: HealthVerdict, b: HealthVerdict) -> Bool { a.rank < b.rank }
}

/// One resource in a report.
public struct ReportResource: Sendable, Hashable, Codable {
    /// The name or id people use (`logs-archive`, `i-0abc…`).
    public var id: String
    public var arn: String
    /// The CloudFormation type (`AWS::S3::Bucket`), or `service:resource` for types Gaffer only sees by tag.
    public var type: String
    /// The ARN's service (`s3`, `ec2`): how the report groups resources.
    public var service: String
    public var region: String
    public var account: String
    /// In Gaffer's registry: made by one of its stacks.
    public var managed: Bool
    /// In the registry but no longer in AWS.
    public var gone: Bool
    public var health: HealthVerdict
    /// What the verdict rests on ("status checks ok", "3 errors in the last hour").
    public var evidence: [String]
    public var tags: [String: String]
    /// The registry's stack for a managed resource.
    public var stack: String?
    /// The agent that looks after this kind of resource, and how far Gaffer may act on it alone (`Stewardship`).
    public var owner: AgentRole?
    public var autonomy: Int?
    /// For a managed resource, the ARNs of its stack's resources it depends on.
    public var dependsOn: [String]?

    public init(
        id: String,
        arn: String,
        type: String,
        region: String,
        account: String,
        managed: Bool = false,
        gone: Bool = false,
        health: HealthVerdict = .unknown,
        evidence: [String] = [],
        tags: [String: String] = [:],
        stack: String? = nil
    ) {
        self.id = id
        self.arn = arn
        self.type = type
        self.service = ResourceARN.service(of: arn) ?? "other"
        self.region = region
        self.account = account
        self.managed = managed
        self.gone = gone
        self.health = health
        self.evidence = evidence
        self.tags = tags
        self.stack = stack
    }
}

/// Something unsafe a security audit found in AWS, with the evidence and the fix.
public struct AuditFinding: Sendable, Hashable, Codable {
    public var severity: Finding.Severity
    /// A stable id such as `S3-NO-PUBLIC-ACCESS-BLOCK`.
    public var rule: String
    /// The resource's ARN (or id where it has none).
    public var resource: String
    public var region: String
    public var account: String
    public var evidence: String
    public var fix: String
    /// Made by Gaffer: the fix is offered as a pull request rather than a direction.
    public var managed: Bool

    public init(
        severity: Finding.Severity,
        rule: String,
        resource: String,
        region: String,
        account: String,
        evidence: String,
        fix: String,
        managed: Bool = false
    ) {
        self.severity = severity
        self.rule = rule
        self.resource = resource
        self.region = region
        self.account = account
        self.evidence = evidence
        self.fix = fix
        self.managed = managed
    }
}
