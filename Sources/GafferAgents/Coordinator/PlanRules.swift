import GafferCore

/// How the coordinator turns a task into steps. Every rule is here, in one place:
///
/// | task | steps |
/// | --- | --- |
/// | create / update one resource | infrastructure → monitoring → (security ∥ cost) → deployment |
/// | delete | infrastructure (what the deletion removes and keeps) → (security ∥ cost, the saving) → deployment; always needs approval |
/// | an application | the same as create, with infrastructure building from the app's blueprint; then, when the issue asks for behaviour beyond the blueprint, deployment writes that code |
/// | discover, health check, security audit, optimize costs | one step for the agent that owns the report |
///
/// Monitoring runs before the reviewers so that the security agent reviews, and the cost agent
/// prices, the alarms' stack too: every template the plan writes is reviewed and priced.
public enum PlanRules {
    public static func steps(for task: AwsTask) -> [Step] {
        if task.kind.isReport {
            return [Step(id: reportOwner(task.kind).rawValue, agent: reportOwner(task.kind), intent: .writeReport)]
        }
        if task.kind == .delete {
            return [
                Step(id: "infrastructure", agent: .infrastructure, intent: .describeDeletion),
                Step(id: "security", agent: .security, intent: .reviewSecurity, dependsOn: ["infrastructure"]),
                Step(id: "cost", agent: .cost, intent: .estimateCost, dependsOn: ["infrastructure"]),
                Step(id: "deployment", agent: .deployment, intent: .writePipeline, dependsOn: ["security", "cost"]),
            ]
        }
        let build: StepIntent = task.resource?.applicationKind == nil ? .writeStack : .buildApplication
        var steps = [
            Step(id: "infrastructure", agent: .infrastructure, intent: build),
            Step(id: "monitoring", agent: .monitoring, intent: .writeAlarms, dependsOn: ["infrastructure"]),
            Step(id: "security", agent: .security, intent: .reviewSecurity, dependsOn: ["monitoring"]),
            Step(id: "cost", agent: .cost, intent: .estimateCost, dependsOn: ["monitoring"]),
            Step(id: "deployment", agent: .deployment, intent: .writePipeline, dependsOn: ["security", "cost"]),
        ]
        // The model only edits the application's code, never its templates, so the reviews before it still hold.
        if task.resource?.applicationKind != nil, task.parameters[Self.behaviourKey] != nil {
            steps.append(Step(id: "application-code", agent: .deployment, intent: .writeApplicationCode, dependsOn: ["deployment"]))
        }
        return steps
    }

    /// The application parameter that asks for code beyond the blueprint.
    public static let behaviourKey = "behaviour"

    /// Reasons a task needs approval whatever its agents find.
    public static func approvalReasons(for task: AwsTask) -> [String] {
        task.kind == .delete ? ["a delete always needs /approve from a person other than the requester"] : []
    }

    static func reportOwner(_ kind: TaskKind) -> AgentRole {
        switch kind {
        case .healthCheck: .monitoring
        case .securityAudit: .security
        case .optimizeCosts: .cost
        case .discover, .create, .update, .delete: .infrastructure
        }
    }

    /// Every (agent, intent) pair the rules can produce, for the registry's start-up check.
    static var everyStepShape: [(AgentRole, StepIntent)] {
        let resources: [ResourceKind?] = [nil, .s3Bucket, .application(.fastapiECS)]
        var seen = Set<String>()
        let behaviour: [String: ParameterValue] = [behaviourKey: .string("list orders by customer")]
        return TaskKind.allCases.flatMap { kind in
            resources.flatMap { steps(for: AwsTask(kind: kind, resource: $0, parameters: $0?.applicationKind == nil ? [:] : behaviour)) }
        }
        .map { ($0.agent, $0.intent) }
        .filter { seen.insert("\($0.0.rawValue)/\($0.1.rawValue)").inserted }
    }
}
