import Foundation

/// What Gaffer learned from a stack operation that failed: the resource type, AWS's error, and,
/// once the same task's next plan applied cleanly, what fixed it.
public struct Learning: Sendable, Hashable, Codable {
    /// The change plan and stack that failed: a failure is learned once, however often it is looked at.
    public var planID: String
    public var stack: String
    public var repository: String
    public var issue: Int
    public var pullRequest: Int
    /// The CloudFormation type of the resource that failed (`AWS::S3::Bucket`).
    public var resourceType: String
    /// AWS's error code where the reason names one (`BucketAlreadyExists`), else the reason's first words.
    public var errorCode: String
    public var reason: String
    public var failedAt: Date
    /// What fixed it; nil until the task applied cleanly.
    public var fix: String?
    public var fixedAt: Date?

    public init(
        planID: String,
        stack: String,
        repository: String,
        issue: Int,
        pullRequest: Int,
        resourceType: String,
        errorCode: String,
        reason: String,
        failedAt: Date,
        fix: String? = nil,
        fixedAt: Date? = nil
    ) {
        self.planID = planID
        self.stack = stack
        self.repository = repository
        self.issue = issue
        self.pullRequest = pullRequest
        self.resourceType = resourceType
        self.errorCode = errorCode
        self.reason = reason
        self.failedAt = failedAt
        self.fix = fix
        self.fixedAt = fixedAt
    }

    /// `Error Code: X` from CloudFormation's reason, else its first few words.
    public static func errorCode(in reason: String) -> String {
        if let match = reason.firstMatch(of: /Error Code: ([A-Za-z0-9.]+)/) { return String(match.1) }
        let words = reason.split(separator: " ").prefix(6).joined(separator: " ")
        return words.count < reason.count ? words + "…" : words
    }

    /// One line for a plan: what happened before to this kind of resource, and what fixed it.
    public var lesson: String {
        "\(resourceType) failed in \(repository)#\(issue) (stack \(stack)) with \(errorCode): \(reason)"
            + (fix.map { "; fixed by \($0)" } ?? "; not fixed yet")
    }
}

/// What the knowledge base holds, by kind.
public enum KnowledgeKind: String, Sendable, Hashable, Codable, CaseIterable {
    case decision, deployment, gap, learning, message
}

/// One entry of the knowledge base, as `gaffer kb` lists it.
public struct KnowledgeEntry: Sendable, Hashable, Codable {
    public var kind: KnowledgeKind
    public var at: Date
    public var repository: String
    /// The issue or pull request it is about (`#7`).
    public var reference: String
    public var summary: String

    public init(kind: KnowledgeKind, at: Date, repository: String, reference: String, summary: String) {
        self.kind = kind
        self.at = at
        self.repository = repository
        self.reference = reference
        self.summary = summary
    }
}

/// Gaffer's knowledge base: decisions, deployments, capability gaps, learnings and the agents' messages, read together.
public protocol KnowledgeStore: Sendable {
    func recordLearning(_ learning: Learning) async throws
    /// Marks the task's unfixed learnings fixed by `fix`; returns how many.
    @discardableResult
    func resolveLearnings(repository: String, issue: Int, fix: String, at: Date) async throws -> Int
    /// Learnings about these resource types, newest first.
    func learnings(resourceTypes: [String]) async throws -> [Learning]
    /// Entries newest first, of one kind or all, whose text contains `text` (any case) when given.
    func knowledge(kind: KnowledgeKind?, matching text: String?, limit: Int) async throws -> [KnowledgeEntry]
}
