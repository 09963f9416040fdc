import GafferCore
import GafferGitHub
import Logging

/// When a pull request from one of Gaffer's branches is closed: the branch is
/// deleted (it is Gaffer's, and nothing else will), and when it was merged, the
/// issue's status comment says so.
public struct PullRequestClosedHandler: WebhookEventHandler {
    public let name = "pull-request-closed"
    public let subscriptions = [EventSubscription("pull_request", actions: ["closed"])]
    public let github: GitHubConnection

    public init(github: GitHubConnection) {
        self.github = github
    }

    public func handle(_ event: WebhookEvent, context: EventContext) async throws {
        guard case .pullRequest(let closed) = event, let issue = TaskBranch.issue(in: closed.pullRequest.head.ref),
            closed.pullRequest.head.repo?.fullName == closed.repository.fullName,
            let repository = RepositoryRef(fullName: closed.repository.fullName, installation: closed.installation?.id)
        else { return }
        let client = try await github.gitHub()
        try await client.deleteRef("heads/\(closed.pullRequest.head.ref)", in: repository)
        if closed.pullRequest.merged == true {
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
