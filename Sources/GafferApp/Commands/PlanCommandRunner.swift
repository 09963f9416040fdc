import GafferCore

/// `/plan`: a change set per stack of the pull request's head, shown in the plan comment.
struct PlanCommandRunner: CommandRunner {
    let name = CommandName.plan

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let comments = context.github.comments
        let actor = context.actor.login
        guard context.target.openPullRequest != nil else {
            // On an issue a model read: `/plan` is the confirmation its status asks for, and the task is taken up.
            if context.target.issueOpen, let confirm = context.confirmInferredTask, try await confirm() { return .answered(nil) }
            return .refused(try comments.note(.noPullRequest(verb: "plan"), actor: actor))
        }
        let outcome = try await ChangePlanner(work: context.work).plan(context.target, requestedBy: actor, client: context.client)
        guard case .planned(let plan, _) = outcome else {
            return .refused(try ChangeComments.refusal(outcome, actor: actor, comments: comments) ?? "")
        }
        try await ChangeComments.publishPlan(plan, work: context.work, github: context.github, repository: context.target.repository)
        // Asked on the issue: say where the plan is.
        return .answered(context.commentedOn == plan.pullRequest ? nil : try comments.note(.planOn(pullRequest: plan.pullRequest), actor: actor))
    }
}
