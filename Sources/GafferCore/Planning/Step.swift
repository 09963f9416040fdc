import Foundation

/// Where a step is in its life.
public enum StepState: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case running
    case succeeded
    case failed
    /// Its agent had nothing to do for this task (no alarms suit a VPC).
    case skipped
    /// The plan stopped (a limit was reached) before the step finished.
    case cancelled
    /// A step it waits for failed, so it cannot run.
    case blocked

    public var isFinished: Bool { self != .pending && self != .running }
}

/// What a step produced: the files it wrote, what it found, what it said to other agents.
public struct StepOutput: Sendable, Hashable, Codable {
    public var files: FileSet
    public var findings: [Finding]
    public var messages: [AgentMessage]
    public var stacks: [StackRef]
    public var estimate: CostEstimate?
    /// Why the plan needs a person's approval, from this step's point of view.
    public var approvalReasons: [String]
    /// Lines for a person: what the step did or found (a deletion's consequences, say).
    public var notes: [String]
    /// US dollars the agent spent producing this (model calls); 0 for deterministic agents.
    public var costUSD: Double
    /// True when the agent had nothing to do; the step is then `skipped`.
    public var nothingToDo: Bool
    /// What a report step found.
    public var report: Report?
    /// Output a person reads as it was printed (a test run's failures), shown in a code block.
    public var details: String?

    public init(
        files: FileSet = FileSet(),
        findings: [Finding] = [],
        messages: [AgentMessage] = [],
        stacks: [StackRef] = [],
        estimate: CostEstimate? = nil,
        approvalReasons: [String] = [],
        notes: [String] = [],
        costUSD: Double = 0,
        nothingToDo: Bool = false,
        report: Report? = nil,
        details: String? = nil
    ) {
        self.files = files
        self.findings = findings
        self.messages = messages
        self.stacks = stacks
        self.estimate = estimate
        self.approvalReasons = approvalReasons
        self.notes = notes
        self.costUSD = costUSD
        self.nothingToDo = nothingToDo
        self.report = report
        self.details = details
    }
}

/// One piece of a plan, done by one agent once the steps it waits for have succeeded.
public struct Step: Sendable, Hashable, Codable {
    /// Unique in its plan; the agent's role unless a plan has two steps for one agent.
    public var id: String
    public var agent: AgentRole
    public var intent: StepIntent
    public var dependsOn: [String]
    public var state: StepState
    public var attempts: Int
    public var startedAt: Date?
    public var endedAt: Date?
    public var output: StepOutput?
    /// Why it failed, was blocked or was cancelled.
    public var error: String?

    public init(id: String, agent: AgentRole, intent: StepIntent, dependsOn: [String] = []) {
        self.id = id
        self.agent = agent
        self.intent = intent
        self.dependsOn = dependsOn
        self.state = .pending
        self.attempts = 0
    }

    public var costUSD: Double { output?.costUSD ?? 0 }

    public var duration: TimeInterval? {
        guard let startedAt, let endedAt else { return nil }
        return endedAt.timeIntervalSince(startedAt)
    }
}
