import GafferCore

/// The apply requirements an operator may choose (`apply_requirements`). The plan being made at
/// the current head, the pipeline passing, the stack's lock and the cost threshold always apply.
public enum ApplyRequirementName: String, Sendable, Hashable, CaseIterable {
    /// An approving review or `/approve` by someone other than the requester.
    case approved
    /// The pull request merges without conflicts.
    case mergeable
}

/// How plans and applies go (`autoplan`, `merge_after_apply`, `apply_requirements`, `destructive_approval`).
public struct ChangeSettings: Sendable, Hashable {
    /// Plan after each green pipeline run, without waiting for `/plan`.
    public var autoplan = true
    /// Squash-merge the pull request once its plan is applied.
    public var mergeAfterApply = true
    public var applyRequirements: Set<ApplyRequirementName> = [.approved, .mergeable]
    /// A delete, a removal or a replacement needs `/approve` by a second person, whatever `apply_requirements` says.
    public var destructiveApproval = true
    /// Who owns each kind of resource, and below which autonomy a change needs a second person.
    public var stewardship = Stewardship()
    /// Stacks, resources and tags Gaffer must never change or delete (`protected_resources`).
    public var protected = ProtectedResources()
    /// What a plan may add to the bill and Gaffer may spend before a second person must approve it.
    public var budgets = Budgets()
    /// How often a change set or a stack is looked at while AWS works.
    public var pollInterval: Duration = .milliseconds(250)
    /// How often the apply comment is edited while a stack changes.
    public var progressInterval: Duration = .seconds(10)
    /// How long Gaffer follows one stack before it says it stopped following.
    public var stackTimeout: Duration = .seconds(3600)

    public init() {}
}
