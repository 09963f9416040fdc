import Foundation

/// How far a plan may go before it is stopped, with the limit named.
public struct PlanLimits: Sendable, Hashable, Codable {
    public var maxSteps: Int
    /// Change requests between agents (each re-runs the agent asked and the reviewers after it).
    public var maxHandoffs: Int
    public var stepTimeoutSeconds: Double
    /// What the agents may spend on one task, in US dollars.
    public var budgetUSD: Double

    public init(maxSteps: Int = 20, maxHandoffs: Int = 10, stepTimeoutSeconds: Double = 600, budgetUSD: Double = 5) {
        self.maxSteps = maxSteps
        self.maxHandoffs = maxHandoffs
        self.stepTimeoutSeconds = stepTimeoutSeconds
        self.budgetUSD = budgetUSD
    }
}

/// A limit a plan reached; the plan stops and says which.
public enum PlanLimit: Sendable, Hashable, Codable {
    case steps(Int)
    case handoffs(Int)
    case stepTimeout(step: String, seconds: Double)
    case budget(usd: Double)

    public var explanation: String {
        switch self {
        case .steps(let limit): "the plan needs more than \(limit) steps (agent_max_steps); split the task or raise the limit"
        case .handoffs(let limit):
            "the agents asked each other for changes more than \(limit) times (agent_max_handoffs); the last request is in the messages"
        case .stepTimeout(let step, let seconds): "the \(step) step ran longer than \(PlanLimit.format(seconds)) (agent_step_timeout_seconds)"
        case .budget(let usd): "the agents would spend more than the budget of $\(PlanLimit.format(usd: usd)) for this task (agent_budget_usd)"
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(seconds / 60)) minutes" : "\(seconds) s"
    }

    static func format(usd: Double) -> String { String(format: "%.2f", usd) }
}
