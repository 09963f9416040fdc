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
        let planner = ChangePlanner(work: work)
        if case .some(let refusal) = try await planner.takeLocks(keys, target: target, pullRequest: pull.number) {
            guard case .locked(let held) = refusal else {
                return .refused(try comments.planRefused(actor: actor, nothing: "the stacks could not be locked"))
            }
            return .refused(try comments.planRefused(actor: actor, locks: held))
        }
        if let previous = try await work.store.latestChangePlan(repository: target.fullName, pullRequest: pull.number), previous.state == .planned {
            try await planner.discard(previous)
        }
        var stacks: [PlannedStack] = []
        for key in keys {
            let removed = try await work.stacks.resources(key).filter { !$0.logicalResourceID.isEmpty }.map {
                ResourceChange(action: "Remove", logicalID: $0.logicalResourceID, physicalID: $0.physicalResourceID, resourceType: $0.resourceType)
            }
            stacks.append(
                PlannedStack(
                    key: key,
                    changeSetType: "DELETE",
                    changeSetName: "",
                    changeSetID: "",
                    templatePath: "",
                    templateHash: "",
                    changes: removed
                )
            )
        }
        guard
            case .planned(let plan, _) = try await planner.save(
                ChangePlan(
                    id: ChangePlanner.planID(target, pull: pull),
                    repository: target.fullName,
                    issue: target.issue,
                    pullRequest: pull.number,
                    headSHA: pull.head.sha,
                    operation: .delete,
                    stacks: stacks,
                    requestedBy: actor,
                    requester: target.requester,
                    createdAt: work.clock.now()
                )
            )
        else { return .answered(nil) }
        try await ChangeComments.publishPlan(plan, work: work, github: context.github, repository: target.repository)
        return .answered(try comments.note(.destroyPlanned(pullRequest: pull.number, stacks: keys), actor: actor))
    }
}
