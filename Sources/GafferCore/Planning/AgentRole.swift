/// The specialist agents a plan's steps are given to.
public enum AgentRole: String, Sendable, Hashable, Codable, CaseIterable {
    case infrastructure
    case deployment
    case monitoring
    case security
    case cost
}

/// What a step asks its agent to do.
public enum StepIntent: String, Sendable, Hashable, Codable, CaseIterable {
    /// Write the task's CloudFormation stack.
    case writeStack
    /// Say what deleting the task's stack removes, which resources hold data and what is kept.
    case describeDeletion
    /// Write alarms for what the stack creates.
    case writeAlarms
    /// Review every template the plan wrote.
    case reviewSecurity
    /// Estimate the monthly cost (or the saving of a delete).
    case estimateCost
    /// Write the pipeline and the README the pull request carries.
    case writePipeline
    /// Build a whole application from its blueprint.
    case buildApplication
    /// Change the application's code to do what the issue asks beyond its blueprint, until its tests pass.
    case writeApplicationCode
    /// Answer a report task (discover, health check, security audit, cost report).
    case writeReport
}
