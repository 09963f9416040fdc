import Foundation

/// A resource Gaffer made and looks after: where it is, which stack and agent own it, what it costs.
public struct RegisteredResource: Sendable, Hashable, Codable {
    /// The ARN where the resource type has one Gaffer can name, else the physical id.
    public var arn: String
    public var resourceType: String
    public var logicalID: String
    public var stack: StackKey
    public var ownerAgent: AgentRole
    public var costPerDayUSD: Double?
    /// Healthy, Degraded, Unhealthy or Unknown; Unknown until someone checks.
    public var health: String
    public var repository: String
    public var issue: Int
    public var updatedAt: Date
    /// When a report last saw it in AWS.
    public var lastSeenAt: Date?
    /// When a report first found it missing from AWS; nil while it is there.
    public var goneSince: Date?
    /// How far Gaffer may act on it alone, 0 to 10 (`Stewardship`), as the last report judged it with its tags.
    public var autonomy: Int?
    public var tags: [String: String]?
    /// The ARNs of the stack's resources this one names (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`).
    public var dependsOn: [String]?

    public init(
        arn: String,
        resourceType: String,
        logicalID: String,
        stack: StackKey,
        ownerAgent: AgentRole,
        costPerDayUSD: Double?,
        health: String = "Unknown",
        repository: String,
        issue: Int,
        updatedAt: Date
    ) {
        self.arn = arn
        self.resourceType = resourceType
        self.logicalID = logicalID
        self.stack = stack
        self.ownerAgent = ownerAgent
        self.costPerDayUSD = costPerDayUSD
        self.health = health
        self.repository = repository
        self.issue = issue
        self.updatedAt = updatedAt
    }
}

/// One apply or destroy of a stack, as it ended.
public struct Deployment: Sendable, Hashable, Codable {
    public var planID: String
    public var stack: StackKey
    public var repository: String
    public var issue: Int
    public var pullRequest: Int
    /// The stack's final status: CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, DELETE_COMPLETE...
    public var status: String
    public var succeeded: Bool
    public var by: String
    public var startedAt: Date
    public var endedAt: Date

    public init(
        planID: String,
        stack: StackKey,
        repository: String,
        issue: Int,
        pullRequest: Int,
        status: String,
        succeeded: Bool,
        by: String,
        startedAt: Date,
        endedAt: Date
    ) {
        self.planID = planID
        self.stack = stack
        self.repository = repository
        self.issue = issue
        self.pullRequest = pullRequest
        self.status = status
        self.succeeded = succeeded
        self.by = by
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}
