import GafferCore

/// The agents Gaffer runs; a new agent is added to this list.
public enum StandardAgents {
    public static var all: [any Agent] {
        [InfrastructureAgent(), MonitoringAgent(), SecurityAgent(), CostAgent(), DeploymentAgent()]
    }
}

/// The agents by role, checked complete when built: every role has one agent, and every step the
/// plan rules can make has an agent that handles its intent.
public struct AgentRegistry: Sendable {
    private let byRole: [AgentRole: any Agent]

    public init(_ agents: [any Agent]) throws {
        var byRole: [AgentRole: any Agent] = [:]
        for agent in agents {
            if byRole[agent.role] != nil { throw AgentError("two agents have the role \(agent.role.rawValue)") }
            byRole[agent.role] = agent
        }
        for role in AgentRole.allCases where byRole[role] == nil {
            throw AgentError("no agent has the role \(role.rawValue): add it to StandardAgents.all")
        }
        for (role, intent) in PlanRules.everyStepShape where byRole[role]?.intents.contains(intent) != true {
            throw AgentError("the \(role.rawValue) agent does not handle \(intent.rawValue), which the plan rules give it")
        }
        self.byRole = byRole
    }

    public func agent(for role: AgentRole) -> (any Agent)? { byRole[role] }
}
