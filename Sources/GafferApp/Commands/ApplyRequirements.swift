import GafferCore

/// What Gaffer knows when `/apply` is asked: the plan, the pull request now, the pipeline,
/// who approved, and the stacks' locks.
public struct ApplyFacts: Sendable {
    public var plan: ChangePlan
    public var pullRequest: Int
    public var repository: String
    /// The pull request's head now.
    public var head: String
    public var open: Bool
    /// The `gaffer/pipeline` conclusion on the head, nil when it has not finished.
    public var pipeline: String?
    /// GitHub's word on conflicts: false when the branch does not merge.
    public var mergeable: Bool?
    /// People other than the requester, with the permission `/approve` needs, who approved this plan.
    public var approvers: [String]
    public var locks: [StackKey: StackLock]
    /// The server's settings with the repository's `.gaffer.yml` over them.
    public var settings: ChangeSettings
    /// What is wrong in the repository's `.gaffer.yml`.
    public var configurationProblems: [String] = []
}

/// One condition `/apply` needs; it answers with what is missing and how to get it, not an error.
public protocol ApplyRequirement: Sendable {
    func refusal(_ facts: ApplyFacts) -> String?
}

/// The pull request is open: a closed one's change is not applied. A `/destroy` plan is anchored on the
/// task's pull request, merged or not.
struct PullRequestOpen: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        facts.open || facts.plan.operation == .delete ? nil : "#\(facts.pullRequest) is closed: reopen it and `/plan` again"
    }
}

/// The repository's `.gaffer.yml` can be read and sets only what it may: otherwise what it meant is unknown.
struct RepositoryConfigurationValid: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        guard !facts.configurationProblems.isEmpty else { return nil }
        return
            "the repository's configuration has problems (\(facts.configurationProblems.joined(separator: "; "))): fix `.gaffer.yml` on the default branch"
    }
}

/// The plan was made at the pull request's current head.
struct PlanIsCurrent: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        guard facts.plan.headSHA != facts.head else { return nil }
        return
            "the plan was made at `\(facts.plan.headSHA.prefix(12))`, but the branch is now at `\(facts.head.prefix(12))`: a new commit invalidates it. `/plan` again (it runs by itself after a green pipeline when autoplan is on)"
    }
}

/// The pipeline passed on that commit.
struct PipelinePassed: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        switch facts.pipeline {
        // Neutral: the commit has nothing to build (a delete removes the stack's files).
        case "success", "neutral": nil
        case nil: "the `gaffer/pipeline` check has not finished on `\(facts.head.prefix(12))`: wait for it"
        case let conclusion?:
            "the `gaffer/pipeline` check ended `\(conclusion)` on `\(facts.head.prefix(12))`: fix what it reports, or `/retry` it if it failed for another reason"
        }
    }
}

/// Someone other than the requester approved (`apply_requirements: approved`).
struct ApprovedByAnother: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        guard facts.settings.applyRequirements.contains(.approved), facts.approvers.isEmpty else { return nil }
        return
            "nobody but @\(facts.plan.requester) (who asked for it) has approved it: another person with write permission must `/approve` or approve the pull request"
    }
}

/// A delete, a removal or a replacement needs a second person, whatever `apply_requirements` says.
struct DestructiveApproved: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        let reasons = facts.plan.destructiveReasons
        guard facts.settings.destructiveApproval, !reasons.isEmpty, facts.approvers.isEmpty else { return nil }
        return "it is destructive (\(reasons.joined(separator: "; "))): a second person must `/approve` it"
    }
}

/// It changes a kind of resource whose autonomy is below `autonomy_required_level`: a second person must
/// agree, even where `apply_requirements` leaves out `approved` (with it, `ApprovedByAnother` says so already).
struct AutonomyApproved: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        guard facts.approvers.isEmpty, !facts.settings.applyRequirements.contains(.approved) else { return nil }
        let stewardship = facts.settings.stewardship
        let low = Set(facts.plan.stacks.flatMap(\.changes).map(\.resourceType)).filter { stewardship.autonomy(of: $0) < stewardship.requiredLevel }
        guard !low.isEmpty else { return nil }
        let kinds = low.sorted().map { "\($0) (autonomy \(stewardship.autonomy(of: $0)))" }.joined(separator: ", ")
        return "it changes \(kinds), below the autonomy Gaffer may act on alone (\(stewardship.requiredLevel)): a second person must `/approve` it"
    }
}

/// Over the cost threshold (or another reason the agents gave), it needs an approval.
struct CostApproved: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        guard !facts.plan.approvalReasons.isEmpty, facts.approvers.isEmpty else { return nil }
        return "it needs an approval (\(facts.plan.approvalReasons.joined(separator: "; "))): another person must `/approve` it"
    }
}

/// The branch merges without conflicts (`apply_requirements: mergeable`); Gaffer's own check does not count.
struct Mergeable: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        guard facts.settings.applyRequirements.contains(.mergeable), facts.mergeable == false else { return nil }
        return "the pull request does not merge into its base (conflicts): update the branch"
    }
}

/// Every stack of the plan is locked by this pull request.
struct LockHeld: ApplyRequirement {
    func refusal(_ facts: ApplyFacts) -> String? {
        let problems = facts.plan.stacks.compactMap { stack -> String? in
            guard let lock = facts.locks[stack.key] else { return "`\(stack.key)` is not locked by this pull request any more (unlocked)" }
            guard !lock.isHeld(by: facts.repository, pullRequest: facts.pullRequest) else { return nil }
            return "`\(stack.key)` is locked by #\(lock.pullRequest)"
        }
        guard !problems.isEmpty else { return nil }
        return problems.joined(separator: "; ") + ": `/plan` again once this pull request holds the lock"
    }
}

/// The requirements `/apply` checks, in the order their refusals are listed.
enum ApplyRequirements {
    static let all: [any ApplyRequirement] = [
        RepositoryConfigurationValid(), PullRequestOpen(), PlanIsCurrent(), PipelinePassed(), ApprovedByAnother(), DestructiveApproved(),
        AutonomyApproved(), CostApproved(), Mergeable(), LockHeld(),
    ]
}
