import GafferCore
import GafferGitHub

/// `/retry`: runs again what failed last: the task's agents when no pull request was opened (a plan that
/// stopped), a failed apply (planned again at the same commit), a failed pipeline on the head (GitHub is
/// asked to re-run the check), else the plan.
struct RetryCommandRunner: CommandRunner {
    let name = CommandName.retry

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let actor = context.actor.login
        guard let pull = context.target.openPullRequest else {
            guard let retake = context.retakeTask, context.target.issueOpen else {
                return .refused(try context.github.comments.note(.noPullRequest(verb: "retry"), actor: actor))
            }
            // The issue's status comment says how it went.
            try await retake()
            return .answered(nil)
        }
        let store = context.work.store
        if let plan = try await store.latestChangePlan(repository: context.target.fullName, pullRequest: pull.number), plan.state == .failed,
            plan.headSHA == pull.head.sha
        {
            // A failed change set cannot be executed again: the plan is made anew at the same commit.
            try await ChangePlanner(work: context.work).discard(plan, from: [.failed])
            return try await PlanCommandRunner().run(context)
        }
        let checks = try await context.client.checkRuns(named: PullRequestPipeline.checkName, for: pull.head.sha, in: context.target.repository)
        if let failed = checks.first(where: { $0.status == "completed" }), failed.conclusion != "success" {
            try await context.client.rerequestCheckRun(failed.id, in: context.target.repository)
            return .answered(nil)
        }
        return try await PlanCommandRunner().run(context)
    }
}
