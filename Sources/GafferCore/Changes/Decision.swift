import Foundation

/// A person's `/approve` or `/deny` of a pull request's plan: who, when, why. (An approving review is
/// read from GitHub when it counts, not recorded.)
public struct Decision: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable {
        case approve, deny
    }

    public var repository: String
    public var pullRequest: Int
    /// The plan it was given for: a new plan needs new decisions.
    public var planID: String
    public var verdict: Verdict
    public var by: String
    public var reason: String?
    public var at: Date
    /// What was decided when it is not a pull request's plan: "savings proposal P2 (EC2-IDLE) on arn:…".
    public var subject: String?

    public init(
        repository: String,
        pullRequest: Int,
        planID: String,
        verdict: Verdict,
        by: String,
        reason: String?,
        at: Date
    ) {
        self.repository = repository
        self.pullRequest = pullRequest
        self.planID = planID
        self.verdict = verdict
        self.by = by
        self.reason = reason
        self.at = at
    }
}

/// A stack held by the pull request that planned it, until it is applied and merged or closed.
public struct StackLock: Sendable, Hashable, Codable {
    public var key: StackKey
    public var repository: String
    public var pullRequest: Int
    public var issue: Int
    public var at: Date

    public init(key: StackKey, repository: String, pullRequest: Int, issue: Int, at: Date) {
        self.key = key
        self.repository = repository
        self.pullRequest = pullRequest
        self.issue = issue
        self.at = at
    }

    public func isHeld(by repository: String, pullRequest: Int) -> Bool {
        self.repository.lowercased() == repository.lowercased() && self.pullRequest == pullRequest
    }
}
