import Foundation

/// One task as the dashboard lists it: what was asked, by whom, and where its plan stands.
public struct TaskSummary: Sendable, Hashable, Codable {
    public var planID: String
    public var repository: String?
    public var issue: Int?
    public var kind: TaskKind
    public var resource: ResourceKind?
    public var name: String?
    public var requester: String?
    public var state: Plan.State
    public var steps: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(plan: Plan) {
        planID = plan.id
        repository = plan.repository
        issue = plan.task.issue
        kind = plan.task.kind
        resource = plan.task.resource
        name = plan.task.resourceName
        requester = plan.task.requester
        state = plan.state
        steps = plan.steps.count
        createdAt = plan.createdAt
        updatedAt = plan.updatedAt
    }

    /// "Create S3 bucket photos", as a person would say it.
    public var title: String {
        var words = [kind.displayName]
        if let resource { words.append(resource.displayName) }
        if let name { words.append(name) }
        let text = words.joined(separator: " ")
        return text.prefix(1).uppercased() + text.dropFirst()
    }
}

/// An agent's step running now.
public struct RunningStep: Sendable, Hashable, Codable {
    public var planID: String
    public var repository: String?
    public var issue: Int?
    public var stepID: String
    public var agent: AgentRole
    public var startedAt: Date?

    public init(planID: String, repository: String?, issue: Int?, stepID: String, agent: AgentRole, startedAt: Date?) {
        self.planID = planID
        self.repository = repository
        self.issue = issue
        self.stepID = stepID
        self.agent = agent
        self.startedAt = startedAt
    }
}

/// What one agent has done over every plan kept: steps by outcome, durations, messages it sent, gaps it met.
public struct AgentActivity: Sendable, Hashable, Codable {
    public var agent: AgentRole
    public var steps: Int
    public var succeeded: Int
    public var failed: Int
    public var running: Int
    public var meanSeconds: Double?
    public var p95Seconds: Double?
    /// Messages it sent to another agent.
    public var handoffs: Int
    public var gaps: Int

    public init(agent: AgentRole) {
        self.agent = agent
        steps = 0
        succeeded = 0
        failed = 0
        running = 0
        handoffs = 0
        gaps = 0
    }

    /// Succeeded of those finished, or nil before any finished.
    public var successRate: Double? {
        succeeded + failed == 0 ? nil : Double(succeeded) / Double(succeeded + failed)
    }
}

/// One page of a longer list.
public struct Page<Item: Sendable & Codable>: Sendable, Codable {
    public var items: [Item]
    public var total: Int
    public var page: Int
    public var perPage: Int

    public init(items: [Item], total: Int, page: Int, perPage: Int) {
        self.items = items
        self.total = total
        self.page = page
        self.perPage = perPage
    }

    public var pages: Int { max(1, (total + perPage - 1) / perPage) }
}

/// What the dashboard reads, each a query sized for tens of thousands of tasks: counts and pages, never everything.
public protocol DashboardReading: Sendable {
    func taskCounts() async throws -> [Plan.State: Int]
    /// Newest first; `search` matches the repository or the plan's id, or is an issue number.
    func tasks(state: Plan.State?, search: String?, page: Int, perPage: Int) async throws -> Page<TaskSummary>
    /// Plans of pull requests waiting for `/apply` and its approvals, oldest first.
    func waitingChangePlans(page: Int, perPage: Int) async throws -> Page<ChangePlan>
    func runningSteps(limit: Int) async throws -> [RunningStep]
    func agentActivity() async throws -> [AgentActivity]
    func recentDeployments(limit: Int) async throws -> [Deployment]
    /// The change plans of a task's pull requests, newest first.
    func changePlans(repository: String, issue: Int) async throws -> [ChangePlan]
    /// A value that changes whenever something the dashboard shows changes, read cheaply for its live updates.
    func dashboardVersion() async throws -> String
}
