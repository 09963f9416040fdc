import GafferCore
import GafferGitHub
import GafferMessages

/// Writes the pull request's plan comment (one per pull request, edited in place) and gathers
/// what `/apply` and `/status` check.
enum ChangeComments {
    static func publishPlan(_ plan: ChangePlan, work: ChangeWork, github: GitHubConnection, repository: RepositoryRef) async throws {
        let coordinated = try await work.store.latestPlan(repository: plan.repository, issue: plan.issue)
        let body = try github.comments.changePlan(plan, estimate: coordinated?.estimate, findings: coordinated?.findings ?? [])
        try await github.writeStatus(body, key: "plan", issue: plan.pullRequest, in: repository)
    }

    /// Why a plan was not made, as its refusal says it; nil when it was made.
    static func refusal(_ outcome: ChangePlanner.Outcome, actor: String, comments: GafferComments) throws -> String? {
        switch outcome {
        case .planned: nil
        case .locked(let locks): try comments.planRefused(actor: actor, locks: locks)
        case .failed(let reason): try comments.planRefused(actor: actor, failure: reason)
        case .nothing(let reason): try comments.planRefused(actor: actor, nothing: reason)
        case .protected(let rule, let what): try comments.planRefused(actor: actor, protected: (rule, what))
        }
    }

    /// The facts `/apply` decides on, read now.
    static func facts(_ plan: ChangePlan, pull: PullRequestDetails, context: CommandContext) async throws -> ApplyFacts {
        let client = context.client
        let repository = context.target.repository
        // GitHub's answers are asked for together.
        async let checks = client.checkRuns(named: PullRequestPipeline.checkName, for: pull.head.sha, in: repository)
        async let reviews = client.reviews(of: plan.pullRequest, in: repository)
        async let repositorySettings = context.work.settings(for: context.target, client: client)
        let pipeline = try await checks.first { $0.status == "completed" }?.conclusion
        var approvers: [String] = []
        func add(_ login: String) {
            guard login.lowercased() != plan.requester.lowercased(), !approvers.contains(where: { $0.lowercased() == login.lowercased() }) else {
                return
            }
            approvers.append(login)
        }
        for decision in try await context.work.store.decisions(repository: plan.repository, pullRequest: plan.pullRequest)
        where decision.verdict == .approve && decision.planID == plan.id {
            add(decision.by)
        }
        // An approving review counts for the commit it was given on, from a person `/approve` would allow.
        for review in try await reviews where review.state == "APPROVED" && review.commitId == plan.headSHA {
            guard let login = review.user?.login else { continue }
            let actor = try await context.github.actor(login, for: [.approve], policy: context.policy, in: repository)
            if case .allowed = context.policy.decide(.approve, actor: actor, requester: plan.requester) { add(login) }
        }
        let (settings, problems) = try await repositorySettings
        var locks: [StackKey: StackLock] = [:]
        for stack in plan.stacks {
            locks[stack.key] = try await context.work.store.lock(for: stack.key)
        }
        return ApplyFacts(
            plan: plan,
            pullRequest: pull.number,
            repository: plan.repository,
            head: pull.head.sha,
            open: pull.state == "open",
            pipeline: pipeline,
            mergeable: pull.mergeable,
            approvers: approvers,
            locks: locks,
            settings: settings,
            configurationProblems: problems
        )
    }
}
