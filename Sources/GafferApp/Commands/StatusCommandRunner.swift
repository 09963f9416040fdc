import GafferCore

/// `/status`: the plan, the locks, the decisions, and what `/apply` still needs.
struct StatusCommandRunner: CommandRunner {
    let name = CommandName.status

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let target = context.target
        guard let pull = target.pullRequest else {
            return .answered(
                try context.github.comments.commandStatus(pullRequest: nil, plan: nil, currentHead: nil, locks: [], decisions: [], missing: [])
            )
        }
        let store = context.work.store
        let plan = try await store.latestChangePlan(repository: target.fullName, pullRequest: pull.number)
        var missing: [String] = []
        var decisions: [Decision] = []
        if let plan {
            decisions = try await store.decisions(repository: plan.repository, pullRequest: plan.pullRequest).filter { $0.planID == plan.id }
            if plan.state == .planned {
                let facts = try await ChangeComments.facts(plan, pull: pull, context: context)
                missing = ApplyRequirements.all.compactMap { $0.refusal(facts) }
            }
        }
        return .answered(
            try context.github.comments.commandStatus(
                pullRequest: pull.number,
                plan: plan,
                currentHead: pull.head.sha,
                locks: try await store.locks(repository: target.fullName, pullRequest: pull.number),
                decisions: decisions,
                missing: missing
            )
        )
    }
}
