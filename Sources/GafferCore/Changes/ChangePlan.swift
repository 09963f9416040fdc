import Foundation

/// What `/plan` found AWS would do for a pull request at one commit: a CloudFormation change
/// set per stack. The record is never edited; only its `state` moves on (applied, discarded...).
public struct ChangePlan: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Waiting for its requirements and `/apply`.
        case planned
        /// `/apply` started executing its change sets.
        case applying
        case applied
        /// AWS could not carry it out; the stack's events say why.
        case failed
        /// `/deny`, `/cancel`, or a newer commit or plan replaced it.
        case discarded
    }

    /// What the plan does: create or change stacks, or delete them (`/destroy`, a delete task).
    public enum Operation: String, Sendable, Hashable, Codable {
        case change
        case delete
    }

    public var id: String
    public var repository: String
    public var issue: Int
    public var pullRequest: Int
    public var headSHA: String
    public var operation: Operation
    public var stacks: [PlannedStack]
    /// The login of the person who asked (`/plan`), or Gaffer's for an autoplan.
    public var requestedBy: String
    /// The task's author: the one person who cannot approve it.
    public var requester: String
    public var createdAt: Date
    public var state: State
    /// Whether the cost agent or the coordinator's rules asked for an approval (over the threshold, a delete).
    public var approvalReasons: [String]

    public init(
        id: String,
        repository: String,
        issue: Int,
        pullRequest: Int,
        headSHA: String,
        operation: Operation = .change,
        stacks: [PlannedStack],
        requestedBy: String,
        requester: String,
        createdAt: Date,
        state: State = .planned,
        approvalReasons: [String] = []
    ) {
        self.id = id
        self.repository = repository
        self.issue = issue
        self.pullRequest = pullRequest
        self.headSHA = headSHA
        self.operation = operation
        self.stacks = stacks
        self.requestedBy = requestedBy
        self.requester = requester
        self.createdAt = createdAt
        self.state = state
        self.approvalReasons = approvalReasons
    }

    public var hasChanges: Bool { operation == .delete || stacks.contains { !$0.changes.isEmpty } }

    /// Why this plan needs a second person's `/approve` whatever the configuration: it deletes, removes or replaces.
    public var destructiveReasons: [String] {
        if operation == .delete { return stacks.map { "it deletes the stack \($0.key.name)" } }
        return stacks.flatMap { stack in
            stack.changes.compactMap { change in
                if change.action == "Remove" { return "it removes \(change.logicalID) (\(change.resourceType)) from \(stack.key.name)" }
                if change.replacement == "True" || change.replacement == "Conditional" {
                    return
                        "it \(change.replacement == "True" ? "replaces" : "may replace") \(change.logicalID) (\(change.resourceType)) in \(stack.key.name)"
                }
                return nil
            }
        }
    }
}

/// One stack of a plan: its change set and the changes AWS listed.
public struct PlannedStack: Sendable, Hashable, Codable {
    public var key: StackKey
    /// CREATE for a new stack, UPDATE for one that exists, DELETE for `/destroy`.
    public var changeSetType: String
    public var changeSetName: String
    /// The change set's ARN (empty for a delete, which has no change set).
    public var changeSetID: String
    public var templatePath: String
    /// SHA-256 of the template body, hex.
    public var templateHash: String
    public var changes: [ResourceChange]

    public init(
        key: StackKey,
        changeSetType: String,
        changeSetName: String,
        changeSetID: String,
        templatePath: String,
        templateHash: String,
        changes: [ResourceChange]
    ) {
        self.key = key
        self.changeSetType = changeSetType
        self.changeSetName = changeSetName
        self.changeSetID = changeSetID
        self.templatePath = templatePath
        self.templateHash = templateHash
        self.changes = changes
    }
}

/// One resource a change set touches, as AWS described it.
public struct ResourceChange: Sendable, Hashable, Codable {
    /// Add, Modify, Remove (or Import, Dynamic).
    public var action: String
    public var logicalID: String
    public var physicalID: String?
    public var resourceType: String
    /// True, False or Conditional, for a Modify.
    public var replacement: String?
    public var properties: [PropertyChange]

    public init(
        action: String,
        logicalID: String,
        physicalID: String? = nil,
        resourceType: String,
        replacement: String? = nil,
        properties: [PropertyChange] = []
    ) {
        self.action = action
        self.logicalID = logicalID
        self.physicalID = physicalID
        self.resourceType = resourceType
        self.replacement = replacement
        self.properties = properties
    }
}

/// A property that changes, whether changing it recreates the resource, and its values when AWS gave them.
public struct PropertyChange: Sendable, Hashable, Codable {
    public var name: String
    /// Always, Conditionally or Never.
    public var requiresRecreation: String?
    public var before: String?
    public var after: String?

    public init(name: String, requiresRecreation: String? = nil, before: String? = nil, after: String? = nil) {
        self.name = name
        self.requiresRecreation = requiresRecreation
        self.before = before
        self.after = after
    }
}
