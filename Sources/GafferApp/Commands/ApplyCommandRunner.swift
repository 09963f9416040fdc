import GafferCore
import GafferGitHub
import GafferMessages

/// `/apply`: carries out the pull request's plan once every requirement holds, follows the stacks
/// to the end in the apply comment, then records the resources, merges, closes the issue with a
/// summary and releases the locks. An applied plan is never run again; one left `applying` by a
/// worker that died is reconciled from AWS.
struct ApplyCommandRunner: CommandRunner {
    let name = CommandName.apply

    func run(_ context: CommandContext) async throws -> CommandOutcome {
        let comments = context.github.comments
        let actor = context.actor.login
        let store = context.work.store
        guard let pull = context.target.pullRequest else { return .refused(try comments.note(.noPullRequest(verb: "apply"), actor: actor)) }
        guard let plan = try await store.latestChangePlan(repository: context.target.fullName, pullRequest: pull.number) else {
            return .refused(try comments.applyRefused(actor: actor, refusals: ["there is no plan for this pull request: `/plan` first"]))
        }
        let facts = try await ChangeComments.facts(plan, pull: pull, context: context)
        switch plan.state {
        case .applied:
            return .answered(try comments.note(.alreadyApplied(head: plan.headSHA), actor: actor))
        case .discarded:
            return .refused(
                try comments.applyRefused(
                    actor: actor,
                    refusals: ["the plan of `\(plan.headSHA.prefix(12))` was discarded (denied, cancelled, unlocked or replaced): `/plan` again"]
                )
            )
        case .failed:
            return .refused(
                try comments.applyRefused(
                    actor: actor,
                    refusals: ["the last apply of `\(plan.headSHA.prefix(12))` failed: fix the template and `/plan` again, or `/retry` it"]
                )
            )
        case .planned:
            guard plan.hasChanges else {
                return .refused(try comments.applyRefused(actor: actor, refusals: ["the plan has no changes: there is nothing to apply"]))
            }
            let refusals = ApplyRequirements.all.compactMap { $0.refusal(facts) }
            guard refusals.isEmpty else { return .refused(try comments.applyRefused(actor: actor, refusals: refusals)) }
            // Commands of one task run one at a time, so this only fails if the plan moved meanwhile: read it again.
            guard try await store.transitionChangePlan(plan.id, from: [.planned], to: .applying) else { return try await run(context) }
        case .applying:
            context.logger.notice("reconciling an apply a worker did not finish", metadata: ["plan": "\(plan.id)"])
        }
        return try await execute(plan, approvers: facts.approvers, context: context)
    }

    func execute(_ plan: ChangePlan, approvers: [String], context: CommandContext) async throws -> CommandOutcome {
        let comments = context.github.comments
        let store = context.work.store
        let repository = context.target.repository
        let by = context.actor.login
        let github = context.github
        let estimate = try await store.latestPlan(repository: plan.repository, issue: plan.issue)?.estimate
        let outcome = try await ChangeApplier(work: context.work).apply(plan, estimate: estimate) { progress in
            let body = try? comments.changeApply(plan, by: by, approvers: approvers, state: "running", stacks: progress, running: true)
            // Progress is best effort: a failed edit must not stop following AWS.
            if let body { try? await github.writeStatus(body, key: "apply", issue: plan.pullRequest, in: repository) }
        }
        switch outcome {
        case .failed(let failure, let progress):
            _ = try await store.transitionChangePlan(plan.id, from: [.applying], to: .failed)
            let body = try comments.changeApply(
                plan,
                by: by,
                approvers: approvers,
                state: "failed",
                stacks: progress,
                failure: failure,
                running: false
            )
            try await github.writeStatus(body, key: "apply", issue: plan.pullRequest, in: repository)
            return CommandOutcome(text: nil, refused: true)
        case .applied(let resources, let outputs, let progress):
            _ = try await store.transitionChangePlan(plan.id, from: [.applying], to: .applied)
            let body = try comments.changeApply(
                plan,
                by: by,
                approvers: approvers,
                state: "applied",
                stacks: progress,
                outputs: outputs,
                running: false
            )
            try await github.writeStatus(body, key: "apply", issue: plan.pullRequest, in: repository)
            try await finish(plan, resources: resources, approvers: approvers, context: context)
            return .answered(nil)
        }
    }

    /// After a successful apply: merge (squash), the issue's closing summary, the issue closed, the locks released.
    /// Each step is found done rather than done twice.
    func finish(_ plan: ChangePlan, resources: [RegisteredResource], approvers: [String], context: CommandContext) async throws {
        let client = context.client
        let repository = context.target.repository
        var merged = false
        // A delete task's pull request removes the stack's files, so it is merged too; a `/destroy` on a
        // create task's pull request is not (its files describe what was just deleted).
        let destroyed = plan.operation == .delete && context.target.task?.kind != .delete
        if context.work.settings.mergeAfterApply, !destroyed {
            let pull = try await client.pullRequest(plan.pullRequest, in: repository)
            if pull.merged == true {
                merged = true
            } else if pull.state == "open" {
                let title = context.target.task.map { context.github.comments.pullRequestTitle($0, issue: plan.issue) }
                do {
                    try await client.mergePullRequest(plan.pullRequest, method: "squash", sha: plan.headSHA, title: title, in: repository)
                    merged = true
                } catch let error as GitHubAPIError where [405, 409, 422].contains(error.status) {
                    context.logger.warning("the pull request could not be merged", metadata: ["error": "\(error)"])
                }
            }
        }
        let what = context.target.task.map { context.github.comments.pullRequestTitle($0, issue: plan.issue) } ?? "#\(plan.issue)"
        let summary = try context.github.comments.taskApplied(
            plan,
            what: what,
            by: context.actor.login,
            approvers: approvers,
            resources: resources,
            merged: merged,
            destroyed: destroyed
        )
        try await context.github.writeStatus(summary, issue: plan.issue, in: repository)
        if try await client.issue(plan.issue, in: repository).state == "open" {
            _ = try await client.updateIssue(plan.issue, in: repository, state: "closed")
        }
        try await context.work.store.releaseLocks(repository: plan.repository, pullRequest: plan.pullRequest, keys: nil)
    }
}
