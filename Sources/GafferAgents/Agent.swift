import Foundation
import GafferCore

/// A specialist that does one kind of step: it declares the intents it handles and returns what it wrote.
///
/// Agents are idempotent: their output is a function of the task, the templates and the outputs of
/// the steps they wait for, so a step run twice (a worker died mid-step) writes the same thing.
public protocol Agent: Sendable {
    var role: AgentRole { get }
    /// The intents this agent's steps may have.
    var intents: Set<StepIntent> { get }
    func perform(_ step: Step, context: AgentContext) async throws -> StepOutput
}

/// What an agent works from: the task, the plan so far, and Gaffer's settings.
public struct AgentContext: Sendable {
    public let task: AwsTask
    /// The plan as it stands: the outputs of the steps this one waits for are in it.
    public let plan: Plan
    public let templates: TemplateLibrary
    public let settings: AgentSettings
    public let clock: any WallClock
    /// What report steps read (AWS, read-only, and the registry); nil where Gaffer has no AWS access.
    public let reports: ReportSources?
    /// What writes application code with a model; nil where no model is configured for the deployment agent.
    public var coder: ApplicationCoder?

    public init(
        task: AwsTask,
        plan: Plan,
        templates: TemplateLibrary,
        settings: AgentSettings,
        clock: any WallClock,
        reports: ReportSources? = nil,
        coder: ApplicationCoder? = nil
    ) {
        self.task = task
        self.plan = plan
        self.templates = templates
        self.settings = settings
        self.clock = clock
        self.reports = reports
        self.coder = coder
    }

    /// The sources a report step reads, or the capability gap that says why it cannot run here.
    func reportSources(for role: AgentRole) throws -> ReportSources {
        guard let reports else {
            throw CapabilityGapError(
                CapabilityGap(
                    agent: role,
                    asked: "write a \(task.kind.displayName.lowercased()) report",
                    lacking: "reports read AWS, and this Gaffer has no AWS access here (use `gaffer report`, or a server with AWS configured)"
                )
            )
        }
        return reports
    }

    /// Changes other agents asked of `role`.
    public func changes(for role: AgentRole) -> [String: String] { plan.requestedChanges[role] ?? [:] }

    /// The main stack of the task.
    public var stack: StackNaming { StackNaming(task: task) }
}

/// Operator settings the agents read.
public struct AgentSettings: Sendable {
    /// A plan whose estimate is above this many US dollars a month needs approval.
    public var costApprovalThresholdUSD: Double
    public var prices: PriceTable

    public init(costApprovalThresholdUSD: Double = 100, prices: PriceTable) {
        self.costApprovalThresholdUSD = costApprovalThresholdUSD
        self.prices = prices
    }
}

/// Thrown by an agent asked for something it cannot do yet: the plan records the gap and the step fails.
public struct CapabilityGapError: Error, Sendable, CustomStringConvertible {
    public let gap: CapabilityGap
    public init(_ gap: CapabilityGap) { self.gap = gap }
    public var description: String { "\(gap.agent.rawValue) agent cannot \(gap.asked) yet: \(gap.lacking)" }
}

/// Thrown by a step that stopped at a cap before it was done: what it wrote is kept with the failed step, so it can be
/// committed to the task's branch for a person to see and for `/retry` to go on from.
public struct UnfinishedStepError: Error, Sendable, CustomStringConvertible {
    /// What the step wrote so far.
    public let output: StepOutput
    /// The cap it stopped at and what is left, for a person.
    public let reason: String

    public init(output: StepOutput, reason: String) {
        self.output = output
        self.reason = reason
    }

    public var description: String { reason }
}
