import GafferCore

/// `/destroy [--stack NAME]`: a delete plan for the stacks this task's applies made that still exist,
/// shown like a plan; `/apply` runs it once a second person approved (a delete always needs one).
struct DestroyCommandRunner: CommandRunner {
    let name = CommandName.destroy

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let actor = context.actor.login
        let target = context.target
        guard let pull = target.openPullRequest else {
            return .refused(
                try context.github.comments.note(
                    .unavailable("`/destroy` works on the task's open pull request; to delete what a merged task made, open a delete issue for it."),
                    actor: actor
                )
            )
        }
        let work = context.work
        var keys: [StackKey] = []
        for deployment in try await work.store.deployments(repository: target.fullName)
        where deployment.issue == target.issue && deployment.succeeded && !keys.contains(deployment.stack) {
            if let stack = context.command.flags["stack"], deployment.stack.name != stack { continue }
            if try await work.stacks.stack(deployment.stack) != nil { keys.append(deployment.stack) }
        }
        guard !keys.isEmpty else {
            return .refused(try context.github.comments.planRefused(actor: actor, nothing: "this task has made no stack that still exists"))
        }
        let plan = try await work.store.saveChangePlan(
            ChangePlan(
                id: "\(target.fullName.lowercased())#\(pull.number)@\(pull.head.sha)/destroy-\(UInt32.random(in: 0...UInt32.max))",
                repository: target.fullName,
                issue: target.issue,
                pullRequest: pull.number,
                headSHA: pull.head.sha,
                operation: .delete,
                stacks: keys.map {
                    PlannedStack(key: $0, changeSetType: "DELETE", changeSetName: "", changeSetID: "", templatePath: "", templateHash: "", changes: [])
                },
                requestedBy: actor,
                requester: target.requester,
                createdAt: work.clock.now()
            )
        )
        try await ChangeComments.publishPlan(plan, work: work, github: context.github, repository: target.repository)
        return .answered(nil)
    }
}
