import GafferCore
import GafferGitHub

/// `/retry [--step agents|pipeline|plan|apply]`: runs a step again. Without `--step`, what failed last:
/// the task's agents when no pull request was opened (a plan that stopped), a failed apply (planned
/// again at the same commit), a failed pipeline on the head (GitHub is asked to re-run the check), else the plan.
struct RetryCommandRunner: CommandRunner {
    let name = CommandName.retry

    /// The steps `--step` names.
    enum Step: String, CaseIterable {
        case agents, pipeline, plan, apply
    }

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let actor = context.actor.login
        let comments = context.github.comments
        var step: Step?
        if let named = context.command.flags["step"] {
            guard let known = Step(rawValue: named.lowercased()) else {
                let names = Step.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
                return .refused(try comments.note(.unavailable("`--step \(named)` is not a step; name one of \(names)."), actor: actor))
            }
            step = known
        }
        guard let pull = context.target.openPullRequest, step != .agents else {
            guard step == nil || step == .agents, let retake = context.retakeTask, context.target.issueOpen else {
                return .refused(try comments.note(.noPullRequest(verb: "retry"), actor: actor))
            }
            // The issue's status comment says how it went.
            try await retake()
            return .answered(nil)
        }
        let store = context.work.store
        let plan = try await store.latestChangePlan(repository: context.target.fullName, pullRequest: pull.number)
        if step == nil || step == .apply, let plan, plan.state == .failed, plan.headSHA == pull.head.sha {
            // A failed change set cannot be executed again: the plan is made anew at the same commit.
            try await ChangePlanner(work: context.work).discard(plan, from: [.failed])
            return try await PlanCommandRunner().run(context)
        }
        if step == .apply {
            return .refused(
                try comments.note(.unavailable("the last apply of this pull request did not fail: there is nothing to retry."), actor: actor)
            )
        }
        if step == nil || step == .pipeline {
            let checks = try await context.client.checkRuns(named: PullRequestPipeline.checkName, for: pull.head.sha, in: context.target.repository)
            if let done = checks.first(where: { $0.status == "completed" }), step == .pipeline || done.conclusion != "success" {
                try await context.client.rerequestCheckRun(done.id, in: context.target.repository)
                return .answered(nil)
            }
            if step == .pipeline {
                return .refused(try comments.note(.unavailable("the pipeline of `\(pull.head.sha.prefix(12))` is still running."), actor: actor))
            }
        }
        return try await PlanCommandRunner().run(context)
    }
}
