/// Where change plans, decisions, stack locks, the resource registry and the deployment history are kept.
public protocol ChangeStore: RegistryReading {
    /// Stores a new plan; a plan with the same id already stored is kept as it was and returned.
    func saveChangePlan(_ plan: ChangePlan) async throws -> ChangePlan
    func changePlan(id: String) async throws -> ChangePlan?
    /// The pull request's plans, oldest first.
    func changePlans(repository: String, pullRequest: Int) async throws -> [ChangePlan]
    /// The pull request's newest plan, whatever its state.
    func latestChangePlan(repository: String, pullRequest: Int) async throws -> ChangePlan?
    /// Moves the plan to `state` only when it is in one of `from`: true when this call moved it.
    /// The one way a plan changes, so two workers can never both start the same apply.
    func transitionChangePlan(_ id: String, from: Set<ChangePlan.State>, to state: ChangePlan.State) async throws -> Bool

    func recordDecision(_ decision: Decision) async throws
    func decisions(repository: String, pullRequest: Int) async throws -> [Decision]

    /// Takes the stack for the pull request, or returns the lock another holds (the caller compares).
    func acquireLock(_ lock: StackLock) async throws -> StackLock
    func lock(for key: StackKey) async throws -> StackLock?
    func locks(repository: String, pullRequest: Int) async throws -> [StackLock]
    /// Releases the pull request's locks (only `keys` when given); returns what was released.
    @discardableResult
    func releaseLocks(repository: String, pullRequest: Int, keys: [StackKey]?) async throws -> [StackLock]

    /// Adds or replaces resources by ARN.
    func register(_ resources: [RegisteredResource]) async throws
    /// Removes a stack's resources (it was deleted).
    func unregister(stack: StackKey) async throws
    func registeredResources() async throws -> [RegisteredResource]
    /// The resources of these stacks.
    func registeredResources(in stacks: [StackKey]) async throws -> [RegisteredResource]
    /// Records a stack's run of a plan, once: a second record of the same plan and stack is ignored.
    func recordDeployment(_ deployment: Deployment) async throws
    func deployments(repository: String?) async throws -> [Deployment]
    /// One plan's deployments, in the order they ended.
    func deployments(plan id: String) async throws -> [Deployment]
}
