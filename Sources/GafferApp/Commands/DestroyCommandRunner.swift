import GafferCore

/// `/destroy [--stack NAME]`: a delete plan for the stacks this task's applies made that still exist,
/// shown like a plan on the task's pull request (merged or not); `/apply` runs it once a second person
/// approved (a delete always needs one).
struct DestroyCommandRunner: CommandRunner {
    let name = CommandName.destroy

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let actor = context.actor.login
        let target = context.target
        let comments = context.github.comments
        guard let pull = target.pullRequest else { return .refused(try comments.note(.noPullRequest(verb: "destroy"), actor: actor)) }
        let work = context.work
        var keys: [StackKey] = []
        for deployment in try await work.store.deployments(repository: target.fullName)
        where deployment.issue == target.issue && deployment.succeeded && !keys.contains(deployment.stack) {
            if let stack = context.command.flags["stack"], deployment.stack.name != stack { continue }
            if try await work.stacks.stack(deployment.stack) != nil { keys.append(deployment.stack) }
        }
        guard !keys.isEmpty else {
            return .refused(try comments.planRefused(actor: actor, nothing: "this task has made no stack that still exists"))
        }
        let outcome = try await ChangePlanner(work: work).planDeletion(of: keys, target: target, pull: pull, requestedBy: actor)
        guard case .planned(let plan, _) = outcome else {
            return .refused(try ChangeComments.refusal(outcome, actor: actor, comments: comments) ?? "")
        }
        try await ChangeComments.publishPlan(plan, work: work, github: context.github, repository: target.repository)
        return .answered(try comments.note(.destroyPlanned(pullRequest: pull.number, stacks: keys), actor: actor))
    }
}
