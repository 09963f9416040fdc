import GafferCore
import GafferGitHub
import Logging

/// When a pull request from one of Gaffer's branches is closed: the branch is
/// deleted (it is Gaffer's, and nothing else will), its stack locks are released and
/// a pending plan discarded, and when a person merged it, the issue's status comment
/// says so (when Gaffer merged it after an apply, its summary already does).
public struct PullRequestClosedHandler: WebhookEventHandler {
    public let name = "pull-request-closed"
    public let subscriptions = [EventSubscription("pull_request", actions: ["closed"])]
    public let github: GitHubConnection
    public let work: ChangeWork?

    public init(github: GitHubConnection, work: ChangeWork? = nil) {
        self.github = github
        self.work = work
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard case .pullRequest(let closed) = event, let issue = TaskBranch.issue(in: closed.pullRequest.head.ref),
            closed.pullRequest.head.repo?.fullName == closed.repository.fullName,
            let repository = RepositoryRef(fullName: closed.repository.fullName, installation: closed.installation?.id)
        else { return }
        let client = try await github.gitHub()
        try await client.deleteRef("heads/\(closed.pullRequest.head.ref)", in: repository)
        let number = closed.pullRequest.number
        if let work {
            // Locks must never outlive their pull request: a failure here fails the job, which is retried.
            if let plan = try await work.store.latestChangePlan(repository: closed.repository.fullName, pullRequest: number) {
                try await ChangePlanner(work: work).discard(plan)
            }
            try await work.store.releaseLocks(repository: closed.repository.fullName, pullRequest: number, keys: nil)
        }
        if closed.pullRequest.merged == true, try await closed.sender.login.lowercased() != github.login().lowercased() {
            try await github.writeStatus(
                try github.comments.taskMerged(pullRequest: closed.pullRequest.number, by: closed.sender.login),
                issue: issue,
                in: repository
            )
        }
        context.logger.info(
            "a Gaffer branch's pull request closed",
            metadata: ["pull_request": "\(closed.pullRequest.number)", "merged": "\(closed.pullRequest.merged == true)", "issue": "\(issue)"]
        )
    }
}
