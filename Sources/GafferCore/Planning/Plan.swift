import Foundation

/// A task's plan: a graph of steps for the agents, the messages between them, and what came of it.
public struct Plan: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        case running
        /// Every step succeeded or had nothing to do.
        case ready
        /// A step failed or could not run.
        case failed
        /// A limit was reached.
        case stopped
    }

    public var id: String
    public var task: AwsTask
    /// `owner/name` of the repository the issue is in, when known.
    public var repository: String?
    public var steps: [Step]
    public var messages: [AgentMessage]
    public var gaps: [CapabilityGap]
    public var limits: PlanLimits
    public var handoffs: Int
    /// Settings other agents asked of each agent (`requestChange`), accumulated over the plan.
    public var requestedChanges: [AgentRole: [String: String]]
    public var state: State
    public var stoppedBy: PlanLimit?
    /// Reasons the coordinator's rules require approval whatever the agents say (a delete).
    public var ruleApprovalReasons: [String]
    public var createdAt: Date
    public var updatedAt: Date
    /// What failed before for the kinds of resource this plan writes, and what fixed it (the knowledge base's learnings).
    public var lessons: [String]?
    /// What the task's branch already held in the application's folder when this plan was made (an unfinished
    /// step's work, or a person's commits): the code step goes on from it rather than starting again.
    public var earlierWork: FileSet?

    public init(id: String, task: AwsTask, repository: String? = nil, steps: [Step], limits: PlanLimits, approvalReasons: [String] = [], at: Date) {
        self.id = id
        self.task = task
        self.repository = repository
        self.steps = steps
        self.messages = []
        self.gaps = []
        self.limits = limits
        self.handoffs = 0
        self.requestedChanges = [:]
        self.state = .running
        self.ruleApprovalReasons = approvalReasons
        self.createdAt = at
        self.updatedAt = at
    }

    public func step(_ id: String) -> Step? { steps.first { $0.id == id } }

    /// Every succeeded step's files in step order; a later step's write of a path replaces an earlier one.
    public var files: FileSet {
        var byPath: [String: FileSet.Change] = [:]
        var order: [String] = []
        for step in steps where step.state == .succeeded {
            for change in step.output?.files.changes ?? [] {
                if byPath[change.path] == nil { order.append(change.path) }
                byPath[change.path] = change
            }
        }
        return FileSet(order.compactMap { byPath[$0] })
    }

    /// A step that stopped at a cap (iterations, time or dollars) and left what it had written, for `/retry` to continue.
    public var unfinishedStep: Step? { steps.first { $0.state == .failed && $0.output != nil } }

    /// The files so far: every succeeded step's, then the unfinished step's, which a person can see on the branch.
    public var filesSoFar: FileSet {
        var files = self.files
        for change in unfinishedStep?.output?.files.changes ?? [] {
            switch change {
            case .write(let path, let contents, let executable): files.write(path, contents, executable: executable)
            case .delete(let path): files.delete(path)
            }
        }
        return files
    }

    public var stacks: [StackRef] { outputs.flatMap(\.stacks) }
    public var findings: [Finding] { outputs.flatMap(\.findings) }
    public var estimate: CostEstimate? { outputs.compactMap(\.estimate).last }
    public var notes: [String] { outputs.flatMap(\.notes) }
    public var costUSD: Double { steps.reduce(0) { $0 + $1.costUSD } }

    public var approvalReasons: [String] {
        var seen = Set<String>()
        return (ruleApprovalReasons + outputs.flatMap(\.approvalReasons)).filter { seen.insert($0).inserted }
    }

    public var requiresApproval: Bool { !approvalReasons.isEmpty }

    private var outputs: [StepOutput] { steps.filter { $0.state == .succeeded }.compactMap(\.output) }

    /// Why the plan is not ready, for a person: the limit reached, or the failed steps' errors.
    public var failureReasons: [String] {
        if let stoppedBy { return [stoppedBy.explanation] }
        return steps.filter { $0.state == .failed || $0.state == .blocked }.compactMap { step in step.error.map { "\(step.id): \($0)" } }
    }
}

/// Where plans are kept, so that a plan whose worker died can be resumed by another.
public protocol PlanStore: Sendable {
    /// Creates or replaces the plan with its steps, messages and capability gaps.
    func savePlan(_ plan: Plan) async throws
    func plan(id: String) async throws -> Plan?
    /// The newest plan made for an issue of a repository (`owner/name`).
    func latestPlan(repository: String, issue: Int) async throws -> Plan?
}

/// Plans in memory, for `gaffer plan` and tests.
public actor InMemoryPlanStore: PlanStore {
    private var plans: [String: Plan] = [:]

    public init() {}

    public func savePlan(_ plan: Plan) {
        plans[plan.id] = plan
    }

    public func plan(id: String) -> Plan? { plans[id] }

    public func latestPlan(repository: String, issue: Int) -> Plan? {
        plans.values.filter { $0.repository?.lowercased() == repository.lowercased() && $0.task.issue == issue }.max { $0.createdAt < $1.createdAt }
    }
}
