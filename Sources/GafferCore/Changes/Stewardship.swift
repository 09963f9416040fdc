/// Who looks after each kind of resource, and how far Gaffer may act on it without asking: the
/// registry's "service as agent" model, in one table. Autonomy runs from 0 (never without a
/// person) to 10; a resource tagged for production (`environment` or `env`: `production`, `prod`)
/// has `productionPenalty` less. A change to a resource below `requiredLevel` needs a second
/// person's `/approve`, whatever `apply_requirements` says.
public struct Stewardship: Sendable, Hashable {
    /// The agent that owns a kind of resource, the one that reviews it, and its autonomy.
    public struct Steward: Sendable, Hashable {
        public var owner: AgentRole
        public var reviewer: AgentRole?
        public var autonomy: Int

        public init(owner: AgentRole, reviewer: AgentRole? = nil, autonomy: Int) {
            self.owner = owner
            self.reviewer = reviewer
            self.autonomy = autonomy
        }
    }

    /// By CloudFormation type. Compute is the infrastructure agent's; data stores too, reviewed by
    /// the security agent; alarms, topics and dashboards the monitoring agent's; identities, keys,
    /// secrets and firewalls the security agent's; pipelines the deployment agent's.
    public static let table: [String: Steward] = Dictionary(
        uniqueKeysWithValues: rows.map { ($0.type, Steward(owner: $0.owner, reviewer: $0.reviewer, autonomy: $0.autonomy)) }
    )

    private static let rows: [(type: String, owner: AgentRole, reviewer: AgentRole?, autonomy: Int)] = [
        ("AWS::Lambda::Function", .infrastructure, nil, 8),
        ("AWS::ECS::Service", .infrastructure, nil, 7),
        ("AWS::EC2::Instance", .infrastructure, nil, 6),
        ("AWS::ApiGateway::RestApi", .infrastructure, nil, 6),
        ("AWS::CloudFront::Distribution", .infrastructure, nil, 5),
        ("AWS::S3::Bucket", .infrastructure, .security, 5),
        ("AWS::DynamoDB::Table", .infrastructure, .security, 5),
        ("AWS::RDS::DBInstance", .infrastructure, .security, 4),
        ("AWS::EC2::VPC", .infrastructure, .security, 3),
        ("AWS::EC2::Volume", .infrastructure, nil, 5),
        ("AWS::CloudWatch::Alarm", .monitoring, nil, 9),
        ("AWS::CloudWatch::Dashboard", .monitoring, nil, 9),
        ("AWS::SNS::Topic", .monitoring, nil, 7),
        ("AWS::Logs::LogGroup", .monitoring, nil, 8),
        ("AWS::EC2::SecurityGroup", .security, nil, 3),
        ("AWS::IAM::Role", .security, nil, 2),
        ("AWS::IAM::Policy", .security, nil, 2),
        ("AWS::KMS::Key", .security, nil, 2),
        ("AWS::SecretsManager::Secret", .security, nil, 2),
        ("AWS::CodeBuild::Project", .deployment, nil, 6),
    ]
    public static let fallback = Steward(owner: .infrastructure, autonomy: 5)

    /// The operator's levels by CloudFormation type (`autonomy_levels`), over the table's.
    public var levels: [String: Int] = [:]
    /// A change to a resource whose autonomy is below this needs a second person (`autonomy_required_level`).
    public var requiredLevel = 5
    public var productionPenalty = 2

    public init() {}

    public func steward(for type: String) -> Steward {
        var steward = Self.table[type] ?? Self.fallback
        if let level = levels[type] { steward.autonomy = level }
        return steward
    }

    public func autonomy(of type: String, tags: [String: String] = [:]) -> Int {
        let environment = (tags["environment"] ?? tags["Environment"] ?? tags["env"] ?? "").lowercased()
        let penalty = ["production", "prod"].contains(environment) ? productionPenalty : 0
        return max(0, steward(for: type).autonomy - penalty)
    }
}
