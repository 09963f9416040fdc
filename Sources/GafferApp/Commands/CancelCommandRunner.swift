import GafferCore
import GafferGitHub

/// `/cancel [reason]`: stops the pipeline running on the pull request's head (its check run is marked
/// cancelled, and the build, which watches it, stops), discards the pending plan and releases the locks.
/// An apply already running in AWS is not stopped halfway (CloudFormation would roll back on its own terms).
struct CancelCommandRunner: CommandRunner {
    let name = CommandName.cancel

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let actor = context.actor.login
        guard let pull = context.target.pullRequest else {
            return .refused(try context.github.comments.note(.noPullRequest(verb: "cancel"), actor: actor))
        }
        let store = context.work.store
        var done: [String] = []
        let checks = try await context.client.checkRuns(named: PullRequestPipeline.checkName, for: pull.head.sha, in: context.target.repository)
        for running in checks where running.status != "completed" {
            let reason = context.command.arguments.joined(separator: " ")
            _ = try await context.client.updateCheckRun(
                running.id,
                conclusion: "cancelled",
                output: CheckRunOutput(title: "Cancelled", summary: "@\(actor) cancelled this run\(reason.isEmpty ? "" : ": \(reason)")."),
                in: context.target.repository
            )
            done.append("the pipeline of `\(pull.head.sha.prefix(12))` is stopped")
        }
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
