import GafferCore

/// `/approve [reason]` and `/deny [reason]`: a decision on the pull request's current plan, recorded
/// (who, when, why). A deny discards the plan.
struct DecisionCommandRunner: CommandRunner {
    let name: CommandName

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let verdict: Decision.Verdict = name == .deny ? .deny : .approve
        let actor = context.actor.login
        if verdict == .approve, let id = context.command.arguments.first, SavingsProposalApproval.isProposalID(id) {
            return try await SavingsProposalApproval(context: context).approve(id.uppercased())
        }
        guard let pull = context.target.pullRequest else {
            return .refused(try context.github.comments.note(.noPullRequest(verb: verdict.rawValue), actor: actor))
        }
        let plan = try await context.work.store.latestChangePlan(repository: context.target.fullName, pullRequest: pull.number)
        guard let plan, plan.state == .planned else {
            return .refused(try context.github.comments.decisionRecorded(verdict, actor: actor, plan: nil, reason: nil))
        }
        let reason = context.command.arguments.joined(separator: " ")
        try await context.work.store.recordDecision(
            Decision(
                repository: plan.repository,
                pullRequest: plan.pullRequest,
                planID: plan.id,
                verdict: verdict,
                by: actor,
                reason: reason.isEmpty ? nil : reason,
                at: context.work.clock.now()
            )
        )
        if verdict == .deny { try await ChangePlanner(work: context.work).discard(plan) }
        return .answered(try context.github.comments.decisionRecorded(verdict, actor: actor, plan: plan, reason: reason))
    }
}
