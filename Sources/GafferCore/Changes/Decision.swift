import Foundation

/// A person's `/approve` or `/deny` (or an approving review) of a pull request's plan: who, when, why.
public struct Decision: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable {
        case approve, deny
    }

    public var repository: String
    public var pullRequest: Int
    /// The plan it was given for, when there was one.
    public var planID: String?
    public var verdict: Verdict
    public var by: String
    public var reason: String?
    public var at: Date
    /// Where it was given: `comment`, `review`, `dashboard`.
    public var via: String

    public init(
        repository: String,
        pullRequest: Int,
        planID: String?,
        verdict: Verdict,
        by: String,
        reason: String?,
        at: Date,
        via: String = "comment"
    ) {
        self.repository = repository
        self.pullRequest = pullRequest
        self.planID = planID
        self.verdict = verdict
        self.by = by
        self.reason = reason
        self.at = at
        self.via = via
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
