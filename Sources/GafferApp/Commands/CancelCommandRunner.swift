import GafferCore

/// `/cancel [reason]`: discards the pull request's pending plan and releases its locks. An apply
/// already running in AWS is not stopped halfway (CloudFormation would roll back on its own terms).
struct CancelCommandRunner: CommandRunner {
    let name = CommandName.cancel

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let actor = context.actor.login
        guard let pull = context.target.openPullRequest else { return .refused(try context.github.comments.note(.noPullRequest(verb: "cancel"), actor: actor)) }
        let store = context.work.store
        var done: [String] = []
        if let plan = try await store.latestChangePlan(repository: context.target.fullName, pullRequest: pull.number), plan.state == .planned {
            try await ChangePlanner(work: context.work).discard(plan)
            done.append("the plan of `\(plan.headSHA.prefix(12))` is discarded")
        }
        let released = try await store.releaseLocks(repository: context.target.fullName, pullRequest: pull.number, keys: nil)
        if !released.isEmpty { done.append("\(released.count == 1 ? "its lock is" : "its \(released.count) locks are") released") }
        if done.isEmpty { done.append("nothing was pending") }
        return .answered(try context.github.comments.note(.cancelled(done.joined(separator: ", ")), actor: actor))
    }
}
