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
            // A worker that died after AWS finished may have left the merge, the summary or the locks undone.
            let recovered = try await complete(plan, approvers: facts.approvers, settings: facts.settings, context: context)
            return .answered(recovered ? nil : try comments.note(.alreadyApplied(head: plan.headSHA), actor: actor))
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
        return try await execute(plan, approvers: facts.approvers, settings: facts.settings, context: context)
    }

    func execute(_ plan: ChangePlan, approvers: [String], settings: ChangeSettings, context: CommandContext) async throws -> CommandOutcome {
        let comments = context.github.comments
        let store = context.work.store
        let repository = context.target.repository
        let by = context.actor.login
        let github = context.github
        let estimate = try await store.latestPlan(repository: plan.repository, issue: plan.issue)?.estimate
        let outcome = try await ChangeApplier(work: context.work).apply(plan, by: by, estimate: estimate) { progress in
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
            if let explanations = context.work.explanations {
                let changes = plan.stacks.flatMap { stack in
                    stack.changes.map { "\(stack.key.name): \($0.action) \($0.logicalID) (\($0.resourceType))" }
                }
                await explanations.explain(
                    "The apply of plan \(plan.id.prefix(8)) (commit \(plan.headSHA.prefix(12)))",
                    output: (["Stack \(failure.resource) ended \(failure.stackStatus): \(failure.reason)", "The changes planned:"] + changes)
                        .joined(separator: "\n"),
                    pullRequest: plan.pullRequest,
                    issue: plan.issue,
                    purpose: "explain-apply",
                    in: repository,
                    github: github,
                    logger: context.logger
                )
            }
            return CommandOutcome(text: nil, refused: true)
        case .applied:
            _ = try await store.transitionChangePlan(plan.id, from: [.applying], to: .applied)
            _ = try await complete(plan, approvers: approvers, settings: settings, context: context)
            return .answered(nil)
        }
    }

    /// Writes what an applied plan came to, from what was recorded (so a retried job writes the same), and
    /// finishes what follows an apply. True when something was left to do: a merge, the issue, the locks.
    func complete(_ plan: ChangePlan, approvers: [String], settings: ChangeSettings, context: CommandContext) async throws -> Bool {
        let store = context.work.store
        let deployments = try await store.deployments(plan: plan.id)
        let by = deployments.first?.by ?? context.actor.login
        var progress: [GafferComments.StackProgress] = []
        var outputs: [(String, String)] = []
        for stack in plan.stacks {
            guard let deployment = deployments.last(where: { $0.stack == stack.key }) else {
                progress.append(.init(name: stack.key.name, status: "unchanged", detail: "no changes"))
                continue
            }
            progress.append(.init(name: stack.key.name, status: deployment.status, detail: "done"))
            if plan.operation == .change, let current = try await context.work.stacks.stack(stack.key) {
                outputs += current.outputs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            }
        }
        let body = try context.github.comments.changeApply(
            plan,
            by: by,
            approvers: approvers,
            state: "applied",
            stacks: progress,
            outputs: outputs,
            running: false
        )
        try await context.github.writeStatus(body, key: "apply", issue: plan.pullRequest, in: context.target.repository)
        let resources = try await store.registeredResources(in: plan.stacks.map(\.key))
        let destroyed = plan.operation == .delete && context.target.task?.kind != .delete
        let unmerged = settings.mergeAfterApply && !destroyed && context.target.pullRequest?.state == "open"
        let locked = try await !store.locks(repository: plan.repository, pullRequest: plan.pullRequest).isEmpty
        let left = unmerged || (context.target.issueOpen && destroyed) || locked
        try await finish(plan, by: by, resources: resources, approvers: approvers, mergeAfterApply: settings.mergeAfterApply, context: context)
        return left
    }

    /// After a successful apply: merge (squash), the issue's closing summary, the issue closed, the locks released.
    /// Each step is found done rather than done twice.
    func finish(
        _ plan: ChangePlan,
        by: String,
        resources: [RegisteredResource],
        approvers: [String],
        mergeAfterApply: Bool,
        context: CommandContext
    ) async throws {
        let client = context.client
        let repository = context.target.repository
        var merged = false
        // A delete task's pull request removes the stack's files, so it is merged too; a `/destroy` on a
        // create task's pull request is not (its files describe what was just deleted).
        let destroyed = plan.operation == .delete && context.target.task?.kind != .delete
        if mergeAfterApply, !destroyed, let pull = context.target.pullRequest {
            if pull.merged == true {
                merged = true
            } else if pull.state == "open" {
                let title = context.target.task.map { context.github.comments.pullRequestTitle($0, issue: plan.issue) }
                do {
                    try await client.mergePullRequest(plan.pullRequest, method: "squash", sha: plan.headSHA, title: title, in: repository)
                    merged = true
                } catch let error as GitHubAPIError where [405, 409, 422].contains(error.status) {
                    // Merged meanwhile by someone (a retried job after its own merge), or not mergeable: GitHub says which.
                    merged = try await client.pullRequest(plan.pullRequest, in: repository).merged == true
                    if !merged { context.logger.warning("the pull request could not be merged", metadata: ["error": "\(error)"]) }
                }
            }
        }
        let what = context.target.task.map { context.github.comments.pullRequestTitle($0, issue: plan.issue) } ?? "#\(plan.issue)"
        let summary = try context.github.comments.taskApplied(
            plan,
            what: what,
            by: by,
            approvers: approvers,
            resources: resources,
            merged: merged,
            destroyed: destroyed
        )
        try await context.github.writeStatus(summary, issue: plan.issue, in: repository)
        // Left open with its pull request when that is not merged: closing the issue would close the pull request.
        if context.target.issueOpen, merged || destroyed {
            _ = try await client.updateIssue(plan.issue, in: repository, state: "closed")
        }
        try await context.work.store.releaseLocks(repository: plan.repository, pullRequest: plan.pullRequest, keys: nil)
    }
}
